"""The strict Content-Security-Policy holds only if no page needs inline script or style.

Every template served to browsers is scanned, and a set of real pages is
rendered and parsed, for inline ``<script>``, ``<style>``, ``style=""`` and
``on*=""`` handlers. The PDF print templates (templates/packets/print/) are
rendered by WeasyPrint, never served, and are left out.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from comments import services

ROOT = Path(__file__).resolve().parents[2]
PRINT_ONLY = ROOT / "templates" / "packets" / "print"
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def served_templates():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if PRINT_ONLY in path.parents:
            continue
        yield path


def test_templates_have_no_inline_code():
    problems = []
    for path in served_templates():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for pattern, what in INLINE:
                if pattern.search(line):
                    problems.append(f"{path.relative_to(ROOT)}:{number}: {what}")
    assert not problems, "\n".join(problems)


class _Inline(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style>")
        if "style" in names:
            self.problems.append(f"style= on <{tag}>")
        handlers = [name for name in names if name.startswith("on")]
        if handlers:
            self.problems.append(f"{handlers} on <{tag}>")


@pytest.mark.django_db
def test_rendered_pages_have_no_inline_code(client, consultation):
    c = consultation
    comment = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="A point"
    )
    services.report_create(comment=comment, by=c.stakeholder_b, reason="Check")
    pages = {
        "anonymous": [
            reverse("comments:draft_list"),
            reverse("comments:article", args=[c.draft.slug, 1, c.article.stable_id]),
            reverse("comments:version", args=[c.draft.slug, 1]),
            reverse("accounts:login"),
        ],
        "stakeholder_a": [
            reverse("comments:article", args=[c.draft.slug, 1, c.article.stable_id]),
            reverse("comments:reply", args=[comment.pk]),
            reverse("accounts:organisations"),
        ],
        "moderator": [reverse("comments:moderation")],
        "drafter": [
            reverse("audit:log"),
            reverse("accounts:two_factor"),
            reverse("desk:respond", args=[c.draft.slug, comment.pk]),
        ],
        "admin": [reverse("accounts:members", args=[c.org_a.slug])],
    }
    problems = []
    for role, urls in pages.items():
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(c, role))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url, response.status_code)
            parser = _Inline()
            parser.feed(response.content.decode())
            problems += [f"{url} ({role}): {p}" for p in parser.problems]
    assert not problems, "\n".join(problems)
