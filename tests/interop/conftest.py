"""The demo law (demo/data/law_v2.json, both languages) published as a draft of the test world."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from demo.loader import DEMO_DIR
from drafts import services as draft_services
from drafts.models import DraftVersion


def _specs(items):
    return [
        draft_services.ProvisionSpec(
            stable_id=item["stable_id"],
            kind=item["kind"],
            number=item.get("number", ""),
            heading_en=item.get("heading_en", ""),
            heading_km=item.get("heading_km", ""),
            text_en=item.get("text_en", ""),
            text_km=item.get("text_km", ""),
            children=_specs(item.get("children", [])),
        )
        for item in items
    ]


@pytest.fixture
def demo_law():
    return json.loads((DEMO_DIR / "law_v2.json").read_text(encoding="utf-8"))


@pytest.fixture
def demo_version(consultation, demo_law):
    """The demo's version 2 text, published (for consultation) as version 1 of a draft."""
    draft_data = demo_law["draft"]
    draft = draft_services.draft_create(
        slug="it-crimes-demo",
        title_en=draft_data["title_en"],
        title_km=draft_data["title_km"],
        short_title_en=draft_data["short_title_en"],
        short_title_km=draft_data["short_title_km"],
        lead_ministry=consultation.lead_ministry,
        by=consultation.drafter,
    )
    version = DraftVersion.objects.get(draft=draft, number=1)
    draft_services.provisions_import(
        version=version, specs=_specs(demo_law["provisions"]), by=consultation.drafter
    )
    return draft_services.version_publish(
        version=version, by=consultation.drafter, closes_at=timezone.now() + timedelta(days=30)
    )


def provision_tree(version):
    """Every live provision of ``version`` as comparable tuples, in document order."""
    from drafts.models import Provision

    return [
        (
            p.stable_id,
            p.kind,
            p.parent.stable_id if p.parent_id else None,
            p.number,
            p.heading_en,
            p.heading_km,
            p.text_en,
            p.text_km,
        )
        for p in Provision.objects.for_reading(version).select_related("parent")
    ]
