#!/usr/bin/env python3
"""Fault injection: post comments through the API while the services fail, then check nothing was lost.

    make faults               # or: .venv/bin/python bench/faults.py [--posts N --rate R]

Not part of ``make test`` or CI. Everything it starts is its own and on loopback:

1. a PostgreSQL cluster (initdb in a temp dir, run as the ``postgres`` user), a
   redis-server with AOF, the demo consultation (``load_demo``) and API tokens for
   ``ngo`` and ``official``; then gunicorn (production settings, 2 workers), a Celery
   worker (-c 2) and Celery beat, with PACKET_PART_STALL_SECONDS=10 and
   OUTBOX_RELAY_SECONDS=2;
2. a few client threads post comments (POST /api/v1/comments/) at a bounded rate —
   every fifth a reply by another organisation to an earlier comment, so that reply
   notifications and their emails flow — each logical post with its own
   ``Idempotency-Key``, retrying the same request on a timeout, a connection error or
   a 503 (honouring Retry-After), bounded in count and time;
3. meanwhile, one after another: kill -9 the worker (restart it), SIGSTOP Redis for
   15 s, restart Redis, stop PostgreSQL for 10 s; then, each during a packet build
   (English, Khmer, both): kill -9 the worker, SIGSTOP Redis, stop PostgreSQL;
4. then asserts (PASS/FAIL table, exit 1 on a failure): every acknowledged post
   stored exactly once with the id it was acknowledged with; no 500; Retry-After on
   every 503; each acknowledged reply notified to its thread's author exactly once,
   and each of those notifications emailed exactly once (counted in the file email
   backend's output by its X-Portal-Notification header) and recorded as emailed; no
   undispatched outbox event within 60 s; every packet ready (or failed with a retry
   offered) within 120 s of the last fault;
5. stops everything it started and deletes its temp dir, whatever happens.
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import json
import os
import queue
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path

from processes import HOST, PYTHON, Processes, free_port

STARTED = time.monotonic()
HARD_LIMIT_S = 15 * 60  # the whole run, whatever happens


def log(message: str) -> None:
    print(f"[faults {time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


def check_deadline() -> None:
    if time.monotonic() - STARTED > HARD_LIMIT_S:
        raise RuntimeError(f"the run passed its hard limit of {HARD_LIMIT_S} s")


class Services(Processes):
    """One gunicorn, one worker and beat, with packet recovery and the outbox relay made quick."""

    def __init__(self, args):
        super().__init__(prefix="portal-faults-", keep=args.keep, log=log)
        self.web_port = free_port()
        self.env.update({"PACKET_PART_STALL_SECONDS": "10", "OUTBOX_RELAY_SECONDS": "2"})

    def web_start(self):
        super().web_start("gunicorn", self.web_port)

    def worker_start(self):
        super().worker_start("worker", f"faults-{uuid.uuid4().hex[:6]}@%h")

    def beat_start(self):
        super().beat_start("beat", self.tmp / "beat-schedule")


SETUP = """
import json
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from drafts.models import DraftVersion, Provision
call_command("load_demo", stdout=open("/dev/null", "w"))
User = get_user_model()
tokens = {n: Token.objects.get_or_create(user=User.objects.get(username=n))[0].key
          for n in ("ngo", "embassy", "official")}
version = DraftVersion.objects.filter(status=DraftVersion.Status.IN_CONSULTATION).first()
provisions = list(Provision.objects.for_reading(version).filter(kind="article")
                  .values_list("stable_id", flat=True)[:20])
print(json.dumps({"tokens": tokens, "version": version.pk, "provisions": provisions}))
"""

CHECK = """
import json
from django.db.models import Count
from comments.models import Comment
from core.models import OutboxEvent
from notifications.models import Notification
from packets.models import Packet
from packets.services import packet_can_retry
rows = (Comment.objects.filter(body__startswith=%(prefix)r)
        .values_list("body", "pk"))
