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
import tempfile
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import DomainError
from core.events import emit
from drafts import services as draft_services
from drafts.models import DraftVersion
from stakeholders.policies import ensure_can

from . import metrics
from .fingerprint import packet_fingerprint
from .models import Packet, PacketPart, Transmission

logger = logging.getLogger(__name__)

WORK_DIR = "packets/work"


def max_attempts() -> int:
    return int(settings.PORTAL.get("PACKET_MAX_ATTEMPTS", 3))


def stall_after() -> timedelta:
    """A part (or a queued build, or a merge) silent this long has stalled.

    Its task beats when it starts, between steps and when it ends; WeasyPrint
    renders a part in one call, and parts are small (``PACKET_ARTICLES_PER_PART``),
    so a healthy part is never silent this long.
    """
    return timedelta(seconds=int(settings.PORTAL.get("PACKET_PART_STALL_SECONDS", 90)))


def stuck_after() -> timedelta:
    """A build silent for two stall periods is stuck: the recovery has had its turn.

    (A part silent for one period is sent again by ``packets_recover``, which
    runs every 15 s; if nothing moves for another period, no worker is taking
    it, and the person asking is offered a fresh build.)
    """
    return 2 * stall_after()


def packet_is_stuck(packet: Packet, now=None) -> bool:
    """Queued or building, and nothing has moved for ``stuck_after()``."""
    if packet.status not in (Packet.Status.QUEUED, Packet.Status.BUILDING):
        return False
    now = now or timezone.now()
    last = packet.heartbeat_at or packet.started_at or packet.created_at
    return last is not None and now - last > stuck_after()


def packet_file_missing(packet: Packet) -> bool:
    """Ready, but its file is gone from storage (deleted, or a bucket restored without it)."""
    if packet.status != Packet.Status.READY:
        return False
    return not packet.file or not default_storage.exists(packet.file.name)


def packet_problem(packet: Packet) -> str:
    """Why a packet that is not marked failed must be built again; "" when nothing is wrong."""
    if packet_is_stuck(packet):
        return _("The build has stopped making progress.")
    if packet_file_missing(packet):
        return _("The packet file is missing; build it again.")
    return ""


def packet_can_retry(packet: Packet) -> bool:
    return packet.status == Packet.Status.FAILED or bool(packet_problem(packet))


def send_task(task, *args) -> bool:
    """Send a task now; a broker that is away is logged, not raised.

    The row already says what should happen (queued, a part not done), and
    ``packets_recover`` sends it again once the broker is back, so an outage
    neither turns a saved request into a 500 nor loses it.
    """
    try:
        task.delay(*args)
    except Exception:  # kombu's OperationalError, a refused connection, a timeout
        logger.exception("could not send %s%r; the recovery will send it again", task.name, args)
        return False
    return True


def _enqueue_build(packet: Packet) -> None:
    """Announce the build through the outbox, in this transaction.

    The listener (``listeners.build_requested_packet``) enqueues it after commit;
    with the broker down the event waits for the relay, and ``packets_recover``
    sends a queued build again once it has been silent for the stall time (from
    ``dispatched_at``): the request itself never fails for it.
    """
    packet.dispatched_at = timezone.now()
    Packet.objects.filter(pk=packet.pk).update(dispatched_at=packet.dispatched_at)
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
    nothing is built. A failed one with the same fingerprint is queued again,
    and so is one that is stuck (no heartbeat for ``stall_after()``) or ready
    without its file (``packet_problem``): asking again never returns a
    packet that cannot be downloaded.
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
        # Only the version's row (its default ordering would join and lock the draft too).
        DraftVersion.objects.select_for_update(of=("self",)).filter(pk=version.pk).first()
        existing = (
            Packet.objects.select_for_update()
            .filter(version=version, fingerprint=fingerprint)
            .order_by("-created_at", "-pk")
        )
        live = next((p for p in existing if p.status != Packet.Status.FAILED), None)
        if live is not None and packet_problem(live):
            # Stuck, or ready without its file: what is asked for is built again.
            _requeue(live)
            live.reused = False
            return live
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
            stage=Packet.Stage.WAITING,
            heartbeat_at=timezone.now(),
        )
        packet.reused = False
        _enqueue_build(packet)
    return packet


