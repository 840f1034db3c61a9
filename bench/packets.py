"""The review packet of the whole draft, built by Celery with one and with two workers.

    .venv/bin/python bench/packets.py --out packets.json      (the runner sets the environment)

For each worker count it starts that many ``celery worker`` processes (prefork,
one child each) on the bench's own Redis database and queue, asks for the
packet through ``packets.services.packet_request`` as a drafter of the
lead ministry (all comments, restricted ones included, English and Khmer side
by side, with the redline against version 2), and waits for it to be ready.
While it builds, every worker's process tree is sampled with psutil for its
peak resident memory.

Then the same content is rendered as one HTML document in one piece
(``packets.rendering.render_single``) in a separate process, also sampled,
and the ratios of the builds' times to that render are reported.

Earlier packets of the version are deleted first (Packet keeps no history, and
this is the bench's own database): an identical request would otherwise reuse
the packet already built instead of building it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

# Per build; the one-piece render may take twice as long. The defaults fit a quiet
# two-core machine; a busy one needs more (the runner passes BENCH_PACKET_TIMEOUT on).
BUILD_TIMEOUT = float(os.environ.get("BENCH_PACKET_TIMEOUT", "480"))
SAMPLE_EVERY = 0.1


class TreeSampler(threading.Thread):
    """Peak resident memory of each watched process tree, sampled ten times a second."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.peak_tree = dict.fromkeys(pids, 0)
        self.peak_process = dict.fromkeys(pids, 0)
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            for pid in self.pids:
                try:
                    root = psutil.Process(pid)
                    processes = [root, *root.children(recursive=True)]
                except psutil.NoSuchProcess:
                    continue
                total = 0
                for process in processes:
                    try:
                        rss = process.memory_info().rss
                    except psutil.NoSuchProcess:
                        continue
                    total += rss
                    self.peak_process[pid] = max(self.peak_process[pid], rss)
                self.peak_tree[pid] = max(self.peak_tree[pid], total)
            self.stop_event.wait(SAMPLE_EVERY)

    def stop(self) -> None:
        self.stop_event.set()
        self.join()


def mb(value: int) -> float:
    return round(value / 1024 / 1024, 1)