print(json.dumps({
    "comments": [[b, pk] for b, pk in rows],
    "reply_notifications": [
        [n.comment_id, n.recipient_id, n.pk, n.emailed_at is not None]
        for n in Notification.objects.filter(kind="comment_reply", comment__body__startswith=%(prefix)r)
    ],
    "outbox_undispatched": OutboxEvent.objects.filter(dispatched_at__isnull=True).count(),
    "outbox_total": OutboxEvent.objects.count(),
    "packets": {str(p.pk): [p.status, packet_can_retry(p), p.attempts, str(p.stage), p.parts_done, p.parts_total] for p in
                Packet.objects.filter(pk__in=%(packets)r)},
}))
"""


# --- the client ----------------------------------------------------------------------


class Client:
    """Posts logical comments, each with its own key, retrying the same request."""

    def __init__(self, port, setup, run_id, posts, rate, threads):
        self.port, self.setup, self.run_id = port, setup, run_id
        self.posts, self.rate, self.threads = posts, rate, threads
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.missing_retry_after = 0
        self.acked: dict[int, int] = {}  # logical post -> comment id
        self.replies: set[int] = set()  # logical posts that are replies (by "embassy" to "ngo")
        self.conflicting: list[tuple[int, int, int]] = []
        self.gave_up: dict[int, str] = {}
        self.attempts = 0
        self.server_errors: list[str] = []
        self.next_slot = time.monotonic()
        self.done = threading.Event()

    def body(self, i):
        return f"fault-{self.run_id}-{i:05d}: the deadline should count from discovery."

    def request(self, method, path, token, payload=None, key=None, timeout=10.0):
        headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        data = None
        if payload is not None:
            data = json.dumps(payload)
            headers["Content-Type"] = "application/json"
        if key:
            headers["Idempotency-Key"] = key
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            return response.status, response.getheader("Retry-After"), raw
        finally:
            conn.close()

    def pace(self):
        with self.lock:
            slot = max(self.next_slot, time.monotonic())
            self.next_slot = slot + 1.0 / self.rate
        time.sleep(max(0.0, slot - time.monotonic()))

    def _reply_target(self, i):
        """Every fifth post answers an earlier acknowledged comment, so that notifications flow."""
        if i % 5 != 4:
            return None
        with self.lock:
            earlier = [j for j in self.acked if j < i and j not in self.replies]
        return self.acked[max(earlier)] if earlier else None

    def post_one(self, i):
        s = self.setup
        parent = self._reply_target(i)
        if parent is None:
            path, token = "/api/v1/comments/", s["tokens"]["ngo"]
            payload = {
                "version": s["version"],
                "provision": s["provisions"][i % len(s["provisions"])],
                "kind": "comment",
                "body": self.body(i),
            }
        else:
            path, token = f"/api/v1/comments/{parent}/replies/", s["tokens"]["embassy"]
            payload = {"body": self.body(i)}
            with self.lock:
                self.replies.add(i)
        key = f"faults-{self.run_id}-{i}"
        deadline = time.monotonic() + 120
        delay = 0.5
        for _attempt in range(30):
            with self.lock:
                self.attempts += 1
            wait = delay
            try:
                status, retry_after, raw = self.request("POST", path, token, payload, key)
            except (OSError, http.client.HTTPException) as error:
                status, retry_after, raw = type(error).__name__, None, b""
            with self.lock:
                self.statuses[status] += 1
            if status == 201:
                comment_id = json.loads(raw)["id"]
                with self.lock:
                    first = self.acked.setdefault(i, comment_id)
                    if first != comment_id:
                        self.conflicting.append((i, first, comment_id))
                return
            if status == 503:
                if retry_after is None:
                    with self.lock:
                        self.missing_retry_after += 1
                else:
                    wait = max(wait, min(float(retry_after), 15.0))
            elif isinstance(status, int):
                if status >= 500:
                    with self.lock:
                        self.server_errors.append(f"post {i}: {status} {raw[:300]!r}")
                if status != 429:
                    with self.lock:
                        self.gave_up[i] = f"{status} {raw[:200]!r}"
                    return
            if time.monotonic() + wait > deadline:
                break
            time.sleep(wait)
            delay = min(delay * 2, 8.0)
        with self.lock:
            self.gave_up[i] = f"retries exhausted, last {status}"

    def worker(self, waiting_posts: queue.Queue):
        while True:
            try:
                i = waiting_posts.get_nowait()
            except queue.Empty:
                return
            self.pace()
            self.post_one(i)

    def start(self):
        waiting_posts: queue.Queue = queue.Queue()
        for i in range(self.posts):
            waiting_posts.put(i)
        self.pool = [
            threading.Thread(target=self.worker, args=(waiting_posts,), daemon=True)
            for _ in range(self.threads)
        ]
        for t in self.pool:
            t.start()

    def join(self, timeout):
        deadline = time.monotonic() + timeout
        for t in self.pool:
            t.join(max(0.1, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self.pool)


# --- the faults ----------------------------------------------------------------------


def sleep_bounded(seconds):
    check_deadline()
    time.sleep(seconds)


def fault_worker_kill(svc, notes):
    svc.kill("worker", signal.SIGKILL)
    notes.append("worker killed (-9)")
    sleep_bounded(2)
    svc.worker_start()


def fault_redis_pause(svc, notes):
    proc = svc.procs["redis"]
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        sleep_bounded(15)
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    notes.append("redis SIGSTOP 15 s, SIGCONT")


def fault_redis_restart(svc, notes):
    svc.kill("redis", signal.SIGTERM)
    sleep_bounded(2)
    svc.redis_start()
    notes.append("redis restarted (AOF)")


def fault_pg_stop(svc, notes):
    svc.pg_stop()
    sleep_bounded(10)
    svc.pg_start()
    notes.append("postgres stopped (fast) 10 s, started")


def _packet_building(client, packets, notes, language):
    """Ask for a packet and wait until its build has started; its id, or None."""
    token = client.setup["tokens"]["official"]
    path = f"/api/v1/versions/{client.setup['version']}/packets/"
    packet_id = None
    for _ in range(10):
        try:
            status, _ra, raw = client.request(
                "POST", path, token, {"language": language}, timeout=15
            )
        except (OSError, http.client.HTTPException):
            status, raw = None, b""
        if status in (200, 201, 202):
            packet_id = json.loads(raw)["id"]
            break
        time.sleep(2)
    if packet_id is None:
        notes.append(f"packet ({language}) request failed")
        return None, None
    packets.append(packet_id)
    seen = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _ra, raw = client.request("GET", f"/api/v1/packets/{packet_id}/", token)
            seen = json.loads(raw).get("status") if status == 200 else seen
        except (OSError, http.client.HTTPException, ValueError):
            pass
        if seen in ("building", "ready", "failed"):
            break
        time.sleep(0.2)
    time.sleep(0.5)  # into the build, not at its very first step
    return packet_id, seen


def fault_packet_kill(svc, client, packets, notes):
    packet_id, seen = _packet_building(client, packets, notes, "en")
    if packet_id is None:
        return
    svc.kill("worker", signal.SIGKILL)
    notes.append(f"packet {packet_id}: worker killed (-9) while {seen}")
    sleep_bounded(2)
    svc.worker_start()


def fault_packet_redis_pause(svc, client, packets, notes):
    packet_id, seen = _packet_building(client, packets, notes, "km")
    if packet_id is None:
        return
    fault_redis_pause(svc, notes)
    notes.append(f"packet {packet_id}: redis paused while {seen}")


def fault_packet_pg_stop(svc, client, packets, notes):
    packet_id, seen = _packet_building(client, packets, notes, "both")
    if packet_id is None:
        return
    fault_pg_stop(svc, notes)
    notes.append(f"packet {packet_id}: postgres stopped while {seen}")


def emails_by_notification(mail_dir: Path) -> Counter:
    """How many messages the file email backend wrote for each notification id."""
    counts: Counter = Counter()
    for path in mail_dir.glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("X-Portal-Notification: "):
                counts[int(line.split(": ", 1)[1])] += 1
    return counts


# --- main ----------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--rate", type=float, default=3.0, help="posts per second, all threads")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("run as root (the postgres binaries are run as the postgres user)")
        return 2
    svc = Services(args)
    atexit.register(svc.stop_all)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started_at = datetime.now()
    try:
        log(f"temp dir {svc.tmp}; pg :{svc.pg_port}, redis :{svc.redis_port}, web :{svc.web_port}")
        svc.pg_init()
        svc.redis_start()
        svc.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], timeout=600)
        setup = svc.django(SETUP)
        log(f"consultation: version {setup['version']}, {len(setup['provisions'])} articles")
        svc.web_start()
        svc.worker_start()
        svc.beat_start()
        time.sleep(3)

        run_id = uuid.uuid4().hex[:8]
        client = Client(svc.web_port, setup, run_id, args.posts, args.rate, args.threads)
        client.start()
        log(f"posting {args.posts} comments at {args.rate}/s")
        notes: list[str] = []
        packets: list[int] = []
        faults = [
            ("worker kill -9", lambda: fault_worker_kill(svc, notes)),
            ("redis SIGSTOP 15 s", lambda: fault_redis_pause(svc, notes)),
            ("redis restart", lambda: fault_redis_restart(svc, notes)),
            ("postgres stop 10 s", lambda: fault_pg_stop(svc, notes)),
            ("worker kill -9 mid packet", lambda: fault_packet_kill(svc, client, packets, notes)),
            (
                "redis SIGSTOP mid packet",
                lambda: fault_packet_redis_pause(svc, client, packets, notes),
            ),
            ("postgres stop mid packet", lambda: fault_packet_pg_stop(svc, client, packets, notes)),
        ]
        sleep_bounded(8)
        for name, inject in faults:
            log(f"fault: {name}")
            inject()
            log(f"recovering; {len(client.acked)} acknowledged so far")
            sleep_bounded(10)
        last_fault = time.monotonic()
        if not client.join(timeout=300):
            log("client threads still running after 300 s")
        log(f"posting done: {len(client.acked)} acknowledged, {len(client.gave_up)} given up")

        # Settle: the outbox empties and packets finish, each within its bound.
        check_sql = CHECK % {"prefix": f"fault-{run_id}-", "packets": packets}
        outbox_ok = packets_ok = False
        state = {}
        while time.monotonic() - last_fault < 120:
            state = svc.django(check_sql, timeout=60)
            within_60 = time.monotonic() - last_fault <= 60
            if state["outbox_undispatched"] == 0 and within_60:
                outbox_ok = True
            packets_ok = all(
                s == "ready" or (s == "failed" and retry)
                for s, retry, *_ in state["packets"].values()
            )
            emails_sent = all(e for *_rest, e in state["reply_notifications"])
            if (outbox_ok or not within_60) and packets_ok and emails_sent:
                break
            time.sleep(3)
        settled = time.monotonic() - last_fault

        stored: dict[str, list[int]] = {}
        for body, pk in state["comments"]:
            stored.setdefault(body, []).append(pk)
        lost = [i for i in client.acked if client.body(i) not in stored]
        dupes = [b for b, pks in stored.items() if len(pks) > 1]
        wrong_id = [i for i, pk in client.acked.items() if stored.get(client.body(i), [pk]) != [pk]]
        # Each acknowledged reply notifies the thread's author once, emailed once.
        acked_replies = {client.acked[i] for i in client.replies if i in client.acked}
        per_reply = Counter(c for c, _r, _n, _e in state.get("reply_notifications", []))
        notified_wrong = [c for c in acked_replies if per_reply[c] != 1]
        emailed = emails_by_notification(svc.tmp / "mail")
        notification_ids = [n for _c, _r, n, _e in state.get("reply_notifications", [])]
        emailed_wrong = [n for n in notification_ids if emailed[n] != 1]
        unrecorded = [n for _c, _r, n, e in state.get("reply_notifications", []) if not e]
        statuses = dict(sorted(((str(k), v) for k, v in client.statuses.items())))
        results = [
            ("acknowledged posts stored", not lost, f"{len(client.acked)} acked, {len(lost)} lost"),
            ("no post stored twice", not dupes, f"{len(dupes)} bodies stored more than once"),
            (
                "acked id is the stored one",
                not wrong_id and not client.conflicting,
                f"{len(wrong_id)} differ, {len(client.conflicting)} acked twice with other ids",
            ),
            ("every post acknowledged", not client.gave_up, f"{len(client.gave_up)} given up"),
            (
                "each reply notified once",
                bool(acked_replies) and not notified_wrong,
                f"{len(acked_replies)} replies, {len(notified_wrong)} not notified exactly once",
            ),
            (
                "each notification emailed once",
                bool(notification_ids) and not emailed_wrong and not unrecorded,
                f"{len(notification_ids)} notifications, {len(emailed_wrong)} not emailed exactly "
                f"once, {len(unrecorded)} without emailed_at",
            ),
            (
                "no HTTP 500",
                not any(isinstance(k, int) and k >= 500 and k != 503 for k in client.statuses),
                "; ".join(client.server_errors[:3]) or "none",
            ),
            (
                "Retry-After on every 503",
                client.missing_retry_after == 0,
                f"{client.statuses.get(503, 0)} 503s, {client.missing_retry_after} without",
            ),
            (
                "outbox drained within 60 s",
                outbox_ok,
                f"{state.get('outbox_undispatched')} undispatched of {state.get('outbox_total')}",
            ),
            ("packets ready within 120 s", packets_ok and bool(packets), f"{state.get('packets')}"),
        ]
        duration = time.monotonic() - STARTED
        print()
        print(f"Fault injection run {started_at:%Y-%m-%d %H:%M}, {duration:.0f} s, run {run_id}")
        print(f"faults: {'; '.join(notes)}")
        print(f"statuses seen (attempts {client.attempts}): {statuses}")
        print(
            f"settled {settled:.0f} s after the last fault; unacked stored: "
            f"{len(set(stored) - {client.body(i) for i in client.acked})}"
        )
        if client.gave_up:
            print(f"given up (first 5): {list(client.gave_up.items())[:5]}")
        print()
        print(f"| {'check':<30} | result | detail")
        print(f"|{'-' * 32}|--------|-------")
        for name, ok, detail in results:
            print(f"| {name:<30} | {'PASS' if ok else 'FAIL':<6} | {detail}")
        return 0 if all(ok for _, ok, _ in results) else 1
    except Exception as error:
        log(f"ERROR: {error}")
        for name in ("gunicorn", "worker", "beat"):
            path = svc.logs / f"{name}.log"
            if path.exists():
                print(f"--- {name}.log (tail)\n{path.read_text()[-2000:]}")
        return 2
    finally:
        svc.stop_all()


if __name__ == "__main__":
    sys.exit(main())