def _requeue(packet: Packet) -> None:
    """Queue a fresh build; what an earlier attempt still runs finds its token gone."""
    packet.status = Packet.Status.QUEUED
    packet.error = packet.error_message = ""
    packet.error_params = {}
    packet.stage = Packet.Stage.WAITING
    packet.build_token = ""
    packet.merge_token = ""
    packet.attempts = packet.rebuilds = packet.merges = 0
    packet.parts_done = 0
    packet.file.name = ""
    packet.page_count = packet.size_bytes = packet.finished_at = None
    packet.heartbeat_at = timezone.now()
    packet.save()
    PacketPart.objects.filter(packet=packet).delete()
    _enqueue_build(packet)


def packet_retry(*, packet: Packet, by) -> Packet:
    """Build again a failed packet, one that stopped making progress, or one whose file is gone."""
    ensure_can(by, "packet.download", packet)
    with transaction.atomic():
        packet = Packet.objects.select_for_update().get(pk=packet.pk)
        if not packet_can_retry(packet):
            raise DomainError(
                _(
                    "Only a failed packet, one that has stopped making progress, or one whose "
                    "file is missing can be retried."
                )
            )
        _requeue(packet)
    return packet


# --- storage ------------------------------------------------------------------------


def work_prefix(packet_id: int, token: str) -> str:
    return f"{WORK_DIR}/{packet_id}/{token}"


def part_name(packet_id: int, token: str, index: int, claim: str) -> str:
    """A part's file: one per task that rendered it, so two never write the same name."""
    return f"{work_prefix(packet_id, token)}/part-{index:04d}-{claim}.pdf"


