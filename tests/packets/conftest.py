"""Fixtures for review packets: a small consultation with Khmer text, comments and answers."""

from dataclasses import dataclass

import pytest

from comments import services as comment_services
from comments.models import Visibility
from drafts.models import DraftVersion

KHMER_TITLE = "សេចក្តីព្រាងច្បាប់ស្តីពីបទល្មើសបច្ចេកវិទ្យាព័ត៌មាន"
KHMER_TEXT = (
    "ច្បាប់នេះមានគោលបំណងការពារប្រព័ន្ធកុំព្យូទ័រ ទិន្នន័យ និងសិទ្ធិឯកជនភាពរបស់ប្រជាពលរដ្ឋ "
    "ដោយកំណត់បទល្មើសដែលពាក់ព័ន្ធនឹងការចូលប្រើប្រព័ន្ធកុំព្យូទ័រដោយគ្មានការអនុញ្ញាត "
    "និងការរំខានដល់ដំណើរការនៃប្រព័ន្ធព័ត៌មានវិទ្យារបស់ស្ថាប័នសាធារណៈនិងឯកជន។"
)


@dataclass
class PacketStory:
    consultation: object
    version: object
    public_comment: object
    restricted_comment: object
    reply: object


def tell_story(consultation) -> PacketStory:
    """Khmer title and text, a public comment with an answer, a restricted one, a reply."""
    version = consultation.version
    draft = consultation.draft
    draft.title_en = "Draft Law on Information Technology Crimes"
    draft.title_km = KHMER_TITLE
    draft.short_title_km = "ច្បាប់បទល្មើសបច្ចេកវិទ្យា"
    draft.save()
    articles = list(consultation.articles.values())
    # Fixture text is written straight to rows: the version is frozen for services.
    DraftVersion.objects.filter(pk=version.pk).update(status=DraftVersion.Status.WORKING)
    version.refresh_from_db()
    for article in articles:
        article.text_km = KHMER_TEXT
        article.version = version
        article.save()
    DraftVersion.objects.filter(pk=version.pk).update(status=DraftVersion.Status.IN_CONSULTATION)
    version.refresh_from_db()
    first = articles[0]
    public = comment_services.comment_create(
        by=consultation.stakeholder_a,
        version=version,
        provision=first,
        body="The definition of *computer system* is too broad for small businesses.",
        quote_exact="computer systems and data",
        posted_at=version.opens_at,
    )
    comment_services.endorsement_create(comment=public, by=consultation.stakeholder_b)
    comment_services.disposition_record(
        comment=public,
        by=consultation.drafter,
        status="partly_accepted",
        response="We narrowed the definition in article 1.",
    )
    restricted = comment_services.comment_create(
        by=consultation.stakeholder_b,
        version=version,
        provision=articles[-1],
        body="Confidential: our network operations would be affected.",
        kind="amendment",
        proposed_text="Nobody shall access a computer system without authorisation.",
        visibility=Visibility.RESTRICTED,
        posted_at=version.opens_at,
    )
    reply = comment_services.comment_reply(
        by=consultation.stakeholder_b,
        parent=public,
        body="We agree, and propose an exemption for research. ការស្រាវជ្រាវ",
    )
    return PacketStory(consultation, version, public, restricted, reply)


@pytest.fixture
def story(consultation):
    return tell_story(consultation)


@dataclass
class SecondRound:
    story: PacketStory
    v1: object
    v2: object


def start_second_round(story: PacketStory) -> SecondRound:
    """Version 2: article 1 rewritten as numbered points in both languages, article 3 removed."""
    from datetime import timedelta

    from django.utils import timezone

    from drafts import services as draft_services

    c = story.consultation
    v2 = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    first = v2.provisions.get(stable_id="chp_1__art_1")
    draft_services.provision_edit(
        provision=first,
        by=c.drafter,
        revision=first.revision,
        text_en="Within two days of the request:\n1. access without lawful authority;\n"
        "2. interference with data.",
        text_km=KHMER_TEXT.replace("កុំព្យូទ័រ", "ព័ត៌មានវិទ្យា", 1) + "\n១. ការចូលប្រើ\n២. ការរំខាន",
    )
    draft_services.provision_remove(
        provision=v2.provisions.get(stable_id="chp_2__art_3"), by=c.drafter
    )
    v2 = draft_services.version_publish(
        version=v2, by=c.drafter, closes_at=timezone.now() + timedelta(days=30)
    )
    return SecondRound(story=story, v1=story.version, v2=v2)


@pytest.fixture
def second_round(story):
    return start_second_round(story)


@pytest.fixture
def enqueued(monkeypatch):
    """Record build tasks instead of sending them to a broker."""
    from packets import tasks

    sent = []
    monkeypatch.setattr(tasks.packet_build, "delay", lambda packet_id: sent.append(packet_id))
    monkeypatch.setattr(
        tasks.packet_request_for_closed_version,
        "delay",
        lambda version_id: tasks.packet_request_for_closed_version.run(version_id),
    )
    return sent