def start_workers(count: int, queue: str, log_dir: Path) -> list[tuple[subprocess.Popen, Path]]:
    workers = []
    for n in range(count):
        log_path = log_dir / f"worker-{count}-{n}.log"
        log = open(log_path, "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "portal",
                "worker",
                "-Q",
                queue,
                "-n",
                f"bench{n}@%h",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=os.environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process._log = log
        workers.append((process, log_path))
    deadline = time.monotonic() + 60
    for process, log_path in workers:
        while "ready." not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                stop_workers(workers)
                raise RuntimeError(f"celery worker did not start:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.2)
    return workers


def stop_workers(workers) -> None:
    # SIGTERM to the main process only: a warm shutdown, which stops its child itself.
    for process, _log in workers:
        if process.poll() is None:
            process.terminate()
    for process, _log in workers:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process._log.close()


def setup_django():
    import django

    django.setup()


def forget_packets(version) -> None:
    from django.core.files.storage import default_storage

    from packets.models import Packet

    for packet in Packet.objects.filter(version=version):
        if packet.file and default_storage.exists(packet.file.name):
            default_storage.delete(packet.file.name)
    Packet.objects.filter(version=version).delete()


def the_request():
    from generate import DRAFT_SLUG

    from drafts.models import Draft
    from stakeholders.models import User

    # BENCH_PACKET_DRAFT: another draft's latest version, to try this script on a small one.
    draft = Draft.objects.get(slug=os.environ.get("BENCH_PACKET_DRAFT") or DRAFT_SLUG)
    version = draft.versions.order_by("-number").first()
    return {
        "version": version,
        "compare_to": draft.versions.filter(number=version.number - 1).first(),
        "by": User.objects.get(username="u0000"),  # a drafter of the lead ministry
        "include_restricted": True,
    }


def build_with(count: int, log_dir: Path) -> dict:
    from packets import services
    from packets.models import Packet

    request = the_request()
    forget_packets(request["version"])
    workers = start_workers(count, os.environ["CELERY_TASK_DEFAULT_QUEUE"], log_dir)
    sampler = TreeSampler([process.pid for process, _log in workers])
    sampler.start()
    try:
        started = time.perf_counter()
        packet = services.packet_request(**request)
        # When the parts began and when the last one was done: the rest is the
        # serial finish (front matter, merge, running header and footer).
        first_part_at = parts_done_at = None
        while True:
            packet.refresh_from_db()
            now = time.perf_counter() - started
            if first_part_at is None and packet.parts_total:
                first_part_at = now
            if (
                parts_done_at is None
                and packet.parts_total
                and (packet.parts_done >= packet.parts_total)
            ):
                parts_done_at = now
            if packet.status in (Packet.Status.READY, Packet.Status.FAILED):
                break
            if time.perf_counter() - started > BUILD_TIMEOUT:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
    finally:
        sampler.stop()
        stop_workers(workers)
    return {
        "workers": count,
        "status": packet.status,
        "error": packet.error[:500],
        "timed_out": packet.status not in (Packet.Status.READY, Packet.Status.FAILED),
        "seconds": round(elapsed, 1),
        "pages": packet.page_count,
        "size_mb": mb(packet.size_bytes or 0),
        "parts": getattr(packet, "parts_total", None),
        # How far a build that timed out got.
        "parts_done": getattr(packet, "parts_done", None),
        "language": packet.language,
        "packet_id": packet.pk,
        "planning_s": round(first_part_at, 1) if first_part_at is not None else None,
        "parts_s": round(parts_done_at - first_part_at, 1)
        if parts_done_at is not None and first_part_at is not None
        else None,
        "finish_s": round(elapsed - parts_done_at, 1) if parts_done_at is not None else None,
        "peak_rss_mb_per_worker": [mb(sampler.peak_tree[pid]) for pid in sampler.pids],
        "peak_rss_mb_largest_process": [mb(sampler.peak_process[pid]) for pid in sampler.pids],
    }


def single_child(packet_id: int, out: Path) -> int:
    """In a process of its own: the one-piece HTML, then WeasyPrint's render of it."""
    setup_django()
    from packets.models import Packet
    from packets.rendering import render_single, render_single_html

    packet = Packet.objects.get(pk=packet_id)
    started = time.perf_counter()
    html = render_single_html(packet)
    html_seconds = time.perf_counter() - started
    del html
    started = time.perf_counter()
    pdf, pages = render_single(packet)  # builds the HTML again, then renders it
    total = time.perf_counter() - started
    out.write_text(
        json.dumps(
            {
                "html_seconds": round(html_seconds, 1),
                "weasyprint_seconds": round(total - html_seconds, 1),
                "seconds_with_html": round(total, 1),
                "pages": pages,
                "size_mb": mb(len(pdf)),
            }
        )
    )
    return 0


def inline_child(packet_id: int, out: Path) -> int:
    """In a process of its own: the chunked build without Celery (``render_chunked``)."""
    setup_django()
    from packets.models import Packet
    from packets.rendering import render_chunked

    packet = Packet.objects.get(pk=packet_id)
    started = time.perf_counter()
    pdf, pages = render_chunked(packet)
    out.write_text(
        json.dumps(
            {
                "seconds": round(time.perf_counter() - started, 1),
                "pages": pages,
                "size_mb": mb(len(pdf)),
            }
        )
    )
    return 0


def child(mode: str, packet_id: int, log_dir: Path) -> dict:
    """Run ``--single`` or ``--inline`` in a separate process, sampling its memory."""
    out = log_dir / f"{mode}.json"
    out.unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, __file__, f"--{mode}", str(packet_id), "--out", str(out)],
        cwd=ROOT,
        env=os.environ,
    )
    sampler = TreeSampler([process.pid])
    sampler.start()
    try:
        process.wait(timeout=BUILD_TIMEOUT * 2)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    sampler.stop()
    if process.returncode != 0 or not out.exists():
        return {"error": f"{mode} render exited with {process.returncode}"}
    return {**json.loads(out.read_text()), "peak_rss_mb": mb(sampler.peak_tree[process.pid])}


def main() -> int:
    # Stopped by the runner (or Ctrl-C): still stop the workers this started.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--single", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--inline", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--builds-only", action="store_true", help="the Celery builds, without the one-piece render"
    )
    args = parser.parse_args()
    out = Path(args.out)
    if args.single:
        return single_child(args.single, out)
    if args.inline:
        return inline_child(args.inline, out)
    setup_django()
    log_dir = out.parent
    results = {"request": None, "builds": [], "inline": None, "single": None}
    request = the_request()
    results["request"] = {
        "version": request["version"].number,
        "compare_to": request["compare_to"].number if request["compare_to"] else None,
        "include_restricted": True,
        "by": "a drafter of the lead ministry",
    }
    for count in (1, 2):
        print(f"  packet with {count} worker(s)…", flush=True)
        build = build_with(count, log_dir)
        print(f"    {build}", flush=True)
        results["builds"].append(build)
    packet_id = results["builds"][-1]["packet_id"]
    if results["builds"][0]["status"] == "failed":
        # The Celery build failed or timed out: time the same chunked build in one
        # process, so the report still says what the renderer costs.
        print("  chunked build in one process (no Celery)…", flush=True)
        results["inline"] = child("inline", packet_id, log_dir)
        print(f"    {results['inline']}", flush=True)
    if args.builds_only:
        out.write_text(json.dumps(results, indent=2))
        return 0
    print("  one-piece render…", flush=True)
    results["single"] = child("single", packet_id, log_dir)
    print(f"    {results['single']}", flush=True)
    weasy = results["single"].get("weasyprint_seconds")
    if weasy:
        for build in [*results["builds"], results.get("inline") or {}]:
            if build.get("status", "ready") == "ready" and build.get("seconds"):
                build["ratio_to_weasyprint"] = round(build["seconds"] / weasy, 2)
                build["ratio_to_html_and_weasyprint"] = round(
                    build["seconds"] / results["single"]["seconds_with_html"], 2
                )
    out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
