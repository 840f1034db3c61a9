"""An organisation's public page: its verified mark, its public comments, the members who
chose to be listed."""

import pytest
from django.urls import reverse

from comments import services as comment_services
from core.errors import PolicyDenied
from stakeholders import services as stakeholder_services
from stakeholders.models import Membership

pytestmark = pytest.mark.django_db


def _page(client, organisation, **params):
    return client.get(reverse("public:organisation", args=[organisation.slug]), params)


def _post(c, by, **kwargs):
    return comment_services.comment_create(
        by=by, version=c.version, provision=kwargs.pop("provision", c.article), **kwargs
    )


def test_the_page_lists_public_comments_only(client, consultation):
    c = consultation
    _post(c, c.stakeholder_a, body="Public words of the forum")
    _post(c, c.stakeholder_a, body="For participants", visibility="participants")
    _post(c, c.stakeholder_a, body="Restricted words", visibility="restricted")
    hidden = _post(c, c.stakeholder_a, body="Hidden words")
    comment_services.comment_hide(comment=hidden, by=c.moderator, reason="Off topic")
    _post(c, c.stakeholder_a, provision=None, body="On the whole draft")
    _post(c, c.stakeholder_b, body="Another organisation's words")
    page = _page(client, c.org_a).content.decode()
    assert "Public words of the forum" in page
    assert "On the whole draft" in page and "The whole draft" in page
    for absent in ("For participants", "Restricted words", "Hidden words", "Another organisation"):
        assert absent not in page
    # The same for a signed-in drafter: the page is the public record, not the reader's view.
    client.force_login(c.drafter)
    assert "Restricted words" not in _page(client, c.org_a).content.decode()


def test_the_verified_mark(client, consultation):
    c = consultation
    stakeholder_services.organisation_verify(organisation=c.org_a, by=c.admin, verified=False)
    page = _page(client, c.org_a).content.decode()
    assert "✓" not in page and "Not verified" in page
    stakeholder_services.organisation_verify(organisation=c.org_a, by=c.admin, verified=True)
    assert "✓" in _page(client, c.org_a).content.decode()


def test_members_are_listed_only_when_they_chose_to_be(client, consultation):
    c = consultation
    c.stakeholder_a.display_name = "Alice Forum"
    c.stakeholder_a.save()
    assert "Alice Forum" not in _page(client, c.org_a).content.decode()
    membership = Membership.objects.get(user=c.stakeholder_a, organisation=c.org_a)
    client.force_login(c.stakeholder_a)
    response = client.post(
        reverse("accounts:membership_listing", args=[membership.pk]), {"listed": "1"}
    )
    assert response.status_code == 302
    client.logout()
    assert "Alice Forum" in _page(client, c.org_a).content.decode()
    membership.refresh_from_db()
    assert membership.history.first().history_change_reason == "Listed publicly"
    stakeholder_services.membership_set_listed(
        membership=membership, by=c.stakeholder_a, listed=False
    )
    assert "Alice Forum" not in _page(client, c.org_a).content.decode()


def test_only_the_member_chooses(client, consultation):
    c = consultation
    membership = Membership.objects.get(user=c.stakeholder_a, organisation=c.org_a)
    for other in (c.stakeholder_b, c.admin, c.drafter):
        with pytest.raises(PolicyDenied):
            stakeholder_services.membership_set_listed(membership=membership, by=other, listed=True)
    client.force_login(c.stakeholder_b)
    response = client.post(
        reverse("accounts:membership_listing", args=[membership.pk]), {"listed": "1"}
    )
    assert response.status_code == 404
    membership.refresh_from_db()
    assert not membership.listed_publicly


def test_the_page_reads_a_fixed_number_of_queries(
    client, consultation, django_assert_max_num_queries
):
    c = consultation
    for n in range(25):
        _post(c, c.stakeholder_a, body=f"Point {n}")
    stakeholder_services.membership_set_listed(
        membership=Membership.objects.get(user=c.stakeholder_a, organisation=c.org_a),
        by=c.stakeholder_a,
        listed=True,
    )
    with django_assert_max_num_queries(8):
        response = _page(client, c.org_a)
    assert response.status_code == 200
    assert "Point 24" in response.content.decode()
    assert "Point 4" not in response.content.decode()  # the second page
    assert "Point 4" in _page(client, c.org_a, page=2).content.decode()


def test_an_unknown_organisation_is_a_404(client, consultation):
    assert client.get(reverse("public:organisation", args=["nobody"])).status_code == 404
