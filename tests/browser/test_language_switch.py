"""The language list is a form field, not a link (WCAG 3.2.2, change of context on input).

Moving through it with the arrow keys, as a keyboard user does to read the choices,
changes the choice and nothing else: no page is loaded and the page keeps its language.
The "Switch" button, the next stop of the Tab key, is what changes the language. On a
phone-sized and a desktop screen, from English and from Khmer.
"""

import pytest
from django.urls import reverse

from .test_axe_sweep import DEVICES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["en", "km"])
def test_arrow_keys_on_the_language_list_do_not_change_the_page(
    browser, live_server, consultation, device, language
):
    other = "km" if language == "en" else "en"
    context = browser.new_context(base_url=live_server.url, **DEVICES[device])
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        url = reverse("comments:read", args=[consultation.draft.slug])
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        loads = []
        page.on("framenavigated", lambda frame: loads.append(frame.url))
        choice = page.locator("#language-select")
        choice.focus()
        # English is listed first, Khmer second: move to the other language and back again.
        page.keyboard.press("ArrowDown" if language == "en" else "ArrowUp")
        assert choice.input_value() == other
        page.keyboard.press("ArrowUp" if language == "en" else "ArrowDown")
        assert choice.input_value() == language
        page.keyboard.press("ArrowDown" if language == "en" else "ArrowUp")
        assert choice.input_value() == other
        page.wait_for_timeout(500)  # time enough for a navigation a script might start
        assert loads == []
        assert page.locator("html").get_attribute("lang") == language
        assert page.url.endswith(url)

        # The choice takes effect through the form's button, the next stop of the Tab key.
        page.keyboard.press("Tab")
        assert page.evaluate(
            "() => document.activeElement.matches('.language-switch button[type=submit]')"
        )
        page.keyboard.press("Enter")
        page.wait_for_selector(f"html[lang={other}]")
        assert page.url.endswith(url)  # back on the same page, in the other language
    finally:
        context.close()
