from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD


def _token(client, **data):
    return client.post(reverse("api:auth-token"), data, format="json")


def test_password_gives_a_token_that_replaces_the_old_one(consultation):
    client = APIClient()
    first = _token(client, username="alice", password=PASSWORD)
    assert first.status_code == 200
    second = _token(client, username="alice", password=PASSWORD)
    assert second.status_code == 200
    assert second.json()["token"] != first.json()["token"]
    assert list(
        Token.objects.filter(user=consultation.stakeholder_a).values_list("key", flat=True)
    ) == [second.json()["token"]]
    me = APIClient(HTTP_AUTHORIZATION=f"Token {second.json()['token']}").get(reverse("api:me"))
    assert me.status_code == 200
    assert me.json()["username"] == "alice"


def test_wrong_password_is_a_structured_401_and_no_token(consultation):
    response = _token(APIClient(), username="alice", password="not the password")
    assert response.status_code in (401, 403)
    assert "message" in response.json()["error"]
    assert not Token.objects.exists()


def test_two_factor_accounts_need_the_code(consultation):
    device = TOTPDevice.objects.create(
        user=consultation.drafter, name="authenticator", confirmed=True
    )
    client = APIClient()
    refused = _token(client, username="drafter", password=PASSWORD)
    assert refused.status_code in (401, 403)
    assert "otp_code" in refused.json()["error"]["message"]
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    accepted = _token(client, username="drafter", password=PASSWORD, otp_code=code)
    assert accepted.status_code == 200
    assert accepted.json()["token"]
