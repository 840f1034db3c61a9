"""Individuals: a person with no organisation comments, replies, quotes and proposes
amendments for themselves, shown as such everywhere; a round may be kept to organisations."""

import pytest
from django.urls import reverse

from comments import services
from comments.matrix import matrix_facets, response_matrix
from comments.models import Comment
from core.errors import PolicyDenied
from packets.models import Packet
from packets.selectors import packet_statistics
from stakeholders.policies import can, why_not
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def article_url(c):
    return reverse("comments:article", args=[c.draft.slug, c.version.number, c.article.stable_id])


def test_an_individual_comments_replies_quotes_and_proposes(consultation):
    c = consultation
    comment = services.comment_create(
        by=c.individual,
        version=c.version,
        provision=c.article,
        body="As a journalist I worry about this.",
        quote_exact="Nobody shall access a computer system without right.",
    )
    assert comment.organisation is None
    assert comment.is_individual
    assert comment.thread_author == c.individual
    assert comment.speaker_name == "Sokha Chan"
    amendment = services.comment_create(
        by=c.individual,
        version=c.version,
        provision=c.article,
        body="Narrow it.",
        kind="amendment",
        proposed_text="Nobody shall knowingly access a computer system without right.",
    )
    assert amendment.organisation_id is None
    org_comment = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="An NGO's view."
    )
    reply = services.comment_reply(by=c.individual, parent=org_comment, body="I agree.")
    assert reply.organisation_id is None
    assert reply.thread_organisation_id == c.org_a.pk
    # And an organisation replies to the individual.
    answer = services.comment_reply(by=c.stakeholder_b, parent=comment, body="So do we.")
    assert answer.thread_author_id == c.individual.pk
    assert answer.thread_organisation_id is None


def test_individuals_cannot_endorse(consultation):
    c = consultation
    comment = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Endorse me."
    )
    assert "individual" in why_not(c.individual, "comment.endorse", comment)
    with pytest.raises(PolicyDenied):
        services.endorsement_create(comment=comment, by=c.individual)


def test_the_page_and_the_api_show_an_individual_as_such(consultation, client, api_client_for):
    c = consultation
    comment = services.comment_create(
        by=c.individual, version=c.version, provision=c.article, body="My own view."
    )
    page = client.get(article_url(c)).content.decode()
    assert "Sokha Chan" in page
    assert "(individual)" in page
    row = api_client_for(None).get(reverse("api:comment-detail", args=[comment.pk])).json()
    assert row["organisation"] is None
    assert row["individual"] is True
    assert row["author"] == {"name": "Sokha Chan"}


def test_the_web_form_says_one_comments_as_an_individual(consultation, client):
    client.force_login(consultation.individual)
    page = client.get(article_url(consultation)).content.decode()
    assert "Commenting as an individual" in page
    response = client.post(
        reverse(
            "comments:create",
            args=[
                consultation.draft.slug,
                consultation.version.number,
                consultation.article.stable_id,
            ],
        ),
        {"kind": "comment", "visibility": "public", "body": "Posted on the web by a citizen"},
    )
    assert response.status_code in (200, 302)
    assert Comment.objects.get(body="Posted on the web by a citizen").organisation_id is None


def test_the_api_refuses_an_individual_naming_an_organisation(consultation, api_client_for):
    c = consultation
    response = api_client_for(c.individual).post(
        reverse("api:comment-list"),
        {
            "version": c.version.pk,
            "provision": c.article.stable_id,
            "body": "Pretending to be an NGO",
            "organisation": c.org_a.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert not Comment.objects.filter(body="Pretending to be an NGO").exists()


def test_a_round_kept_to_organisations(consultation, client):
    c = consultation
    services.round_participation_set(
        version=c.version, by=c.drafter, individuals_may_take_part=False
    )
    c.version.refresh_from_db()
    assert "organisations only" in why_not(c.individual, "comment.create", c.version)
    assert can(c.stakeholder_a, "comment.create", c.version)
    client.force_login(c.individual)
    page = client.get(article_url(c)).content.decode()
    assert "organisations only" in page
    with pytest.raises(PolicyDenied):
        services.round_participation_set(
            version=c.version, by=c.stakeholder_a, individuals_may_take_part=True
        )
    history = c.version.participation.history.first()
    assert history.history_change_reason == "Round kept to organisations"


def test_drafters_filter_individuals_from_organisations(consultation, client, api_client_for):
    c = consultation
    services.comment_create(by=c.individual, version=c.version, provision=c.article, body="I1")
    services.comment_create(by=c.stakeholder_a, version=c.version, provision=c.article, body="O1")
    rows = response_matrix(version=c.version, user=c.drafter, filters={"speaker": "individual"})
    assert [r.text for r in rows] == ["I1"]
    assert rows[0].organisation_kind == "Individual"
    assert rows[0].organisation_name == "Sokha Chan"
    rows = response_matrix(version=c.version, user=c.drafter, filters={"speaker": "organisation"})
    assert [r.text for r in rows] == ["O1"]
    speaker = next(
        f
        for f in matrix_facets(response_matrix(version=c.version, user=c.drafter))
        if f.name == "speaker"
    )
    assert {(value, count) for value, _label, count in speaker.options} == {
        ("individual", 1),
        ("organisation", 1),
    }
    client.force_login(c.drafter)
    page = client.get(
        reverse("comments:version", args=[c.draft.slug, c.version.number]),
        {"organisation_kind": "individual"},
    ).content.decode()
    assert "I1" in page
    assert "O1" not in page
    listed = api_client_for(c.drafter).get(
        reverse("api:comment-list"), {"version": c.version.pk, "speaker": "individual"}
    )
    assert [row["body"] for row in listed.json()["results"]] == ["I1"]


def test_packet_statistics_count_individuals(consultation):
    c = consultation
    services.comment_create(by=c.individual, version=c.version, provision=c.article, body="I1")
    services.comment_create(by=c.stakeholder_a, version=c.version, provision=c.article, body="O1")
    packet = Packet(version=c.version, language="en", include_restricted=False)
    stats = packet_statistics(packet=packet, units=[])
    assert ("Individual", 1) in stats["by_kind"]


def test_an_individuals_restricted_thread_is_theirs(consultation):
    c = consultation
    question = services.comment_create(
        by=c.individual,
        version=c.version,
        provision=c.article,
        body="Private question",
        visibility="restricted",
    )
    answer = services.comment_reply(
        by=c.drafter, parent=question, body="Private answer", visibility="restricted"
    )
    assert can(c.individual, "comment.view", answer)
    assert not can(c.stakeholder_a, "comment.view", answer)
    stranger = UserFactory(username="stranger")
    assert not can(stranger, "comment.view", question)