def final_name(packet: Packet, merge_token: str) -> str:
    """One name per merge: a late merge that loses never overwrites or deletes the winner's file."""
    version = packet.version
    return (
        f"packets/{version.draft.slug}-v{version.number}-{packet.language}"
        f"-{packet.fingerprint[:16]}-{packet.pk}-{merge_token[:8]}.pdf"
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

    None when there is nothing to do: the packet is ready, failed, gone, or
    being built by a live build (a second message for it, a redelivery, does
    nothing). A packet found "building" with a stale heartbeat was interrupted:
    it is built again under a new token, up to PORTAL["PACKET_MAX_ATTEMPTS"]
    attempts. One ``PacketPart`` row per part is made for the new token.
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
        if packet.status == Packet.Status.BUILDING and not _stalled(packet.heartbeat_at):
            return None
        if packet.attempts >= max_attempts():
            _fail(
                packet,
                gettext_noop("The build was interrupted %(n)s times; retry it from this page."),
                {"n": packet.attempts},
            )
            return None
        # What is built is the record as it stands now, the moment this attempt
        # starts (``started_at``); a change since the request makes this a
        # packet of the new content.
        now = timezone.now()
        packet.started_at = now
        packet.fingerprint = packet_fingerprint(
            version=packet.version,
            compare_to=packet.compare_to,
            language=packet.language,
            include_restricted=packet.include_restricted,
            as_of=now,
        )
        with translation.override(packet_language(packet)):
            parts = PacketDocument(packet).parts
        packet.status = Packet.Status.BUILDING
        packet.build_token = uuid.uuid4().hex
        packet.merge_token = ""
        packet.attempts += 1
        packet.merges = 0
        packet.heartbeat_at = packet.dispatched_at = now
        packet.parts_total = len(parts)
        packet.parts_done = 0
        packet.error = packet.error_message = ""
        packet.error_params = {}
        packet.stage = Packet.Stage.RENDERING
        packet.save()
        PacketPart.objects.filter(packet=packet).delete()
        PacketPart.objects.bulk_create(
            PacketPart(packet=packet, token=packet.build_token, index=index, dispatched_at=now)
            for index in range(len(parts))
        )
    cleanup_work(packet.pk)
    return packet.build_token, len(parts)


def _stalled(moment, now=None) -> bool:
    return moment is None or (now or timezone.now()) - moment > stall_after()


def _claim_part(packet_id: int, token: str, index: int, task_id: str | None = None) -> str | None:
    """Take a part to render: not done, of the current build, and nobody alive on it.

    Returns a claim (names this task's file), or None: a duplicate message (a
    recovery of a part that was only slow) renders nothing. The same task
    delivered again (``task_id`` matches) takes over at once: a message is
    handed out again only once its previous run is gone (a killed child; the
    visibility timeout outlasts the hard time limit).
    """
    with transaction.atomic():
        part = (
            PacketPart.objects.select_for_update()
            .filter(packet_id=packet_id, token=token, index=index)
            .first()
        )
        if part is None or part.done_at is not None:
            return None
        if not Packet.objects.filter(
            pk=packet_id, build_token=token, status=Packet.Status.BUILDING
        ).exists():
            return None
        same_message = task_id is not None and part.claimed_by == task_id
        if not same_message and not _stalled(part.heartbeat_at):
            return None
        part.heartbeat_at = timezone.now()
        part.claimed_by = task_id or ""
        part.save(update_fields=["heartbeat_at", "claimed_by"])
    return uuid.uuid4().hex[:8]


def _beat_part(packet_id: int, token: str, index: int) -> None:
    now = timezone.now()
    PacketPart.objects.filter(
        packet_id=packet_id, token=token, index=index, done_at__isnull=True
    ).update(heartbeat_at=now)
    _touch(packet_id, token)


def _delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:  # pragma: no cover - already gone
        logger.debug("could not delete %s", name)


def _part_done(packet_id: int, token: str, index: int, result: dict) -> dict | None:
    """Record a rendered part; the part that completes the set sends the merge, once."""
    from .tasks import packet_finish

    now = timezone.now()
    with transaction.atomic():
        packet = (
            Packet.objects.select_for_update()
            .filter(pk=packet_id, build_token=token, status=Packet.Status.BUILDING)
            .first()
        )
        part = (
            PacketPart.objects.select_for_update()
            .filter(packet_id=packet_id, token=token, index=index)
            .first()
        )
        if packet is None or part is None or part.done_at is not None:
            part = None  # another task finished this part first, or the build moved on
        else:
            part.done_at = part.heartbeat_at = now
            part.result = result
            part.save(update_fields=["done_at", "heartbeat_at", "result"])
            packet.parts_done = PacketPart.objects.filter(
                packet_id=packet_id, token=token, done_at__isnull=False
            ).count()
            packet.heartbeat_at = now
            fields = ["parts_done", "heartbeat_at"]
            if packet.parts_done >= packet.parts_total and not packet.merge_token:
                packet.merge_token = merge_token = uuid.uuid4().hex
                packet.dispatched_at = now
                fields += ["merge_token", "dispatched_at"]
                transaction.on_commit(
                    lambda: send_task(packet_finish, packet_id, token, merge_token)
                )
            packet.save(update_fields=fields)
    if part is None:
        _delete_quietly(result["name"])
        return None
    return result


def packet_render_part(
    *, packet_id: int, token: str, index: int, task_id: str | None = None
) -> dict | None:
    """Render one part to the work folder; returns what the merge needs, or None if stale.

    Beats before and after the render; the last part done sends the merge.
    """
    from .rendering import PacketDocument, packet_language, render_part

    claim = _claim_part(packet_id, token, index, task_id)
    if claim is None:
        return None
    packet = (
        Packet.objects.select_related("version__draft", "compare_to").filter(pk=packet_id).first()
    )
    if packet is None or packet.build_token != token or packet.status != Packet.Status.BUILDING:
        return None
    with translation.override(packet_language(packet)):
        doc = PacketDocument(packet)
        _touch(packet_id, token)
        pdf, result = render_part(doc, index)
    _beat_part(packet_id, token, index)
    name = _save_exact(part_name(packet_id, token, index, claim), ContentFile(pdf))
    del pdf
    return _part_done(packet_id, token, index, {**result.as_dict(), "name": name})


def _claim_merge(packet_id: int, token: str, merge_token: str) -> Packet | None:
    packet = (
        Packet.objects.select_related("version__draft", "compare_to").filter(pk=packet_id).first()
    )
    if (
        packet is None
        or packet.build_token != token
        or packet.merge_token != merge_token
        or packet.status != Packet.Status.BUILDING
    ):
        return None
    return packet


class MergeSuperseded(Exception):
    """The recovery gave this merge's work to a newer merge token: stop, leave it to that one."""


def _beat_merge(packet_id: int, token: str, merge_token: str) -> None:
    """Show the merge is alive, or stop it if it is no longer the current one."""
    alive = Packet.objects.filter(
        pk=packet_id, build_token=token, merge_token=merge_token, status=Packet.Status.BUILDING
    ).update(heartbeat_at=timezone.now())
    if not alive:
        raise MergeSuperseded


def packet_finish(*, packet_id: int, token: str, merge_token: str) -> bool:
    """Merge the parts, stamp the pages, move the file into place and mark the packet ready.

    Runs under the merge token given when the last part was done (or by the
    recovery, when a merge went silent): a merge whose token has been
    replaced, or a redelivered one after the packet is ready, changes nothing
    and deletes only its own file. If the content changed while the parts
    were rendering (a comment posted meanwhile), the result would not match
    its fingerprint: the packet is built again instead. Comments posted after
    the build started are not part of it (``as_of``) and change nothing; an
    edit or a decision on one it holds does. Such rebuilds are not
    interruptions and are counted apart, up to PORTAL["PACKET_MAX_REBUILDS"].
    """
    from .rendering import PacketDocument, merge, packet_language, render_front

    packet = _claim_merge(packet_id, token, merge_token)
    if packet is None:
        return False
    parts = list(PacketPart.objects.filter(packet_id=packet_id, token=token).order_by("index"))
    if len(parts) != packet.parts_total or any(part.done_at is None for part in parts):
        return False
    results = [part.result for part in parts]
    _touch(packet_id, token, stage=Packet.Stage.MERGING)
    built_at = timezone.now()

    def beat():
        _beat_merge(packet_id, token, merge_token)

    # The joined file goes to a temporary file as it is built: the finish never
    # holds the whole packet in memory.
    with tempfile.TemporaryFile() as joined:
        try:
            with translation.override(packet_language(packet)):
                doc = PacketDocument(packet)
                front, _pages, layout = render_front(doc, results, built_at)
                beat()
                readers = [
                    (lambda name=result["name"]: default_storage.open(name, "rb"))
                    for result in results
                ]
                total = merge(doc, front, readers, results, layout, joined, beat=beat)
        except MergeSuperseded:
            return False
        _touch(packet_id, token)
        current = packet_fingerprint(
            version=packet.version,
            compare_to=packet.compare_to,
            language=packet.language,
            include_restricted=packet.include_restricted,
            as_of=packet.started_at,
        )
        if current != packet.fingerprint:
            _rebuild_for_changed_content(packet_id, token, merge_token)
            return False
        size = joined.tell()
        joined.seek(0)
        temporary = _save_exact(
            f"{work_prefix(packet_id, token)}/packet-{merge_token[:8]}.pdf.partial",
            File(joined, name="packet.pdf"),
        )
    final = move_into_place(temporary, final_name(packet, merge_token))
    with transaction.atomic():
        claimed = Packet.objects.select_for_update().get(pk=packet_id)
        if (
            claimed.build_token != token
            or claimed.merge_token != merge_token
            or claimed.status != Packet.Status.BUILDING
        ):
            _delete_quietly(final)
            return False
        claimed.file.name = final
        claimed.page_count = total
        claimed.size_bytes = size
        claimed.finished_at = timezone.now()
        claimed.stage = Packet.Stage.DONE
        claimed.heartbeat_at = claimed.finished_at
        claimed.status = Packet.Status.READY  # last: only a complete file is ever "ready"
        claimed.save()
        emit("packet.ready", packet_id=packet_id)
        transaction.on_commit(lambda: metrics.build_finished(claimed))
    cleanup_work(packet_id)  # the parts are merged: their files go
    PacketPart.objects.filter(packet_id=packet_id).delete()
    return True


def max_rebuilds() -> int:
    return int(settings.PORTAL.get("PACKET_MAX_REBUILDS", 5))


def _rebuild_for_changed_content(packet_id: int, token: str, merge_token: str) -> None:
    """A comment the build holds was edited or decided meanwhile: build it again, a few times at most."""
    with transaction.atomic():
        claimed = Packet.objects.select_for_update().get(pk=packet_id)
        if claimed.build_token != token or claimed.merge_token != merge_token:
            return
        if claimed.rebuilds >= max_rebuilds():
            _fail(
                claimed,
                gettext_noop(
                    "The comments in this packet kept changing while it was built; "
                    "retry it from this page."
                ),
            )
            return
        claimed.rebuilds += 1
        # The attempt ran to its end: it was not interrupted, so it does not
        # count towards PACKET_MAX_ATTEMPTS.
        claimed.attempts = max(0, claimed.attempts - 1)
        claimed.status = Packet.Status.QUEUED
        claimed.stage = Packet.Stage.RESTARTING
        claimed.build_token = claimed.merge_token = ""
        claimed.save()
        _enqueue_build(claimed)


# --- recovery -------------------------------------------------------------------------


def packets_recover(*, now=None) -> int:
    """Send again what stalled; returns how many messages were sent. Run by beat every 15 s.

    - a queued packet whose build message was lost (a broker restarted empty,
      or down when it was requested): its build is sent again;
    - a part of the current build silent for ``stall_after()`` (its worker was
      killed, or its message lost): it is sent again; a part that had started
      and went silent ``PACKET_MAX_ATTEMPTS`` times fails the packet;
    - a build whose parts are all done but whose merge went silent: the merge
      is sent again under a new merge token, so the late original cannot finish.

    Each packet is handled under its row lock and looked at again once locked,
    so two recoveries at once (or a late original task) send nothing twice:
    a send stamps ``dispatched_at``, and a part's task claims it
    (``_claim_part``) only if nobody alive holds it.
    """
    from .tasks import packet_build, packet_finish, packet_render_part

    now = now or timezone.now()
    cutoff = now - stall_after()
    stale = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)
    unsent = Q(dispatched_at__lt=cutoff) | Q(dispatched_at__isnull=True)
    sent = 0
    queued = Packet.objects.filter(stale & unsent, status=Packet.Status.QUEUED)
    for packet_id in queued.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Packet.objects.filter(
                stale & unsent, pk=packet_id, status=Packet.Status.QUEUED
            )
            if not claimed.update(dispatched_at=now):  # another recovery sent it meanwhile
                continue
            transaction.on_commit(lambda packet_id=packet_id: send_task(packet_build, packet_id))
            sent += 1
    building = Packet.objects.filter(status=Packet.Status.BUILDING).values_list("pk", flat=True)
    for packet_id in building:
        with transaction.atomic():
            packet = (
                Packet.objects.select_for_update()
                .filter(pk=packet_id, status=Packet.Status.BUILDING)
                .first()
            )
            if packet is None:
                continue
            parts = list(
                PacketPart.objects.select_for_update()
                .filter(packet=packet, token=packet.build_token)
                .order_by("index")
            )
            if len(parts) != packet.parts_total:
                # Planned without part rows (by the release before them, mid-deploy):
                # once silent, it is planned again.
                if _stalled(packet.heartbeat_at, now) and _stalled(packet.dispatched_at, now):
                    packet.dispatched_at = now
                    packet.save(update_fields=["dispatched_at"])
                    transaction.on_commit(lambda p=packet_id: send_task(packet_build, p))
                    sent += 1
                continue
            waiting = [part for part in parts if part.done_at is None]
            if not waiting:
                if _stalled(packet.heartbeat_at, now) and _stalled(packet.dispatched_at, now):
                    if packet.merges >= max_attempts():
                        _fail(
                            packet,
                            gettext_noop(
                                "Merging the parts stopped making progress %(n)s times; "
                                "retry it from this page."
                            ),
                            {"n": packet.merges},
                        )
                        continue
                    packet.merges += 1
                    packet.merge_token = merge_token = uuid.uuid4().hex
                    packet.dispatched_at = now
                    packet.save(update_fields=["merge_token", "dispatched_at", "merges"])
                    token = packet.build_token
                    transaction.on_commit(
                        lambda p=packet_id, t=token, m=merge_token: send_task(
                            packet_finish, p, t, m
                        )
                    )
                    sent += 1
                continue
            for part in waiting:
                if not (_stalled(part.heartbeat_at, now) and _stalled(part.dispatched_at, now)):
                    continue
                if part.heartbeat_at is not None:  # it had started, then went silent
                    if part.dispatches >= max_attempts():
                        _fail(
                            packet,
                            gettext_noop(
                                "A part stopped making progress %(n)s times; retry it from this page."
                            ),
                            {"n": part.dispatches},
                        )
                        break
                    part.dispatches += 1
                part.heartbeat_at = None
                part.dispatched_at = now
                part.save(update_fields=["heartbeat_at", "dispatched_at", "dispatches"])
                args = (packet_id, part.token, part.index)
                transaction.on_commit(lambda args=args: send_task(packet_render_part, *args))
                sent += 1
        if packet is not None and packet.status == Packet.Status.FAILED:
            cleanup_work(packet_id)
    return sent


