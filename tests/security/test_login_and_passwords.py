"""Sign-in brute force is stopped by django-axes; passwords must be strong."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def attempt(client, username, password, ip="203.0.113.7"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5)
def test_five_wrong_passwords_lock_the_account_from_that_address(client):
    UserFactory(username="minister")
    for _ in range(4):
        response = attempt(client, "minister", "wrong guess")
        assert response.status_code == 200  # the form again, with its error
    locked = attempt(client, "minister", "wrong guess")
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    # Even the right password is refused while locked, and nobody is signed in.
    again = attempt(client, "minister", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not affected: a stranger cannot lock a minister out everywhere.
    other = attempt(client, "minister", PASSWORD, ip="198.51.100.9")
    assert other.status_code == 302
    assert client.session["_auth_user_id"]


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5)
def test_a_successful_sign_in_resets_the_count(client):
    UserFactory(username="clerk")
    for _ in range(4):
        attempt(client, "clerk", "nope")
    assert attempt(client, "clerk", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "clerk", "nope").status_code == 200
    assert attempt(client, "clerk", PASSWORD).status_code == 302


@override_settings(AXES_ENABLED=True)
def test_lockout_page_is_translated(client):
    UserFactory(username="ministre")
    client.cookies["django_language"] = "km"
    for _ in range(5):
        response = attempt(client, "ministre", "wrong")
    assert response.status_code == 429
    html = response.content.decode()
    assert 'lang="km"' in html
    assert "ការព្យាយាមចូលគណនីច្រើនដងពេក" in html  # "Too many sign-in attempts"
    assert "Too many sign-in attempts" not in html


@pytest.mark.parametrize(
    "password",
    ["short1!", "password1234", "123456789012", "clerk-clerk-clerk"],
)
def test_weak_passwords_are_refused(password):
    user = UserFactory.build(username="clerk-clerk-clerk", email="clerk@example.org")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_passphrase_is_accepted():
    user = UserFactory.build(username="clerk", email="clerk@example.org")
    validate_password("mekong river at dawn, 2026", user)
