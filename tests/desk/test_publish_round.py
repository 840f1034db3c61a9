"""Publishing a round from the desk, and what the earlier round's comments carry forward."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from comments import services as comment_services
from comments.matrix import earlier_feedback_by_article
from comments.models import PassageCheck
from drafts import services as draft_services
from drafts.models import DraftVersion

from .conftest import working_article


def url(name, **kwargs):
    return reverse(name, kwargs=kwargs)


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def _prepare_round(consultation, desk_round):
    """Apply the amendment (article 1), keep article 2's quoted passage, remove article 3."""
    c = consultation
    comment_services.amendment_apply(
        comment=desk_round.amendment,
        by=c.drafter,
        working_version=desk_round.v2,
        response="Intent is now required.",
    )
    article_2 = working_article(desk_round, "chp_1__art_2")
    draft_services.provision_edit(
        provision=article_2,
        by=c.drafter,
        revision=article_2.revision,
        text_en=article_2.text_en.replace("protects", "safeguards"),  # quote still there
    )
    draft_services.provision_remove(
        provision=working_article(desk_round, "chp_2__art_3"), by=c.drafter
    )


def test_publish_form_validates_dates(client, consultation, desk_round):
    c = consultation
    client.force_login(c.drafter)
    publish_url = url("desk:publish", slug=c.draft.slug, number=2)
    page = client.get(publish_url)
    assert page.status_code == 200
    past = client.post(publish_url, {"closes_at": _local(timezone.now() - timedelta(days=1))})
    assert past.status_code == 200
    assert b"The consultation must close after it opens." in past.content
    backwards = client.post(
        publish_url,
        {
            "opens_at": _local(timezone.now() + timedelta(days=5)),
            "closes_at": _local(timezone.now() + timedelta(days=2)),
        },
    )
    assert b"must close after it opens" in backwards.content
    desk_round.v2.refresh_from_db()
    assert desk_round.v2.status == DraftVersion.Status.WORKING


def test_publish_supersedes_and_marks_passages(client, consultation, desk_round):
    c = consultation
    _prepare_round(c, desk_round)
    client.force_login(c.drafter)
    closes = timezone.now() + timedelta(days=30)
    response = client.post(
        url("desk:publish", slug=c.draft.slug, number=2),
        {
            "closes_at": _local(closes),
            "change_note_en": "Intent required; article 3 removed.",
            "change_note_km": "កំណែទី២",
        },
    )
    assert response.status_code == 302
    v1, v2 = desk_round.v1, desk_round.v2
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v2.status == DraftVersion.Status.IN_CONSULTATION
    assert v2.published_by == c.drafter
    assert v2.change_note_km == "កំណែទី២"
    assert v1.status == DraftVersion.Status.SUPERSEDED
    assert v1.closes_at <= timezone.now()

    results = dict(PassageCheck.objects.filter(version=v2).values_list("comment_id", "result"))
    assert results == {
        desk_round.comment.pk: "unchanged",  # its quoted passage is still in article 2
        desk_round.amendment.pk: "changed",  # article 1 was rewritten by the amendment
        desk_round.restricted.pk: "removed",  # article 3 is gone
    }

    # The marks show on the review desk of the earlier version.
    review = client.get(url("desk:review", slug=c.draft.slug, number=1)).content.decode()
    assert "Passage unchanged in version 2" in review
    assert "Passage changed in version 2" in review
    assert "Provision removed in version 2" in review

    # The new version knows what the earlier one received and what was decided.
    feedback = earlier_feedback_by_article(v2)
    assert feedback["chp_1__art_1"] == {
        "count": 1,
        "by_disposition": {"accepted": 1},
        "labels": [("Accepted", "accepted", 1)],
    }
    assert feedback["chp_1__art_2"]["by_disposition"] == {"pending": 1}
    page = client.get(url("desk:version", slug=c.draft.slug, number=2)).content.decode()
    assert "Earlier versions: 1 comment" in page
    assert "Accepted: 1" in page


def test_earlier_feedback_partial_renders(consultation, desk_round):
    from django.template.loader import render_to_string

    html = render_to_string(
        "drafts/_earlier_feedback.html",
        {
            "feedback": {
                "count": 3,
                "by_disposition": {"accepted": 2, "pending": 1},
                "labels": [("Accepted", "accepted", 2), ("Pending", "pending", 1)],
            }
        },
    )
    assert "Earlier versions: 3 comments" in html
    assert 'class="disposition disposition-accepted">Accepted: 2<' in html
    assert render_to_string("drafts/_earlier_feedback.html", {"feedback": None}).strip() == ""


def test_only_drafters_publish(client, consultation, desk_round):
    c = consultation
    closes = _local(timezone.now() + timedelta(days=30))
    for user in (c.stakeholder_a, c.other_drafter, c.official):
        client.force_login(user)
        response = client.post(
            url("desk:publish", slug=c.draft.slug, number=2), {"closes_at": closes}
        )
        assert response.status_code == 403
    desk_round.v2.refresh_from_db()
    assert desk_round.v2.status == DraftVersion.Status.WORKING
