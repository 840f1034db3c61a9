"""Reads for imports and exports: exports follow who may read the version (``version.view``)."""

from __future__ import annotations

from drafts import selectors as draft_selectors
from drafts.models import DraftVersion
from stakeholders.models import Organisation
from stakeholders.policies import actor_for

from .models import ImportUpload


def acting_organisation(user) -> Organisation | None:
    """The organisation ``user`` acts for: a new draft they import is led by it."""
    org_id = actor_for(user).acting_org_id
    return Organisation.objects.filter(pk=org_id).first() if org_id else None


def exportable_version(*, user, slug: str, number: int) -> DraftVersion | None:
    """The version ``number`` of draft ``slug`` if ``user`` may read it, with its provisions.

    ``version.provisions_live`` holds its live provisions in document order. None when it
    does not exist or the user may not read it (a working version, for most people).
    """
    found = draft_selectors.draft_for_reading(user=user, slug=slug)
    if found is None:
        return None
    _draft, versions = found
    version = next((v for v in versions if v.number == number), None)
    if version is not None:
        version.provisions_live = draft_selectors.provisions_for_reading(version)
    return version


def exportable_version_by_pk(*, user, pk) -> DraftVersion | None:
    version = draft_selectors.readable_version(user=user, pk=pk)
    if version is not None:
        version.provisions_live = draft_selectors.provisions_for_reading(version)
    return version


def redline_pair(*, user, slug: str, old: int, new: int):
    """Two readable versions of one draft, (old, new), or None."""
    found = draft_selectors.draft_for_reading(user=user, slug=slug)
    if found is None:
        return None
    _draft, versions = found
    by_number = {v.number: v for v in versions}
    if old not in by_number or new not in by_number or old == new:
        return None
    return by_number[old], by_number[new]


def own_upload(*, user, pk) -> ImportUpload | None:
    """An upload of ``user`` (only its uploader sees its preview), with its draft and ministry."""
    if not user.is_authenticated:
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        ImportUpload.objects.select_related("draft", "lead_ministry", "version")
        .filter(pk=pk, uploaded_by=user)
        .first()
    )
