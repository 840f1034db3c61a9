"""Optional TOTP two-factor sign-in for drafters, officials and staff."""

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def code_for(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture(autouse=True)
def no_throttle(settings):
    """A wrong code delays the next try (tested below); most tests retry at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def drafter_with_device(consultation):
    device = TOTPDevice.objects.create(user=consultation.drafter, name="phone", confirmed=True)
    return consultation.drafter, device


def sign_in(client, username):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("stakeholder_a", False),
        ("moderator", False),
        ("drafter", True),
        ("official", True),
        ("admin", True),
    ],
)
def test_offered_to_drafters_officials_and_staff(client, consultation, role, offered):
    client.force_login(getattr(consultation, role))
    response = client.get(reverse("accounts:two_factor"))
    assert response.status_code == (200 if offered else 403)
    page = client.get(reverse("accounts:organisations")).content.decode()
    assert (reverse("accounts:two_factor") in page) is offered


def test_set_up_with_a_qr_code_then_confirm(client, consultation):
    c = consultation
    client.force_login(c.official)
    page = client.get(reverse("accounts:two_factor"))
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    device = TOTPDevice.objects.get(user=c.official)
    assert not device.confirmed
    assert "otpauth://" not in html  # the secret is in the image and the key only
    wrong = client.post(reverse("accounts:two_factor"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    right = client.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    assert right.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert "is on" in client.get(reverse("accounts:two_factor")).content.decode()


def test_sign_in_asks_for_the_code(client, drafter_with_device):
    user, device = drafter_with_device
    response = sign_in(client, user.username)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    # Nothing else is reachable yet, on the web or the API.
    blocked = client.get(reverse("comments:draft_list"))
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(reverse("accounts:two_factor_verify"))
    api = client.get(reverse("api:me"))
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "two_factor_required"
    wrong = client.post(reverse("accounts:two_factor_verify"), {"code": "123456", "next": "/"})
    assert wrong.status_code == 400
    assert client.get(reverse("comments:draft_list")).status_code == 302
    right = client.post(
        reverse("accounts:two_factor_verify"),
        {"code": code_for(device), "next": reverse("comments:moderation")},
    )
    assert right.status_code == 302
    assert right["Location"] == reverse("comments:moderation")
    assert client.get(reverse("comments:draft_list")).status_code == 200
    assert client.get(reverse("api:me")).status_code == 200


def test_the_code_page_does_not_redirect_off_site(client, drafter_with_device):
    user, device = drafter_with_device
    sign_in(client, user.username)
    response = client.post(
        reverse("accounts:two_factor_verify"),
        {"code": code_for(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("comments:draft_list")


def test_sign_out_is_possible_before_the_code(client, drafter_with_device):
    user, _device = drafter_with_device
    sign_in(client, user.username)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_others_sign_in_with_the_password_alone(client, consultation):
    response = sign_in(client, consultation.stakeholder_a.username)
    assert response.status_code == 302
    assert not response["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert client.get(reverse("comments:draft_list")).status_code == 200


def test_turning_it_off_needs_a_code(client, drafter_with_device):
    user, device = drafter_with_device
    sign_in(client, user.username)
    client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    refused = client.post(reverse("accounts:two_factor"), {"code": "000000"})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=user).exists()
    done = client.post(reverse("accounts:two_factor"), {"code": code_for(device, offset=1)})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_wrong_codes_slow_down_guessing(client, drafter_with_device, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 30
    user, device = drafter_with_device
    sign_in(client, user.username)
    client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
    # Even the right code is refused while the device is throttled.
    refused = client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    assert refused.status_code == 400
    assert client.get(reverse("comments:draft_list")).status_code == 302
