"""The bell, the list, preferences and following, in the browser's terms."""

import pytest
from django.urls import reverse

from notifications.models import Delivery, Follow, Kind, Notification
from notifications.services import notify, preferences_for
from tests.factories import DraftFactory, VersionFactory


def _notifications(c, user, count):
    made = []
    for number in range(count):
        made.append(
            notify(
                recipient=user,
                kind=Kind.CLOSED if number % 2 else Kind.VERSION_PUBLISHED,
                key=str(number),
                draft=c.draft,
                version=c.version,
                actor=c.drafter,
            )
        )
    return made


def test_the_list_runs_a_fixed_number_of_queries(
    consultation, client, django_assert_max_num_queries
):
    c = consultation
    _notifications(c, c.stakeholder_a, 3)
    client.force_login(c.stakeholder_a)
    with django_assert_max_num_queries(8):
        small = client.get(reverse("notifications:list"))
    _notifications(c, c.stakeholder_a, 40)
    with django_assert_max_num_queries(8):
        large = client.get(reverse("notifications:list"))
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count('class="notification notification-unread"') == 40


def test_the_bell_counts_unread_and_marking_read_clears_it(consultation, client):
    c = consultation
    first, second, _third = _notifications(c, c.stakeholder_a, 3)
    notify(recipient=c.stakeholder_b, kind=Kind.CLOSED, key="x", draft=c.draft, version=c.version)
    client.force_login(c.stakeholder_a)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Notifications: 3 unread" in page
    assert 'class="bell-count" aria-hidden="true">3<' in page

    response = client.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302
    bell = client.get(reverse("notifications:bell")).content.decode()
    assert "Notifications: 2 unread" in bell

    htmx = client.post(reverse("notifications:read", args=[second.pk]), HTTP_HX_REQUEST="true")
    body = htmx.content.decode()
    assert f'id="notification-{second.pk}"' in body
    assert 'hx-swap-oob="true"' in body
    assert "Notifications: 1 unread" in body

    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=c.stakeholder_a, read_at__isnull=True).exists()
    assert Notification.objects.get(recipient=c.stakeholder_b).read_at is None


def test_nobody_opens_or_marks_someone_elses_notification(consultation, client):
    c = consultation
    (theirs,) = _notifications(c, c.stakeholder_b, 1)
    client.force_login(c.stakeholder_a)
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_pages_ask_anonymous_visitors_to_sign_in(client):
    for name in ("notifications:list", "notifications:preferences"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_preferences_are_saved_per_kind(consultation, client):
    c = consultation
    client.force_login(c.stakeholder_a)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    data = dict.fromkeys(Kind.values, Delivery.IMMEDIATE)
    data[Kind.COMMENT_REPLY] = Delivery.DIGEST
    data[Kind.CLOSING_SOON] = Delivery.OFF
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    chosen = preferences_for(c.stakeholder_a)
    assert chosen[Kind.COMMENT_REPLY] == Delivery.DIGEST
    assert chosen[Kind.CLOSING_SOON] == Delivery.OFF
    assert chosen[Kind.CLOSED] == Delivery.IMMEDIATE
    bad = client.post(reverse("notifications:preferences"), {**data, Kind.CLOSED: "sometimes"})
    assert bad.status_code == 200
    assert preferences_for(c.stakeholder_a)[Kind.CLOSED] == Delivery.IMMEDIATE


def test_follow_and_unfollow_with_and_without_javascript(consultation, client):
    c = consultation
    client.force_login(c.stakeholder_a)
    follow_url = reverse("notifications:follow", args=[c.draft.slug])
    response = client.post(follow_url, {"next": "/somewhere/"})
    assert response.status_code == 302
    assert response["Location"] == "/somewhere/"
    client.post(follow_url)  # twice: still one follow
    assert Follow.objects.filter(user=c.stakeholder_a, draft=c.draft).count() == 1

    page = client.get(reverse("notifications:preferences")).content.decode()
    assert c.draft.short_title in page
    assert "Unfollow" in page

    htmx = client.post(
        reverse("notifications:unfollow", args=[c.draft.slug]), HTTP_HX_REQUEST="true"
    )
    assert 'class="follow-form"' in htmx.content.decode()
    assert reverse("notifications:follow", args=[c.draft.slug]) in htmx.content.decode()
    assert not Follow.objects.filter(user=c.stakeholder_a).exists()

    response = client.post(
        reverse("notifications:follow", args=[c.draft.slug]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("notifications:preferences")


def test_a_draft_nobody_may_read_yet_cannot_be_followed(consultation, client):
    c = consultation
    hidden = DraftFactory(lead_ministry=c.lead_ministry)
    VersionFactory(draft=hidden)  # only a working version
    client.force_login(c.stakeholder_a)
    response = client.post(reverse("notifications:follow", args=[hidden.slug]))
    assert response.status_code == 404
    assert not Follow.objects.exists()


@pytest.mark.parametrize("following", [False, True])
def test_the_follow_button_partial_renders_for_the_reading_page(consultation, rf, following):
    from django.template.loader import render_to_string

    from notifications.services import follow_draft

    c = consultation
    if following:
        follow_draft(user=c.stakeholder_a, draft=c.draft)
    request = rf.get("/drafts/x/")
    request.user = c.stakeholder_a
    html = render_to_string(
        "notifications/_follow_button.html",
        {"draft": c.draft, "user": c.stakeholder_a},
        request=request,
    )
    assert ("Unfollow" in html) == following
    assert 'name="csrfmiddlewaretoken"' in html


def test_opening_a_comment_notification_goes_to_its_permalink(consultation, client):
    from comments.services import comment_create

    c = consultation
    note = comment_create(by=c.stakeholder_b, version=c.version, provision=c.article, body="x")
    made = notify(
        recipient=c.stakeholder_a,
        kind=Kind.COMMENT_REPLY,
        key="1",
        comment=note,
        version=c.version,
        draft=c.draft,
    )
    client.force_login(c.stakeholder_a)
    response = client.get(reverse("notifications:open", args=[made.pk]))
    assert response["Location"] == reverse("comments:permalink", args=[note.pk])


def test_a_burst_of_one_kind_about_one_draft_is_folded_into_a_group(
    consultation, client, django_assert_max_num_queries
):
    c = consultation
    for number in range(6):
        notify(
            recipient=c.stakeholder_a,
            kind=Kind.VERSION_PUBLISHED,
            key=f"burst-{number}",
            draft=c.draft,
            version=c.version,
        )
    notify(recipient=c.stakeholder_a, kind=Kind.CLOSED, key="alone", draft=c.draft)
    client.force_login(c.stakeholder_a)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("notifications:list")).content.decode()
    assert page.count('class="notification notification-group notification-unread"') == 1
    assert "6 notifications: " in page and "6 new" in page
    # Every item is still there, inside the group, each with its own link.
    assert page.count('class="notification-link"') == 7


def test_a_reply_notification_shows_the_reply_and_names_the_article(consultation, client):
    from comments import services as comments

    c = consultation
    first = comments.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Too broad."
    )
    reply = comments.comment_reply(
        by=c.stakeholder_b, parent=first, body="We agree: the scope should be narrowed."
    )
    notify(
        recipient=c.stakeholder_a,
        kind=Kind.COMMENT_REPLY,
        key=str(reply.pk),
        actor=c.stakeholder_b,
        draft=c.draft,
        version=c.version,
        comment=reply,
    )
    client.force_login(c.stakeholder_a)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "replied to your comment on Article 1 of" in page
    assert "We agree: the scope should be narrowed." in page