def _fail(packet: Packet, message: str, params: dict | None = None) -> None:
    """Mark ``packet`` failed; ``message`` is untranslated (``gettext_noop``), its
    ``%(name)s`` filled from ``params`` in each reader's language (``failure_reason``)."""
    params = params or {}
    packet.status = Packet.Status.FAILED
    packet.failures += 1
    packet.error = message % params
    packet.error_message = message
    packet.error_params = params
    packet.stage = Packet.Stage.STOPPED
    packet.finished_at = timezone.now()
    packet.save()
    emit("packet.failed", packet_id=packet.pk)
    transaction.on_commit(metrics.build_failed)


def packet_fail(
    *, packet_id: int, reason: str, params: dict | None = None, token: str | None = None
) -> bool:
    """Mark a build failed with the reason shown on its page (not a ready packet).

    ``reason`` is untranslated (``gettext_noop``), with ``params`` for its placeholders.
    """
    with transaction.atomic():
        packet = Packet.objects.select_for_update().filter(pk=packet_id).first()
        if packet is None or packet.status in (Packet.Status.READY, Packet.Status.FAILED):
            return False
        if token is not None and packet.build_token not in ("", token):
            return False
        _fail(packet, reason, params)
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


def packet_transmit(
    *, packet: Packet, by, transmitted_at=None, reference: str = ""
) -> Transmission:
    """Record that ``packet`` was transmitted to the National Assembly; submits its version.

    The packet must be ready (a file whose fingerprint is on its cover); the
    moment may be given (the letter went yesterday) but not in the future. A
    version is transmitted once: the record says which packet, by fingerprint.
    """
    ensure_can(by, "packet.transmit", packet.version)
    now = timezone.now()
    transmitted_at = transmitted_at or now
    if transmitted_at > now:
        raise DomainError(_("The transmission cannot be in the future."), field="transmitted_at")
    with transaction.atomic():
        packet = Packet.objects.select_for_update().select_related("version").get(pk=packet.pk)
        if packet.status != Packet.Status.READY:
            raise DomainError(_("Only a packet that is ready can be transmitted."))
        if Transmission.objects.filter(version_id=packet.version_id).exists():
            raise DomainError(_("A packet of this version has already been transmitted."))
        draft_services.version_submit(version=packet.version, by=by)
        return Transmission.objects.create(
            version=packet.version,
            packet=packet,
            fingerprint=packet.fingerprint,
            transmitted_at=transmitted_at,
            reference=reference.strip()[:200],
            recorded_by=by,
        )
