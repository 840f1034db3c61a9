"""Joining organisations (asked by the person, decided by the administrator) and staff's
verification of organisations, with the verified mark wherever the organisation is named."""

import pytest
from django.urls import reverse

from comments import services as comment_services
from comments.matrix import response_matrix
from core.errors import DomainError, PolicyDenied
from stakeholders import services
from stakeholders.models import JoinRequest, Membership, User
from stakeholders.policies import actor_for, can

pytestmark = pytest.mark.django_db


def test_ask_then_the_administrator_approves(consultation, client):
    c = consultation
    services.membership_grant(
        organisation=c.org_a, user=c.stakeholder_a, role="stakeholder", by=None, is_org_admin=True
    )
    client.force_login(c.individual)
    response = client.post(
        reverse("accounts:join", args=[c.org_a.slug]), {"message": "I volunteer for them."}
    )
    assert response.status_code == 302
    request = JoinRequest.objects.get(user=c.individual)
    assert request.status == JoinRequest.Status.PENDING
    assert not actor_for(c.individual).org_ids  # asking alone changes nothing
    again = client.post(reverse("accounts:join", args=[c.org_a.slug]))
    assert again.status_code == 400
    assert JoinRequest.objects.filter(user=c.individual).count() == 1

    # Another organisation's member may not decide it.
    client.force_login(c.stakeholder_b)
    refused = client.post(
        reverse("accounts:join_decide", args=[c.org_a.slug, request.pk]), {"decision": "approve"}
    )
    assert refused.status_code == 403

    client.force_login(c.stakeholder_a)
    members_page = client.get(reverse("accounts:members", args=[c.org_a.slug])).content.decode()
    assert "I volunteer for them." in members_page
    approved = client.post(
        reverse("accounts:join_decide", args=[c.org_a.slug, request.pk]), {"decision": "approve"}
    )
    assert approved.status_code == 302
    request.refresh_from_db()
    assert request.status == JoinRequest.Status.APPROVED
    assert request.decided_by == c.stakeholder_a
    person = User.objects.get(pk=c.individual.pk)
    assert actor_for(person).acting_org_id == c.org_a.pk
    comment = comment_services.comment_create(
        by=person, version=c.version, provision=c.article, body="Now for the NGO"
    )
    assert comment.organisation == c.org_a


def test_declined_requests_grant_nothing(consultation):
    c = consultation
    request = services.join_request_create(user=c.individual, organisation=c.org_b)
    services.join_request_decide(join_request=request, by=c.admin, approve=False, reason="Unknown")
    assert not Membership.objects.filter(user=c.individual).exists()
    with pytest.raises(DomainError):
        services.join_request_decide(join_request=request, by=c.admin, approve=True)


def test_members_cannot_ask_to_join_their_own_organisation(consultation):
    c = consultation
    assert not can(c.stakeholder_a, "organisation.join", c.org_a)
    with pytest.raises(PolicyDenied):
        services.join_request_create(user=c.stakeholder_a, organisation=c.org_a)


def test_only_staff_verify_and_the_mark_is_shown_everywhere(consultation, client, api_client_for):
    c = consultation
    c.org_b.verified = False
    c.org_b.save()
    with pytest.raises(PolicyDenied):
        services.organisation_verify(organisation=c.org_b, by=c.drafter, verified=True)
    comment = comment_services.comment_create(
        by=c.stakeholder_b, version=c.version, provision=c.article, body="Telecom view"
    )
    article = reverse(
        "comments:article", args=[c.draft.slug, c.version.number, c.article.stable_id]
    )
    assert "verified-mark" not in client.get(article).content.decode()

    client.force_login(c.admin)
    response = client.post(reverse("accounts:verify", args=[c.org_b.slug]), {"verified": "1"})
    assert response.status_code == 302
    c.org_b.refresh_from_db()
    assert c.org_b.verified
    assert c.org_b.history.first().history_change_reason == "Verified by staff"
    client.logout()
    page = client.get(article).content.decode()
    assert "✓ verified" in page
    api = api_client_for(None).get(reverse("api:comment-detail", args=[comment.pk])).json()
    assert api["organisation"]["verified"] is True
    [row] = response_matrix(version=c.version, user=c.drafter)
    assert row.organisation_verified


def test_the_directory(consultation, client, django_assert_max_num_queries):
    c = consultation
    services.join_request_create(user=c.individual, organisation=c.org_b)
    client.force_login(c.individual)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("accounts:directory")).content.decode()
    assert "Ask to join Digital Rights Forum" in page
    assert "waiting for the administrator" in page
    client.force_login(c.admin)
    assert (
        "Withdraw verification of Mekong Telecom"
        in client.get(reverse("accounts:directory")).content.decode()
    )
