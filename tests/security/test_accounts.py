"""Memberships are granted by the organisation's administrator or staff, never self-claimed;
a person acts for one organisation at a time and every comment records which."""

import pytest
from django.urls import reverse

from comments import services as comment_services
from stakeholders.models import Membership
from tests.factories import MembershipFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_admin(consultation):
    user = UserFactory(username="rights-admin")
    MembershipFactory(user=user, organisation=consultation.org_a, is_org_admin=True)
    return user


def members_url(org):
    return reverse("accounts:members", args=[org.slug])


def test_org_admin_grants_a_role_by_email(client, consultation, org_admin):
    c = consultation
    newcomer = UserFactory(username="newcomer", email="New.Comer@example.org")
    client.force_login(org_admin)
    page = client.get(members_url(c.org_a))
    assert page.status_code == 200
    assert "alice" in page.content.decode()
    response = client.post(
        members_url(c.org_a), {"person": "new.comer@EXAMPLE.org", "role": "stakeholder"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=newcomer, organisation=c.org_a)
    assert membership.is_active
    assert membership.granted_by == org_admin
    assert not membership.is_org_admin
    newcomer.refresh_from_db()
    assert newcomer.active_organisation == c.org_a
    record = membership.history.latest()
    assert record.history_user == org_admin


def test_grant_form_errors_keep_the_input(client, consultation, org_admin):
    client.force_login(org_admin)
    before = Membership.objects.count()
    response = client.post(members_url(consultation.org_a), {"person": "ghost", "role": "drafter"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nobody with that username or email has an account." in html
    assert 'value="ghost"' in html
    assert Membership.objects.count() == before


@pytest.mark.parametrize(
    "role", ["anonymous", "stakeholder_a", "stakeholder_b", "drafter", "moderator", "official"]
)
def test_nobody_else_may_manage_members(client, consultation, role):
    c = consultation
    user = getattr(c, role)
    if role != "anonymous":
        client.force_login(user)
    before = Membership.objects.count()
    get = client.get(members_url(c.org_a))
    post = client.post(members_url(c.org_a), {"person": "bob", "role": "stakeholder"})
    alice_membership = Membership.objects.get(user=c.stakeholder_a)
    end = client.post(reverse("accounts:member_end", args=[c.org_a.slug, alice_membership.pk]))
    if role == "anonymous":
        assert get.status_code == post.status_code == end.status_code == 302
        assert reverse("accounts:login") in get["Location"]
    else:
        assert get.status_code == post.status_code == end.status_code == 403
    assert Membership.objects.count() == before
    alice_membership.refresh_from_db()
    assert alice_membership.is_active


def test_a_stakeholder_cannot_claim_a_membership_of_another_organisation(client, consultation):
    """Even an organisation's own administrator cannot grant roles in another one."""
    c = consultation
    admin_a = UserFactory(username="admin-a")
    MembershipFactory(user=admin_a, organisation=c.org_a, is_org_admin=True)
    client.force_login(admin_a)
    response = client.post(members_url(c.lead_ministry), {"person": "admin-a", "role": "drafter"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user=admin_a, organisation=c.lead_ministry).exists()


def test_staff_may_manage_any_organisation(client, consultation):
    c = consultation
    client.force_login(c.admin)
    response = client.post(
        members_url(c.assembly), {"person": "bob", "role": "official", "is_org_admin": "on"}
    )
    assert response.status_code == 302
    granted = Membership.objects.get(user=c.stakeholder_b, organisation=c.assembly)
    assert granted.role == "official"
    assert granted.is_org_admin


def _any_comment(c):
    from comments import services as comment_services

    return comment_services.comment_create(
        by=c.stakeholder_b, version=c.version, provision=c.article, body="B's point"
    )


def test_ending_a_membership_keeps_the_row_and_removes_the_rights(client, consultation, org_admin):
    c = consultation
    membership = Membership.objects.get(user=c.stakeholder_a, organisation=c.org_a)
    client.force_login(org_admin)
    response = client.post(
        reverse("accounts:member_end", args=[c.org_a.slug, membership.pk]),
        {"reason": "Left the organisation"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active
    assert membership.ended_at
    assert membership.history.latest().history_change_reason == "Left the organisation"
    alice = type(c.stakeholder_a).objects.get(pk=c.stakeholder_a.pk)
    assert alice.active_organisation is None
    from stakeholders.policies import actor_for, can

    # She no longer speaks for the organisation; where the round allows it she may
    # still take part as an individual, and never again for the organisation.
    assert actor_for(alice).acting_org_id is None
    assert c.org_a.pk not in actor_for(alice).org_ids
    assert not can(alice, "comment.endorse", _any_comment(c))
    page = client.get(members_url(c.org_a)).content.decode()
    assert "Ended memberships" in page


def test_act_for_switches_the_organisation_comments_speak_for(client, consultation):
    c = consultation
    alice = c.stakeholder_a
    MembershipFactory(user=alice, organisation=c.org_b)
    client.force_login(alice)
    page = client.get(reverse("accounts:organisations"))
    assert page.status_code == 200
    assert "Mekong Telecom" in page.content.decode()
    response = client.post(reverse("accounts:organisations"), {"organisation": c.org_b.pk})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.active_organisation == c.org_b
    comment = comment_services.comment_create(
        by=type(alice).objects.get(pk=alice.pk),
        version=c.version,
        provision=c.article,
        body="Speaking for the telecom company now.",
    )
    assert comment.organisation == c.org_b


def test_act_for_refuses_an_organisation_one_does_not_belong_to(client, consultation):
    c = consultation
    client.force_login(c.stakeholder_a)
    response = client.post(reverse("accounts:organisations"), {"organisation": c.lead_ministry.pk})
    assert response.status_code == 400
    c.stakeholder_a.refresh_from_db()
    assert c.stakeholder_a.active_organisation == c.org_a


def test_act_for_redirects_only_to_this_site(client, consultation):
    c = consultation
    MembershipFactory(user=c.stakeholder_a, organisation=c.org_b)
    client.force_login(c.stakeholder_a)
    response = client.post(
        reverse("accounts:organisations"),
        {"organisation": c.org_b.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("accounts:organisations")


def test_a_person_without_membership_is_told_how_to_get_one(client, db):
    loner = UserFactory(username="loner")
    client.force_login(loner)
    html = client.get(reverse("accounts:organisations")).content.decode()
    assert "You take part as an individual" in html
    assert reverse("accounts:directory") in html


def test_organisation_admin_sees_link_to_members_page(client, consultation, org_admin):
    client.force_login(org_admin)
    html = client.get(reverse("accounts:organisations")).content.decode()
    assert members_url(consultation.org_a) in html
    other = member(organisation=consultation.org_a, username="plain")
    client.force_login(other)
    assert (
        members_url(consultation.org_a)
        not in client.get(reverse("accounts:organisations")).content.decode()
    )


@pytest.mark.parametrize(
    ("role", "moderation", "audit"),
    [
        ("stakeholder_a", False, False),
        ("moderator", True, False),
        ("drafter", False, True),
        ("official", False, True),
        ("admin", True, True),
    ],
)
def test_review_tools_are_linked_for_those_who_may_use_them(
    client, consultation, role, moderation, audit
):
    client.force_login(getattr(consultation, role))
    html = client.get(reverse("accounts:organisations")).content.decode()
    assert (reverse("comments:moderation") in html) is moderation
    assert (reverse("audit:log") in html) is audit
    assert (
        reverse("accounts:organisations")
        in client.get(reverse("comments:draft_list")).content.decode()
    )


def test_an_organisation_admin_cannot_mint_officials(client, consultation, org_admin):
    """An official reads every restricted comment: the role exists only in the Assembly."""
    c = consultation
    client.force_login(org_admin)
    before = Membership.objects.count()
    response = client.post(members_url(c.org_a), {"person": "rights-admin", "role": "official"})
    assert response.status_code == 400
    assert "only in the National Assembly" in response.content.decode()
    assert Membership.objects.count() == before
    from stakeholders.policies import actor_for

    assert not actor_for(type(org_admin).objects.get(pk=org_admin.pk)).is_official
    client.force_login(c.admin)
    granted = client.post(members_url(c.assembly), {"person": "bob", "role": "official"})
    assert granted.status_code == 302
