"""The accessibility statement says what is checked and names its known gaps, in both languages;
its new wording never overwrites a statement staff have edited."""

import importlib

import pytest
from django.urls import reverse

from public.models import Page

pytestmark = pytest.mark.django_db

revision = importlib.import_module("public.migrations.0003_accessibility_known_gaps")

URL = reverse("public:page", args=["accessibility"])


def test_the_statement_names_its_known_gaps_in_english(client):
    page = client.get(URL).content.decode()
    assert "Known gaps" in page
    for gap in (
        "Review packets",  # the PDFs: tagged, Khmer text carried per line, not PDF/A
        "not PDF/A documents yet",
        "Files attached to comments",
        "What automatic checks cannot judge",
        "Screen readers and Khmer",
    ):
        assert gap in page, gap
    assert "390 × 844" in page and "1366 × 900" in page


def test_the_statement_names_its_known_gaps_in_khmer(client):
    client.cookies["django_language"] = "km"
    page = client.get(URL).content.decode()
    assert "ចំណុចខ្វះខាតដែលបានដឹង" in page
    for gap in ("ឯកសារពិនិត្យ", "មិនទាន់ជាឯកសារ PDF/A", "ឯកសារភ្ជាប់ជាមួយមតិយោបល់", "កម្មវិធី axe"):
        assert gap in page, gap
    assert "៣៩០ × ៨៤៤" in page


def test_the_new_wording_replaces_only_the_first_one_and_is_kept_in_the_history():
    statement = Page.objects.get(slug="accessibility")
    first = revision.first_wording()
    statement.body_en, statement.body_km = first["body_en"], first["body_km"]
    statement.save()
    before = statement.history.count()
    assert revision.revise(Page) is True
    statement.refresh_from_db()
    assert statement.body_en == revision.BODY_EN and statement.body_km == revision.BODY_KM
    assert statement.history.count() == before + 1

    statement.body_en = "Our own statement, written by staff."
    statement.save()
    assert revision.revise(Page) is False
    statement.refresh_from_db()
    assert statement.body_en == "Our own statement, written by staff."
