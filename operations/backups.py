"""Back up the portal to one archive, and restore it into an empty database.

The archive (tar.gz) holds:

- ``manifest.json``: when, the app's version, the last applied migration of each
  app, the counts of comments, dispositions and packets, and every media file's
  name and size;
- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or
  ``database.sqlite3`` (SQLite, a copy made with sqlite3's online backup API);
- ``media/<name>`` for every file of Django's default storage (local or S3).

On PostgreSQL the counts are taken in the same snapshot that pg_dump dumps
(``pg_export_snapshot`` / ``--snapshot``), so the manifest describes exactly the
dump even while people keep commenting.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from comments.models import Comment, Disposition
from packets.models import Packet

FORMAT = 1
COUNTED = {"comments": Comment, "dispositions": Disposition, "packets": Packet}


class BackupError(Exception):
    pass


def _app_version() -> str:
    with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("app", "name").values_list(
        "app", "name"
    ):
        latest[app] = name  # names are numbered: the last in order is the newest
    return latest


def _counts() -> dict[str, int]:
    return {key: model._base_manager.count() for key, model in COUNTED.items()}


def _pg_env(db: dict) -> dict[str, str]:
    env = {**os.environ}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(args: list[str], env: dict) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed: {result.stderr.strip()[-2000:]}")


def _media_names(folder: str = "") -> list[str]:
    """Every file in the default storage, walking folders (works for S3 prefixes too)."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{f}" if folder else f for f in files]
    for sub in folders:
        names += _media_names(f"{folder}/{sub}" if folder else sub)
    return sorted(names)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _dump_database(work: Path) -> tuple[str, dict[str, int], dict[str, str]]:
    """Dump the database into ``work``; returns (file name, counts, migrations) of the dump."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        target = work / "database.sqlite3"
        source = sqlite3.connect(db["NAME"])
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # consistent even while the portal writes
        finally:
            source.close()
            copy.close()
        counts, migrations = _sqlite_facts(target)
        return target.name, counts, migrations
    if connection.vendor != "postgresql":
        raise BackupError(f"backups support PostgreSQL and SQLite, not {connection.vendor}")
    target = work / "database.dump"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts, migrations = _counts(), _migrations()
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
                f"--dbname={db['NAME']}",
            ],
            _pg_env(db),
        )
    return target.name, counts, migrations


def _sqlite_facts(path: Path) -> tuple[dict[str, int], dict[str, str]]:
    copy = sqlite3.connect(path)
    try:
        counts = {
            key: copy.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"').fetchone()[0]  # noqa: S608
            for key, model in COUNTED.items()
        }
        migrations: dict[str, str] = {}
        for app, name in copy.execute("SELECT app, name FROM django_migrations ORDER BY app, name"):
            migrations[app] = name
    finally:
        copy.close()
    return counts, migrations


@dataclass
class Summary:
    path: Path
    manifest: dict


def backup_create(*, output: Path) -> Summary:
    """Write one archive holding the database and every media file, with a manifest."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as tmp:
        work = Path(tmp)
        database_file, counts, migrations = _dump_database(work)
        partial = output.with_name(output.name + ".partial")
        media = []
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work / database_file, arcname=database_file)
            for name in _media_names():
                with default_storage.open(name, "rb") as f:
                    data = f.read()
                _add_bytes(tar, f"media/{name}", data)
                media.append({"name": name, "size": len(data)})
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "app_version": _app_version(),
                "database": {"vendor": connection.vendor, "file": database_file},
                "migrations": migrations,
                "counts": counts,
                "media": media,
            }
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
        os.replace(partial, output)  # only a complete archive ever has the final name
    return Summary(output, manifest)


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        parts = Path(member.name).parts
        if member.name.startswith("/") or ".." in parts or not member.isfile():
            raise BackupError(f"unexpected entry in the archive: {member.name!r}")
        members.append(member)
    return members


def backup_restore(*, archive: Path, force: bool = False) -> Summary:
    """Restore an archive into the configured database (empty unless ``force``) and storage.

    Then check that the database holds the manifest's counts and every media file
    is back; a mismatch raises BackupError.
    """
    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name: m for m in _safe_members(tar)}
        if "manifest.json" not in members:
            raise BackupError("the archive has no manifest.json: not a portal backup")
        manifest = json.load(tar.extractfile(members["manifest.json"]))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {manifest.get('format')!r}")
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(f"the backup is of {vendor}; this database is {connection.vendor}")
        if not force and not _database_is_empty():
            raise BackupError(
                "the database is not empty; restore into an empty one, or pass --force "
                "to replace what it holds"
            )
        with tempfile.TemporaryDirectory(prefix="portal-restore-") as tmp:
            database_file = Path(tmp) / manifest["database"]["file"]
            source = tar.extractfile(members[manifest["database"]["file"]])
            with source, open(database_file, "wb") as dst:
                shutil.copyfileobj(source, dst)
            _restore_database(database_file, force=force)
        for item in manifest["media"]:
            name = item["name"]
            if default_storage.exists(name):
                default_storage.delete(name)
            with tar.extractfile(members[f"media/{name}"]) as f:
                saved = default_storage.save(name, File(f, name=name))
            if saved != name:
                raise BackupError(f"media file {name!r} was saved as {saved!r}")
    _verify(manifest)
    return Summary(Path(archive), manifest)


def _restore_database(path: Path, *, force: bool) -> None:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.close()
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(path)
        target = sqlite3.connect(db["NAME"])
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    connection.close()
    args = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
    if force:
        args += ["--clean", "--if-exists"]
    _run([*args, f"--dbname={db['NAME']}", str(path)], _pg_env(db))


def _verify(manifest: dict) -> None:
    counts = _counts()
    if counts != manifest["counts"]:
        raise BackupError(f"restored counts {counts} differ from the manifest {manifest['counts']}")
    for item in manifest["media"]:
        if not default_storage.exists(item["name"]):
            raise BackupError(f"media file {item['name']!r} is missing after the restore")
        if default_storage.size(item["name"]) != item["size"]:
            raise BackupError(f"media file {item['name']!r} has the wrong size after the restore")
