"""An article's text split into paragraphs and points gives the same text back."""

import json

import pytest

from demo.loader import DEMO_DIR
from interop.text import join_text, point_parts, split_text, to_khmer_digits, to_latin_digits


def _texts():
    for name in ("law_v1.json", "law_v2.json"):
        law = json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))
        stack = list(law["provisions"])
        while stack:
            item = stack.pop()
            stack.extend(item.get("children", []))
            for language in ("en", "km"):
                if item.get(f"text_{language}"):
                    yield pytest.param(
                        item[f"text_{language}"], id=f"{name}:{item['stable_id']}:{language}"
                    )


@pytest.mark.parametrize("text", list(_texts()))
def test_every_demo_text_survives_the_split(text):
    assert join_text(split_text(text)) == text


def test_points_intro_and_wrap_up():
    text = "The offender shall:\n1. pay a fine;\n2. forfeit the device,\nas the court orders.\n\nA second paragraph."
    first, second = split_text(text)
    assert first.intro == ["The offender shall:"]
    assert [(p.num, p.lines) for p in first.points] == [
        ("1.", ["pay a fine;"]),
        ("2.", ["forfeit the device,"]),
    ]
    assert first.wrap_up == ["as the court orders."]
    assert second.intro == ["A second paragraph."] and not second.points
    assert join_text([first, second]) == text


def test_point_numbers_in_both_scripts():
    assert point_parts("១. ធានាសុវត្ថិភាព") == ("១.", "ធានាសុវត្ថិភាព")
    assert point_parts("(a) the first") == ("(a)", "the first")
    assert point_parts("ក. ទីមួយ") == ("ក.", "ទីមួយ")
    assert point_parts("2026 was a year") is None
    assert to_khmer_digits("12a") == "១២a" and to_latin_digits("៤៥") == "45"
