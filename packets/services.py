"""Writes for review packets: requesting, building, failing, retrying.

The web view, the API and the consultation calendar (``by=None``: the system,
to which policies do not apply) all call ``packet_request``. It returns at
once: the build runs in Celery (see ``tasks``), announced by a ``packet.requested``
event written to the outbox in the request's transaction (``core.events``).

A build goes: ``packet_build_start`` (claims the packet under a fresh build
token and plans its parts) → ``packet_render_part`` for every part, in
parallel → ``packet_finish`` (front matter, merge, header and footer, file
moved into place, marked ready last). Every step is idempotent and checks the
token, so a redelivered task after a killed worker, or a part of an earlier
interrupted attempt, can do no harm.
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.events import emit
from drafts.models import DraftVersion
from stakeholders.policies import ensure_can

from . import metrics
from .fingerprint import packet_fingerprint
from .models import Packet

logger = logging.getLogger(__name__)

WORK_DIR = "packets/work"


def max_attempts() -> int:
    return int(settings.PORTAL.get("PACKET_MAX_ATTEMPTS", 3))


def stuck_after() -> timedelta:
    """A build that has shown no progress for longer than a task may run is stuck."""
    return timedelta(seconds=int(settings.CELERY_TASK_TIME_LIMIT) + 60)


def packet_is_stuck(packet: Packet, now=None) -> bool:
    if packet.status not in (Packet.Status.QUEUED, Packet.Status.BUILDING):
        return False
    now = now or timezone.now()
    last = packet.heartbeat_at or packet.started_at or packet.created_at
    return last is not None and now - last > stuck_after()


def packet_can_retry(packet: Packet) -> bool:
    return packet.status == Packet.Status.FAILED or packet_is_stuck(packet)


def _enqueue_build(packet: Packet) -> None:
    """Announce the build through the outbox, in this transaction.

    The listener (``listeners.build_requested_packet``) enqueues it after commit;
    with the broker down the event waits for the relay, and the packet stays
    "queued" until it is built: the request itself never fails for it.
    """
    emit("packet.requested", packet_id=packet.pk)


def _clean_compare_to(version: DraftVersion, compare_to: DraftVersion | None):
    if compare_to is None:
        return None
    if compare_to.draft_id != version.draft_id or compare_to.number >= version.number:
        raise DomainError(
            _("A packet can show changes only against an earlier version of the same draft."),
            field="compare_to",
        )
    if compare_to.status == DraftVersion.Status.WORKING:
        raise DomainError(_("Compare with a published version."), field="compare_to")
    return compare_to


def packet_request(
    *,
    version: DraftVersion,
    by,
    language: str = Packet.Language.BOTH,
    compare_to: DraftVersion | None = None,
    include_restricted: bool = False,
) -> Packet:
    """Ask for a review packet of ``version``; returns at once.

    When a packet with the same fingerprint exists (queued, building or
    ready) it is returned as is (``packet.reused`` is True): nothing changed,
    nothing is built. A failed one with the same fingerprint is queued again.
    ``by=None`` is the consultation calendar (the system), for which the
    permission rules do not apply.
    """
    if by is not None:
        ensure_can(by, "packet.request", version)
        if include_restricted:
            ensure_can(by, "packet.include_restricted", version)
    elif version.status == DraftVersion.Status.WORKING:
        raise DomainError(_("Packets are built for published versions."))
    if language not in Packet.Language.values:
        raise DomainError(_("Choose English, Khmer or both."), field="language")
    compare_to = _clean_compare_to(version, compare_to)
    include_restricted = bool(include_restricted)
    fingerprint = packet_fingerprint(
        version=version,
        compare_to=compare_to,
        language=language,
        include_restricted=include_restricted,
    )
    with transaction.atomic():
        # One request at a time per version, so two identical requests never both build.
        DraftVersion.objects.select_for_update().filter(pk=version.pk).first()
        existing = (
            Packet.objects.select_for_update()
            .filter(version=version, fingerprint=fingerprint)
            .order_by("-created_at", "-pk")
        )
        live = next((p for p in existing if p.status != Packet.Status.FAILED), None)
        if live is not None:
            live.reused = True
            return live
        failed = next(iter(existing), None)
        if failed is not None:
            _requeue(failed)
            failed.reused = True
            return failed
        packet = Packet.objects.create(
            version=version,
            compare_to=compare_to,
            language=language,
            include_restricted=include_restricted,
            fingerprint=fingerprint,
            requested_by=by,
            status=Packet.Status.QUEUED,
            progress=_("Waiting for a worker"),
            heartbeat_at=timezone.now(),
        )
        packet.reused = False
        _enqueue_build(packet)
    return packet


def _requeue(packet: Packet) -> None:
    packet.status = Packet.Status.QUEUED
    packet.error = ""
    packet.progress = _("Waiting for a worker")
    packet.build_token = ""
    packet.attempts = 0
    packet.parts_done = 0
    packet.heartbeat_at = timezone.now()
    packet.save()
    _enqueue_build(packet)


def packet_retry(*, packet: Packet, by) -> Packet:
    """Build a failed packet, or one stuck in "building", again."""
    ensure_can(by, "packet.download", packet)
    with transaction.atomic():
        packet = Packet.objects.select_for_update().get(pk=packet.pk)
        if not packet_can_retry(packet):
            raise DomainError(
                _("Only a failed packet, or one that has stopped making progress, can be retried.")
            )
        _requeue(packet)
    return packet


# --- storage ------------------------------------------------------------------------


def work_prefix(packet_id: int, token: str) -> str:
    return f"{WORK_DIR}/{packet_id}/{token}"


def part_name(packet_id: int, token: str, index: int) -> str:
    return f"{work_prefix(packet_id, token)}/part-{index:04d}.pdf"


def final_name(packet: Packet) -> str:
    version = packet.version
    return (
        f"packets/{version.draft.slug}-v{version.number}-{packet.language}"
        f"-{packet.fingerprint[:16]}-{packet.pk}.pdf"
    )


def _save_exact(name: str, content) -> str:
    """Save under exactly ``name``, replacing what an interrupted attempt left there."""
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, content)
    if saved != name:  # pragma: no cover - another writer raced us to the name
        raise RuntimeError(f"storage saved {saved!r} instead of {name!r}")
    return saved


def _local_path(name: str) -> str | None:
    try:
        return default_storage.path(name)
    except NotImplementedError:
        return None


def move_into_place(temporary: str, final: str) -> str:
    """Publish a finished file: a rename on local disk, a copy then delete elsewhere (S3).

    Either way the final name never holds a half-written file.
    """
    source = _local_path(temporary)
    target = _local_path(final)
    if source and target:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.replace(source, target)
        return final
    with default_storage.open(temporary, "rb") as handle:
        _save_exact(final, File(handle, name=os.path.basename(final)))
    default_storage.delete(temporary)
    return final


def cleanup_work(packet_id: int) -> None:
    """Delete the working files of every attempt of a packet."""
    prefix = f"{WORK_DIR}/{packet_id}"

    def walk(path):
        try:
            directories, files = default_storage.listdir(path)
        except (FileNotFoundError, NotADirectoryError):
            return
        for name in files:
            default_storage.delete(f"{path}/{name}")
        for directory in directories:
            walk(f"{path}/{directory}")
        local = _local_path(path)
        if local and os.path.isdir(local):
            try:
                os.rmdir(local)
            except OSError:
                logger.debug("work folder %s not empty", local)

    walk(prefix)


# --- the build ------------------------------------------------------------------------


def _touch(packet_id: int, token: str, **fields) -> int:
    """Write progress of the current build only (Packet keeps no history; update is safe)."""
    return Packet.objects.filter(
        pk=packet_id, build_token=token, status=Packet.Status.BUILDING
    ).update(heartbeat_at=timezone.now(), **fields)


def packet_build_start(*, packet_id: int) -> tuple[str, int] | None:
    """Claim a packet for a new build attempt; returns (token, number of parts) or None.

    None when there is nothing to do: the packet is ready, failed, or gone.
    A packet found "building" was interrupted (its worker died): it is built
    again under a new token, up to PORTAL["PACKET_MAX_ATTEMPTS"] attempts.
    """
    from .rendering import PacketDocument, packet_language

    with transaction.atomic():
        packet = (
            Packet.objects.select_for_update(of=("self",))
            .select_related("version__draft", "compare_to")
            .filter(pk=packet_id)
            .first()
        )
        if packet is None or packet.status in (Packet.Status.READY, Packet.Status.FAILED):
            return None
        if packet.attempts >= max_attempts():
            _fail(
                packet,
                _("The build was interrupted %(n)s times; retry it from this page.")
                % {"n": packet.attempts},
            )
            return None
        # What is built is what the content is now; a change since the request
        # makes this a packet of the new content.
        packet.fingerprint = packet_fingerprint(
            version=packet.version,
            compare_to=packet.compare_to,
            language=packet.language,
            include_restricted=packet.include_restricted,
        )
        with translation.override(packet_language(packet)):
            parts = PacketDocument(packet).parts
        packet.status = Packet.Status.BUILDING
        packet.build_token = uuid.uuid4().hex
        packet.attempts += 1
        packet.started_at = packet.heartbeat_at = timezone.now()
        packet.parts_total = len(parts)
        packet.parts_done = 0
        packet.error = ""
        packet.progress = _("Planned %(n)s parts") % {"n": len(parts)}
        packet.save()
    cleanup_work(packet.pk)
    return packet.build_token, len(parts)


def _part_progress(doc, part: dict) -> str:
    from .rendering import SECTION_TITLES

    section = SECTION_TITLES[part["section"]]()
    if not part["units"]:
        return _("Rendering the %(section)s") % {"section": section.lower()}
    return _("Rendering chapter %(n)s of %(total)s (%(section)s)") % {
        "n": part["units"][0] + 1,
        "total": len(doc.units),
        "section": section.lower(),
    }


def packet_render_part(*, packet_id: int, token: str, index: int) -> dict | None:
    """Render one part to the work folder; returns what the merge needs, or None if stale."""
    from .rendering import PacketDocument, packet_language, render_part

    packet = (
        Packet.objects.select_related("version__draft", "compare_to").filter(pk=packet_id).first()
    )
    if packet is None or packet.build_token != token or packet.status != Packet.Status.BUILDING:
        return None
    with translation.override(packet_language(packet)):
        doc = PacketDocument(packet)
        part = doc.parts[index]
        _touch(packet_id, token, progress=_part_progress(doc, part))
        pdf, result = render_part(doc, index)
    name = _save_exact(part_name(packet_id, token, index), ContentFile(pdf))
    del pdf
    _touch(packet_id, token, parts_done=F("parts_done") + 1)
    return {**result.as_dict(), "name": name}


def packet_finish(*, packet_id: int, token: str, results: list[dict | None]) -> bool:
    """Merge the parts, stamp the pages, move the file into place and mark the packet ready.

    If the content changed while the parts were rendering (a comment posted
    meanwhile), the result would not match its fingerprint: the packet is
    built again instead.
    """
    from .rendering import PacketDocument, merge, packet_language, render_front

    packet = (
        Packet.objects.select_related("version__draft", "compare_to").filter(pk=packet_id).first()
    )
    if packet is None or packet.build_token != token or packet.status != Packet.Status.BUILDING:
        return False
    if any(result is None for result in results):
        return False
    _touch(packet_id, token, progress=_("Merging %(n)s parts") % {"n": len(results)})
    built_at = timezone.now()
    with translation.override(packet_language(packet)):
        doc = PacketDocument(packet)
        front, _pages, layout = render_front(doc, results, built_at)
        readers = [
            (lambda name=result["name"]: default_storage.open(name, "rb")) for result in results
        ]
        pdf, total = merge(doc, front, readers, results, layout)
    current = packet_fingerprint(
        version=packet.version,
        compare_to=packet.compare_to,
        language=packet.language,
        include_restricted=packet.include_restricted,
    )
    if current != packet.fingerprint:
        with transaction.atomic():
            claimed = Packet.objects.select_for_update().get(pk=packet_id)
            if claimed.build_token == token:
                claimed.status = Packet.Status.QUEUED
                claimed.progress = _("The comments changed during the build; building again")
                claimed.build_token = ""
                claimed.save()
                _enqueue_build(claimed)
        return False
    temporary = _save_exact(f"{work_prefix(packet_id, token)}/packet.pdf.partial", ContentFile(pdf))
    size = len(pdf)
    del pdf
    final = move_into_place(temporary, final_name(packet))
    with transaction.atomic():
        claimed = Packet.objects.select_for_update().get(pk=packet_id)
        if claimed.build_token != token or claimed.status != Packet.Status.BUILDING:
            default_storage.delete(final)
            return False
        claimed.file.name = final
        claimed.page_count = total
        claimed.size_bytes = size
        claimed.finished_at = timezone.now()
        claimed.progress = _("Ready: %(pages)s pages") % {"pages": total}
        claimed.heartbeat_at = claimed.finished_at
        claimed.status = Packet.Status.READY  # last: only a complete file is ever "ready"
        claimed.save()
        emit("packet.ready", packet_id=packet_id)
        transaction.on_commit(lambda: metrics.build_finished(claimed))
    cleanup_work(packet_id)
    return True


def _fail(packet: Packet, reason: str) -> None:
    packet.status = Packet.Status.FAILED
    packet.error = reason
    packet.progress = ""
    packet.finished_at = timezone.now()
    packet.save()
    emit("packet.failed", packet_id=packet.pk)
    transaction.on_commit(metrics.build_failed)


def packet_fail(*, packet_id: int, reason: str, token: str | None = None) -> bool:
    """Mark a build failed with the reason shown on its page (not a ready packet)."""
    with transaction.atomic():
        packet = Packet.objects.select_for_update().filter(pk=packet_id).first()
        if packet is None or packet.status in (Packet.Status.READY, Packet.Status.FAILED):
            return False
        if token is not None and packet.build_token not in ("", token):
            return False
        _fail(packet, reason)
    cleanup_work(packet_id)
    return True


def packet_request_for_closed_version(*, version_id: int) -> Packet | None:
    """The consultation calendar's packet when a consultation closes: both languages, everything.

    Requested by the system; asking twice gives the same packet (same fingerprint).
    """
    version = DraftVersion.objects.select_related("draft").filter(pk=version_id).first()
    if version is None or version.status == DraftVersion.Status.WORKING:
        return None
    return packet_request(
        version=version,
        by=None,
        language=Packet.Language.BOTH,
        compare_to=version.parent if version.parent and version.parent.published_at else None,
        include_restricted=True,
    )
