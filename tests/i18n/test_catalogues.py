"""Both languages are first-class: every interface string has its Khmer translation."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

CATALOGUES = sorted(
    path
    for locale_dir in settings.LOCALE_PATHS
    for path in Path(locale_dir).glob("km/LC_MESSAGES/*.po")
)


def test_there_are_khmer_catalogues():
    assert any(path.parts[-4] == "locale" for path in CATALOGUES)


@pytest.mark.parametrize(
    "catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR))
)
def test_catalogue_is_complete(catalogue):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is installed by scripts/setup"
    result = subprocess.run(  # noqa: S603
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(catalogue)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages\.", statistics), statistics


SOURCE_DIRS = (
    "core",
    "stakeholders",
    "drafts",
    "comments",
    "packets",
    "desk",
    "notifications",
    "audit",
    "demo",
    "portal",
    "templates",
)


def test_every_string_in_the_code_is_in_the_khmer_catalogue(tmp_path, settings):
    """A string that never reached the catalogue shows in English on the Khmer site, and the
    completeness check above cannot see it. Extract the strings afresh (as `make messages`
    does) into a copy of the catalogue: nothing may come out untranslated or fuzzy."""
    root = Path(settings.BASE_DIR)
    for name in SOURCE_DIRS:
        if (root / name).is_dir():
            shutil.copytree(
                root / name,
                tmp_path / name,
                ignore=shutil.ignore_patterns("__pycache__", "migrations", "locale_django"),
            )
    catalogue = tmp_path / "locale" / "km" / "LC_MESSAGES" / "django.po"
    catalogue.parent.mkdir(parents=True)
    shutil.copy(root / "locale" / "km" / "LC_MESSAGES" / "django.po", catalogue)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    previous = Path.cwd()
    os.chdir(tmp_path)
    try:
        call_command("makemessages", locale=["km"], no_obsolete=True, verbosity=0)
    finally:
        os.chdir(previous)
    result = subprocess.run(  # noqa: S603
        [shutil.which("msgfmt"), "--statistics", "-o", "/dev/null", str(catalogue)],
        capture_output=True,
        text=True,
        check=False,
    )
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages\.", statistics), (
        f"{statistics}: run `make messages` and translate the new strings"
    )


def test_draft_list_and_reading_view_in_khmer(client, consultation):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    listing = client.get(reverse("comments:draft_list")).content.decode()
    assert 'lang="km"' in listing
    assert "ដែលបើកសម្រាប់ការពិគ្រោះយោបល់" in listing  # "... open to consultation"
    assert "រំលងទៅខ្លឹមសារ" in listing  # "Skip to content"
    reading = client.get(reverse("comments:read", args=[consultation.draft.slug])).content.decode()
    assert "មាតិកា" in reading  # "Contents"
    assert "ចូលគណនី" in reading  # "Sign in"
    english = client.get(
        reverse("comments:draft_list"), HTTP_COOKIE="django_language=en"
    ).content.decode()
    assert 'lang="en"' in english
