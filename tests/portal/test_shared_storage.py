"""Every file the portal writes goes through shared (S3) storage when a bucket is named.

On several machines a packet is built by any worker and downloaded through any web
server, so nothing may assume a local path. moto's in-process S3 stands in for the
bucket; bench/scaleout.py shows the same with real processes and moto's server.
"""

import io

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from moto import mock_aws
from pypdf import PdfReader

from comments import services as comment_services
from packets import services as packet_services
from packets.models import Packet
from portal import health
from public import services as public_services
from tests.comments import sample_files
from tests.packets.conftest import tell_story

pytestmark = pytest.mark.django_db

BUCKET = "portal-shared-test"
REGION = "eu-west-1"


@pytest.fixture
def bucket(settings, monkeypatch, tmp_path):
    """The default storage as base.py configures it when PACKET_STORAGE_BUCKET is set."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": REGION,
                    "default_acl": "private",
                    "querystring_auth": True,
                },
            },
        }
        yield s3


def s3_keys(s3) -> set[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def s3_bytes(s3, key: str) -> bytes:
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def local_files(settings) -> list:
    from pathlib import Path

    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_packet_is_built_into_the_bucket_and_downloaded_from_it(
    bucket, consultation, monkeypatch, settings
):
    from packets import tasks

    monkeypatch.setattr(tasks.packet_build, "delay", lambda packet_id: None)
    story = tell_story(consultation)
    packet = packet_services.packet_request(
        version=story.version, by=consultation.official, language="en"
    )
    token, count = packet_services.packet_build_start(packet_id=packet.pk)
    for index in range(count):
        packet_services.packet_render_part(packet_id=packet.pk, token=token, index=index)
    merge_token = Packet.objects.get(pk=packet.pk).merge_token
    packet_services.packet_finish(packet_id=packet.pk, token=token, merge_token=merge_token)
    packet = Packet.objects.get(pk=packet.pk)

    assert packet.status == Packet.Status.READY, packet.error
    # Only the finished file is left: the parts and the temporary merge are gone.
    assert s3_keys(bucket) == {packet.file.name}
    response = logged_in(consultation.official).get(reverse("packets:download", args=[packet.pk]))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert body == s3_bytes(bucket, packet.file.name)
    assert len(PdfReader(io.BytesIO(body)).pages) == packet.page_count
    assert not packet_services.packet_file_missing(packet)
    assert local_files(settings) == []


def test_an_attachment_is_stored_in_the_bucket_and_downloaded_from_it(
    bucket, consultation, settings
):
    pdf = sample_files.pdf()
    comment = comment_services.comment_create(
        by=consultation.stakeholder_a,
        version=consultation.version,
        provision=consultation.article,
        body="See our paper.",
        attachments=[SimpleUploadedFile("paper.pdf", pdf, content_type="application/pdf")],
    )
    attachment = comment.attachments.get()

    assert s3_bytes(bucket, attachment.file.name) == pdf
    response = logged_in(consultation.stakeholder_b).get(
        reverse("comments:attachment", args=[attachment.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
    assert local_files(settings) == []


def test_open_data_is_written_to_the_bucket_and_served_from_it(bucket, consultation, settings):
    story = tell_story(consultation)
    release = public_services.open_data_publish(draft=story.version.draft)

    assert release.files
    assert {entry["path"] for entry in release.files.values()} <= s3_keys(bucket)
    name, entry = next(iter(release.files.items()))
    response = Client().get(reverse("public:open_data_file", args=[story.version.draft.slug, name]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == s3_bytes(bucket, entry["path"])
    assert local_files(settings) == []


def test_readiness_asks_the_bucket_and_says_when_it_is_gone(bucket):
    """S3Storage has ``location`` and ``path`` too; taken for a folder, it was always "down"."""
    assert default_storage.__class__.__name__ == "S3Storage"
    health.check_storage()

    bucket.delete_bucket(Bucket=BUCKET)
    with pytest.raises(Exception, match="NoSuchBucket"):
        health.check_storage()
