"""Back up, restore into a fresh database, and find every comment and the packet file there.

On PostgreSQL (DATABASE_URL is postgres, as in CI) the restore goes into a scratch
database created for the test; on SQLite into a new file. The restore runs as
`manage.py restore` in another process pointed at that database, as an operator would.
"""

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from comments import services as comment_services
from packets.models import Packet

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n% a packet for the backup test\n%%EOF\n"

pytestmark = pytest.mark.django_db(transaction=True)


def _postgres_url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def scratch_database(tmp_path):
    """An empty database of the same kind as the test database: (DATABASE_URL, reader)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def read(sql):
            with sqlite3.connect(path) as db:
                return db.execute(sql).fetchall()

        yield f"sqlite:///{path}", read
        return

    import psycopg

    name = f"portal_restore_{uuid.uuid4().hex[:10]}"
    admin_url = _postgres_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def read(sql):
        with psycopg.connect(_postgres_url(name)) as db:
            return db.execute(sql).fetchall()

    try:
        yield _postgres_url(name), read
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restore(archive, database_url, media_root, *extra):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url,
        "TEST_MEDIA_ROOT": str(media_root),
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "restore", str(archive), *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_backup_then_restore_into_a_fresh_database(consultation, tmp_path, scratch_database):
    c = consultation
    bodies = []
    for i, article in enumerate(list(c.articles.values())[:3]):
        body = f"Comment {i} to keep: who keeps the register of article {article.pk}?"
        comment = comment_services.comment_create(
            by=c.stakeholder_a, version=c.version, provision=article, body=body
        )
        bodies.append(body)
        reply = f"Reply {i}: the ministry does."
        comment_services.comment_reply(by=c.stakeholder_b, parent=comment, body=reply)
        bodies.append(reply)
    file_name = default_storage.save(
        f"packets/backup-test-{uuid.uuid4().hex}.pdf", ContentFile(PDF)
    )
    packet = Packet.objects.create(
        version=c.version,
        language="en",
        fingerprint="f" * 64,
        status=Packet.Status.READY,
        file=file_name,
        requested_by=c.official,
        page_count=1,
        size_bytes=len(PDF),
    )

    archive = tmp_path / "portal.tar.gz"
    call_command("backup", output=str(archive))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert f"media/{file_name}" in names
    assert manifest["counts"]["comments"] == len(bodies)
    assert manifest["counts"]["packets"] == 1
    assert manifest["migrations"]["packets"].startswith("0")
    assert manifest["app_version"]

    database_url, read = scratch_database
    media_root = tmp_path / "restored-media"
    result = _restore(archive, database_url, media_root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(checked)" in result.stdout

    restored = {body for (body,) in read("SELECT body FROM comments_comment")}
    assert restored == set(bodies)
    table = Packet._meta.db_table
    [(restored_file,)] = read(f"SELECT file FROM {table} WHERE id = {packet.pk}")  # noqa: S608
    assert restored_file == file_name
    assert (media_root / file_name).read_bytes() == PDF

    # The database is no longer empty: a second restore is refused without --force.
    again = _restore(archive, database_url, media_root)
    assert again.returncode != 0
    assert "not empty" in again.stderr
    forced = _restore(archive, database_url, media_root, "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert len(read("SELECT id FROM comments_comment")) == len(bodies)


def test_restore_refuses_an_archive_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        tar.add(__file__, arcname="notes.py")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no manifest"):
        call_command("restore", str(bogus))
