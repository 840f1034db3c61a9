from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import ConflictError, DomainError, PolicyDenied
from drafts import services
from drafts.models import DraftVersion, Provision


def test_published_version_text_cannot_change(consultation):
    article = consultation.article
    article.text_en = "Silently rewritten."
    with pytest.raises(ValidationError):
        article.save()
    article.refresh_from_db()
    assert article.text_en != "Silently rewritten."


def test_published_provision_cannot_be_deleted(consultation):
    with pytest.raises(ValidationError):
        consultation.article.delete()
    assert Provision.objects.filter(pk=consultation.article.pk).exists()


def test_edit_service_refuses_published_version_with_a_reason(consultation):
    with pytest.raises(PolicyDenied, match="published"):
        services.provision_edit(
            provision=consultation.article, by=consultation.drafter, revision=1, text_en="New"
        )


def test_stable_ids_survive_renumbering_into_the_next_version(consultation):
    drafter = consultation.drafter
    v2 = services.version_start_next(draft=consultation.draft, by=drafter)
    assert v2.number == 2
    assert v2.parent_id == consultation.version.pk
    chapter_one = Provision.objects.get(version=v2, stable_id="chp_1")
    first = Provision.objects.get(version=v2, stable_id="chp_1__art_1")
    services.provision_add(
        version=v2,
        by=drafter,
        kind="article",
        parent=chapter_one,
        after=None,
        number="1",
        heading_en="Objective",
        text_en="A new first article.",
    )
    changed = services.version_renumber_articles(version=v2, by=drafter)
    assert changed >= 3
    first.refresh_from_db()
    assert first.number == "2"
    assert first.stable_id == "chp_1__art_1"
    old = Provision.objects.get(version=consultation.version, stable_id="chp_1__art_1")
    assert old.number == "1"
    ordered = list(Provision.objects.for_reading(v2).values_list("stable_id", flat=True))
    assert ordered.index("chp_1__art_1_a") < ordered.index("chp_1__art_1") or ordered[1].startswith(
        "chp_1__art_1"
    )


def test_move_keeps_stable_id_and_history(consultation):
    drafter = consultation.drafter
    v2 = services.version_start_next(draft=consultation.draft, by=drafter)
    article = Provision.objects.get(version=v2, stable_id="chp_1__art_2")
    chapter_two = Provision.objects.get(version=v2, stable_id="chp_2")
    services.provision_move(provision=article, by=drafter, parent=chapter_two, after=None)
    article.refresh_from_db()
    assert article.parent_id == chapter_two.pk
    ordered = list(Provision.objects.for_reading(v2).values_list("stable_id", flat=True))
    assert ordered.index("chp_2") < ordered.index("chp_1__art_2") < ordered.index("chp_2__art_3")
    assert article.history.filter(history_change_reason="Moved").exists()


def test_removed_provision_is_recorded_not_forgotten(consultation):
    drafter = consultation.drafter
    v2 = services.version_start_next(draft=consultation.draft, by=drafter)
    chapter = Provision.objects.get(version=v2, stable_id="chp_1")
    services.provision_remove(provision=chapter, by=drafter, reason="Merged into chapter 2")
    assert not Provision.objects.for_reading(v2).filter(stable_id__startswith="chp_1").exists()
    removed = Provision.objects.filter(version=v2, stable_id__startswith="chp_1")
    assert removed.count() == 3
    assert all(p.removed_at for p in removed)


def test_concurrent_edit_is_a_conflict_not_a_lost_update(consultation):
    drafter, second = consultation.drafter, consultation.drafter
    v2 = services.version_start_next(draft=consultation.draft, by=drafter)
    article = Provision.objects.get(version=v2, stable_id="chp_1__art_1")
    services.provision_edit(
        provision=article, by=drafter, revision=1, text_en="First editor's text."
    )
    with pytest.raises(ConflictError) as caught:
        services.provision_edit(
            provision=article, by=second, revision=1, text_en="Second editor's text."
        )
    assert caught.value.current.text_en == "First editor's text."


def test_publish_supersedes_previous_and_freezes(consultation):
    drafter = consultation.drafter
    v2 = services.version_start_next(draft=consultation.draft, by=drafter)
    services.version_publish(version=v2, by=drafter, closes_at=timezone.now() + timedelta(days=20))
    v2.refresh_from_db()
    consultation.version.refresh_from_db()
    assert v2.status == DraftVersion.Status.IN_CONSULTATION
    assert v2.is_frozen
    assert consultation.version.status == DraftVersion.Status.SUPERSEDED
    with pytest.raises(DomainError):
        services.version_start_next(
            draft=consultation.draft, by=drafter
        ) and services.version_start_next(draft=consultation.draft, by=drafter)


def test_stakeholder_cannot_start_a_version(consultation):
    with pytest.raises(PolicyDenied):
        services.version_start_next(draft=consultation.draft, by=consultation.stakeholder_a)
