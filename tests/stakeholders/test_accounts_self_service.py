"""Self-service accounts (django-allauth): sign-up with a confirmed address, password reset
and change, email change, closing an account that keeps the public record."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from stakeholders.models import Membership, User
from tests.factories import PASSWORD, UserFactory, member

# Real commits: account emails leave through the outbox after the request commits.
pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture(autouse=True)
def fresh_throttles():
    """allauth counts tries in the shared cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def tasks_inline():
    """The outbox's after-commit delivery runs the account email task inline."""
    from portal.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def sign_up(client, username="citizen", email="citizen@example.org", **extra):
    return client.post(
        reverse("account_signup"),
        {
            "username": username,
            "email": email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            **extra,
        },
    )


def link_in(message) -> str:
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    return match.group(0)


def sign_in(client, username, password=NEW_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_sign_up_confirm_the_address_then_sign_in(client):
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(username="citizen")
    assert user.memberships.count() == 0
    assert len(mail.outbox) == 1
    confirm_url = link_in(mail.outbox[0])

    # Before confirming, the portal's own sign-in page refuses the account.
    refused = sign_in(client, "citizen")
    assert refused.status_code == 200
    assert "Confirm your email address first" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    page = client.get(confirm_url)
    assert page.status_code == 200
    client.post(confirm_url)
    assert EmailAddress.objects.get(user=user).verified

    signed_in = sign_in(client, "citizen@example.org")  # the address works as well
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_up_takes_the_interface_language(client):
    client.cookies["django_language"] = "km"
    sign_up(client, username="sokha", email="sokha@example.org")
    user = User.objects.get(username="sokha")
    assert user.preferred_language == "km"
    # The confirmation email is written in the language of the sign-up.
    assert mail.outbox[0].subject == "បញ្ជាក់អាសយដ្ឋានអ៊ីមែលរបស់អ្នក"


def test_a_known_address_is_not_revealed_by_sign_up(client):
    UserFactory(username="known", email="known@example.org")
    EmailAddress.objects.create(
        user=User.objects.get(username="known"),
        email="known@example.org",
        verified=True,
        primary=True,
    )
    response = sign_up(client, username="someone-else", email="known@example.org")
    # Answered exactly like a new address; the owner hears about it by email.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not User.objects.filter(username="someone-else").exists()
    assert mail.outbox[0].to == ["known@example.org"]
    assert "already" in mail.outbox[0].subject


def test_password_reset_does_not_tell_whether_an_address_has_an_account(client):
    UserFactory(username="owner", email="owner@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "owner@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mail.outbox] == [["owner@example.org"]]


def test_password_reset_link_sets_a_new_password(client):
    user = UserFactory(username="forgetful", email="forgetful@example.org")
    client.post(reverse("account_reset_password"), {"email": "forgetful@example.org"})
    url = link_in(mail.outbox[0])
    form_page = client.get(url, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else url
    done = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_is_throttled(client):
    for _ in range(3):
        client.post(reverse("account_reset_password"), {"email": "x@example.org"})
    refused = client.post(reverse("account_reset_password"), {"email": "x@example.org"})
    assert refused.status_code == 429
    assert "Too many tries" in refused.content.decode()


def test_sign_up_is_throttled_per_address(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    sign_up(client, username="one", email="one@example.org")
    sign_up(client, username="two", email="two@example.org")
    refused = sign_up(client, username="three", email="three@example.org")
    assert refused.status_code == 429
    assert not User.objects.filter(username="three").exists()


def test_password_change(client):
    user = UserFactory(username="changer")
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert "password has changed" in mail.outbox[-1].subject


def test_email_change_waits_for_the_new_address_to_be_confirmed(client):
    user = UserFactory(username="mover", email="old@example.org")
    EmailAddress.objects.create(user=user, email="old@example.org", verified=True, primary=True)
    client.force_login(user)
    page = client.get(reverse("account_email"))
    assert page.status_code == 200
    client.post(reverse("account_email"), {"action_add": "", "email": "new@example.org"})
    user.refresh_from_db()
    assert user.email == "old@example.org"  # not until confirmed
    assert mail.outbox[-1].to == ["new@example.org"]
    confirm_url = link_in(mail.outbox[-1])
    client.post(confirm_url)
    user.refresh_from_db()
    assert user.email == "new@example.org"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [
        "new@example.org"
    ]


def test_existing_accounts_without_an_address_record_still_sign_in(client):
    UserFactory(username="legacy")
    assert sign_in(client, "legacy", PASSWORD).status_code == 302


def test_closing_an_account_keeps_the_comments_and_erases_the_person(client, consultation):
    from comments import services as comment_services

    author = consultation.stakeholder_a
    comment = comment_services.comment_create(
        version=consultation.version,
        provision=consultation.article,
        by=author,
        body="Keep the register public.",
    )
    client.force_login(author)
    wrong = client.post(reverse("accounts:close"), {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 400
    response = client.post(reverse("accounts:close"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    author.refresh_from_db()
    assert author.closed_at is not None
    assert not author.is_active
    assert author.email == ""
    assert author.username == f"former-{author.pk}"
    assert str(author) == "a former participant"
    assert not author.has_usable_password()
    assert not Membership.objects.filter(user=author, is_active=True).exists()
    comment.refresh_from_db()
    assert comment.state == "active"
    page = client.get(
        reverse(
            "comments:article",
            args=[
                consultation.draft.slug,
                consultation.version.number,
                consultation.article.stable_id,
            ],
        )
    )
    assert "a former participant" in page.content.decode()
    assert "Keep the register public." in page.content.decode()


def test_the_sign_in_prompt_offers_sign_up(client, consultation):
    page = client.get(
        reverse(
            "comments:article",
            args=[
                consultation.draft.slug,
                consultation.version.number,
                consultation.article.stable_id,
            ],
        )
    )
    assert reverse("account_signup") in page.content.decode()


def test_account_pages_render_for_a_member(client):
    user = member(username="pages")
    client.force_login(user)
    for name in ("account_email", "account_change_password", "accounts:close"):
        assert client.get(reverse(name)).status_code == 200
    client.logout()
    for name in ("account_signup", "account_reset_password", "accounts:login"):
        assert client.get(reverse(name)).status_code == 200
