"""Run every benchmark in one go and write bench/results/latest.json and docs/benchmarks.md.

    bench/run                 # or: make bench
    bench/run --quick         # shorter load phases, for trying changes

1. creates the bench database (PostgreSQL, ``portal_bench``) afresh, migrates it and
   generates the consultation (``bench/generate.py``, about ten seconds), so every run
   starts from the same data: the posting phases add thousands of comments, which would
   otherwise pile up from run to run (``--reuse-data`` keeps a database whose marker
   names the same seed and generator, for trying changes);
2. collects static files;
3. counts SQL queries per page in-process (``bench/querycount.py``) and times
   search (``bench/search.py``: the index rebuilt, one- and three-word queries);
4. serves the portal with gunicorn on loopback (production settings, DEBUG
   off, three gthread workers of three threads) and drives it from a separate process
   (``bench/loadgen.py``): the trivial view /ping, the whole draft, articles
   with 500 and 5,000 comments, the comment API list, and posting through the
   API with tokens, then counts the posted comments in the database;
5. builds the review packet of the whole draft with one and with two Celery
   workers, and renders the same content in one piece with WeasyPrint
   (``bench/packets.py``).

Everything runs on this machine, bounded in requests and in time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
RESULTS = BENCH / "results"
DATA = ROOT / "data" / "bench"

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", "5432", "postgres"
DATABASE = os.environ.get("BENCH_DATABASE", "portal_bench")
PORT = int(os.environ.get("BENCH_PORT", "0"))  # 0: a free port, chosen at start
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
QUEUE = os.environ.get("BENCH_QUEUE", "bench-packets")
# The production shape (Dockerfile, docker-compose.yml): three processes of three threads.
# Measured against 2 × 4, 4 × 2, 4 × 4, 6 × 2 and 3 × 4 here (docs/benchmarks.md): with
# two processes, four requests in flight often share one process's interpreter lock
# while the other core idles, which is most of the review desk's tail.
GUNICORN_WORKERS = 3
GUNICORN_THREADS = 3

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "DATABASE_URL": f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DATABASE}",
    # A key for this throwaway local database only; never a real deployment's.
    "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_HSTS_SECONDS": "0",
    "REDIS_URL": REDIS_URL,
    # The web server's tasks (notification fan-out of the posts) wait in a queue
    # nobody reads, so they cannot slow the packet builds; Redis is flushed at start.
    "CELERY_TASK_DEFAULT_QUEUE": f"{QUEUE}-web",
    "PORTAL_DATA_DIR": str(DATA),
    "STATIC_ROOT": str(DATA / "static"),
    "MEDIA_ROOT": str(DATA / "media"),
    "LOG_LEVEL": "WARNING",
    "PYTHONUNBUFFERED": "1",
}


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def run(
    args: list[str],
    *,
    timeout: float,
    capture: bool = False,
    check: bool = True,
    stdin: str | None = None,
):
    result = subprocess.run(
        args,
        input=stdin,
        cwd=ROOT,
        env=ENV,
        timeout=timeout,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
    )
    if check and result.returncode != 0:
        detail = (result.stderr or "")[-3000:] if capture else ""
        raise RuntimeError(f"{' '.join(args)} exited with {result.returncode}\n{detail}")
    return result


def psql(sql: str, database: str = DATABASE, **variables: str) -> str:
    """One statement through psql; values go in as psql variables (``:'name'``), quoted by it."""
    args = ["psql", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, "-d", database, "-tAq"]
    args += ["-v", "ON_ERROR_STOP=1"]
    for name, value in variables.items():
        args += ["-v", f"{name}={value}"]
    return run(args, timeout=60, capture=True, stdin=sql).stdout.strip()


# --- 1. database ------------------------------------------------------------------------


def recreate() -> None:
    server = ["-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER]
    run(["dropdb", *server, "--if-exists", "--force", DATABASE], timeout=60)
    run(["createdb", *server, DATABASE], timeout=60)


def prepare_database(seed: int, phases: dict, *, reuse: bool) -> dict:
    started = time.perf_counter()
    exists = (
        psql("SELECT 1 FROM pg_database WHERE datname = :'name'", "postgres", name=DATABASE) == "1"
    )
    if not exists or not reuse:
        log(f"creating database {DATABASE} afresh")
        recreate()
    migrate = [PYTHON, "manage.py", "migrate", "--noinput", "--skip-checks", "-v", "0"]
    if run(migrate, timeout=300, check=False).returncode != 0:
        # Migrations were rewritten since this database was made: start it again
        # (generating takes well under a minute).
        log("migrate failed on the existing database: recreating it")
        recreate()
        run(migrate, timeout=300)
    phases["migrate_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    generate = [PYTHON, "bench/generate.py", "--seed", str(seed)]
    result = run(generate, timeout=900, check=False)
    if result.returncode == 3:
        log("the database holds bench data of another seed or generator: recreating it")
        recreate()
        run(migrate, timeout=300)
        result = run(generate, timeout=900, check=False)
    if result.returncode != 0:
        raise RuntimeError("bench/generate.py failed")
    phases["generate_or_reuse_s"] = round(time.perf_counter() - started, 1)
    marker = json.loads(
        psql(
            "SELECT json_build_object('seed', seed, 'generator', generator, 'seconds', seconds, "
            "'counts', counts, 'created_at', created_at) FROM bench_marker"
        )
    )
    marker["reused"] = phases["generate_or_reuse_s"] < marker["seconds"] / 2
    check = run([PYTHON, "bench/generate.py", "--check"], timeout=300, capture=True, check=False)
    marker["invariants_ok"] = check.returncode == 0
    marker["invariants"] = check.stdout.strip()[-2000:]
    return marker


# --- 4. the server and the load ---------------------------------------------------------


class Server:
    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.log_path = DATA / "gunicorn.log"

    def start(self, probe: str) -> None:
        """Start gunicorn and wait until it, and not some other server, answers ``probe``."""
        if port_in_use(PORT):
            raise RuntimeError(f"127.0.0.1:{PORT} is taken by another program; set BENCH_PORT")
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                str(GUNICORN_WORKERS),
                "--worker-class",
                "gthread",
                "--threads",
                str(GUNICORN_THREADS),
                "--timeout",
                "120",
                "--backlog",
                "2048",
            ],
            cwd=ROOT,
            env=ENV,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{probe}", timeout=10) as r:
                    if r.status == 200 and self.process.poll() is None:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer {probe} within 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process:
            self.log_file.close()


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def posting_requests(targets: dict, run_id: str, count: int) -> list[dict]:
    posting = targets["posting"]
    tokens, provisions = posting["tokens"], posting["provisions"]
    requests = []
    for i in range(count):
        kind = "question" if i % 5 == 0 else "comment"
        body = {
            "version": posting["version_id"],
            "provision": provisions[i % len(provisions)],
            "kind": kind,
            "body": f"Benchmark post {run_id}-{i:05d}: the reporting deadline should be "
            f"*seventy-two hours*, counted from discovery.",
        }
        requests.append(
            {
                "method": "POST",
                "path": posting["path"],
                "headers": {
                    "Authorization": f"Token {tokens[i % len(tokens)]['token']}",
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                },
                "body": json.dumps(body),
            }
        )
    return requests


def load_plan(targets: dict, run_id: str, quick: bool) -> list[dict]:
    seconds = 6 if quick else 15
    get = lambda path: [{"method": "GET", "path": path}]  # noqa: E731
    scenarios = [
        {"name": "ping, max", "mode": "closed", "concurrency": 8, "requests": get("/ping")},
        {"name": "ping, 100/s", "mode": "rate", "rate": 100, "requests": get("/ping")},
    ]
    pages = targets["pages"]
    if pages.get("draft_version"):
        scenarios.append(
            {
                "name": "whole draft (300 articles)",
                "mode": "closed",
                "concurrency": 4,
                "requests": get(pages["draft_version"]),
            }
        )
    for name, label in (("big", "article, 5,000 comments"), ("medium", "article, 500 comments")):
        page = targets["articles"][name]["page"]
        if page:
            scenarios.append(
                {"name": label, "mode": "closed", "concurrency": 4, "requests": get(page)}
            )
    api = targets["articles"]["big"]["api_comments"]
    if api:
        # The first page as a client paging through the list asks for it: by cursor
        # (``cursor=`` empty), which skips counting every visible row.
        api += "&cursor="
        scenarios += [
            {
                "name": "comment API list, max",
                "mode": "closed",
                "concurrency": 8,
                "requests": get(api),
            },
            {"name": "comment API list, 100/s", "mode": "rate", "rate": 100, "requests": get(api)},
        ]
    threads_api = targets["articles"]["big"]["api_threads"]
    if threads_api:
        scenarios.append(
            {
                "name": "thread API, 5,000 comments",
                "mode": "closed",
                "concurrency": 4,
                "requests": get(threads_api),
            }
        )
    desk = targets.get("desk")
    if desk:
        # As a drafter of the lead ministry, signed in: the first page and a deep one.
        signed_in = {"Cookie": desk["cookie"]}
        for label, path in (
            ("review desk, 20,000 comments", desk["review"]),
            ("review desk, page 400", desk["review_page_400"]),
        ):
            scenarios.append(
                {
                    "name": label,
                    "mode": "closed",
                    "concurrency": 4,
                    "requests": [{"method": "GET", "path": path, "headers": signed_in}],
                }
            )
    if targets.get("posting"):
        posts_rate = int(100 * seconds)
        scenarios += [
            {
                "name": "posting, 100/s",
                "mode": "rate",
                "rate": 100,
                "expect": [201],
                "requests": posting_requests(targets, f"{run_id}r", posts_rate),
                "max_requests": posts_rate,
            },
            {
                "name": "posting, max",
                "mode": "closed",
                "concurrency": 8,
                "expect": [201],
                "requests": posting_requests(targets, f"{run_id}m", 3000),
                "max_requests": 3000,
            },
        ]
    for scenario in scenarios:
        scenario.setdefault("duration", seconds)
        scenario.setdefault("max_requests", 20_000)
        scenario.setdefault("warmup", 0 if scenario["name"].startswith("posting") else 5)
    return scenarios


def http_phase(targets: dict, quick: bool) -> dict:
    run_id = uuid.uuid4().hex[:8]
    plan = {"host": "127.0.0.1", "port": PORT, "scenarios": load_plan(targets, run_id, quick)}
    plan_path, out_path = DATA / "plan.json", DATA / "http.json"
    plan_path.write_text(json.dumps(plan))
    before = int(psql("SELECT count(*) FROM comments_comment"))
    server = Server()
    # The bench draft exists only in the bench database: if this answers 200,
    # the server is ours.
    server.start(probe=targets["pages"]["draft_version"] or "/ping")
    try:
        run([PYTHON, "bench/loadgen.py", str(plan_path), str(out_path)], timeout=900)
    finally:
        server.stop()
    scenarios = json.loads(out_path.read_text())
    after = int(psql("SELECT count(*) FROM comments_comment"))
    mine = "FROM comments_comment WHERE body LIKE '%' || :'run_id' || '%'"
    stored = int(psql(f"SELECT count(*) {mine}", run_id=run_id))
    distinct = int(psql(f"SELECT count(DISTINCT body) {mine}", run_id=run_id))
    accepted = sum(s["ok"] for s in scenarios if s["name"].startswith("posting"))
    sent = sum(s["requests"] for s in scenarios if s["name"].startswith("posting"))
    return {
        "server": {
            "gunicorn_workers": GUNICORN_WORKERS,
            "worker_class": "gthread",
            "threads": GUNICORN_THREADS,
            "settings": "portal.settings.production (DEBUG off, SECURE_SSL_REDIRECT off)",
            "client": "bench/loadgen.py: asyncio, one connection per request, separate process",
        },
        "scenarios": scenarios,
        "posting_check": {
            "run_id": run_id,
            "sent": sent,
            "accepted_201": accepted,
            "stored": stored,
            "distinct_bodies": distinct,
            "comments_before": before,
            "comments_after": after,
            # A post the client gave up waiting for may still have been saved; a
            # lost comment is one answered 201 and not in the database.
            "saved_without_answer": stored - accepted,
            "none_lost": stored >= accepted and distinct == stored and after - before == stored,
        },
        "server_errors_logged": server.log_path.read_text().count("Traceback"),
    }


# --- machine --------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    versions = run(
        [
            PYTHON,
            "-c",
            "import django, gunicorn, weasyprint, celery, psycopg, json, sys;"
            "print(json.dumps({'python': sys.version.split()[0], 'django': django.get_version(),"
            "'gunicorn': gunicorn.__version__, 'weasyprint': weasyprint.__version__,"
            "'celery': celery.__version__, 'psycopg': psycopg.__version__}))",
        ],
        timeout=60,
        capture=True,
    )
    info = json.loads(versions.stdout)
    info["postgresql"] = psql(
        "SHOW server_version", "postgres"
    )  # the bench database may not exist yet
    redis_cli = shutil.which("redis-cli")
    if redis_cli:
        out = subprocess.run(
            [redis_cli, "-u", REDIS_URL, "INFO", "server"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
        info["redis"] = next(
            (
                line.split(":", 1)[1].strip()
                for line in out.splitlines()
                if line.startswith("redis_version")
            ),
            "unknown",
        )
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "kernel": platform.release(),
        "versions": info,
    }


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages: other work on the machine skews every figure."""
    return [round(x, 2) for x in os.getloadavg()]


def other_busy_processes() -> list[str]:
    """Processes outside this run using more than a tenth of a core, over one second."""
    import psutil

    mine = {os.getpid()}
    candidates = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        if process.info["pid"] in mine:
            continue
        try:
            process.cpu_percent(None)
            candidates.append(process)
        except psutil.Error:
            continue
    time.sleep(1)
    busy = []
    for process in candidates:
        try:
            share = process.cpu_percent(None)
            if share > 10:
                command = " ".join(process.info["cmdline"] or [])[:80]
                busy.append(f"{share:.0f}% {command}")
        except psutil.Error:
            continue
    return sorted(busy, reverse=True)[:8]


def flush_redis() -> None:
    """Empty the bench's own Redis database: posting-rate counters and queued tasks of old runs."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the portal's benchmarks.")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED", "1")))
    parser.add_argument("--quick", action="store_true", help="short load phases")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-packets", action="store_true")
    parser.add_argument(
        "--only-packets",
        action="store_true",
        help="only the review packet (data, then the builds and the one-piece render); "
        "written to bench/results/packets.json, leaving latest.json and the report alone",
    )
    parser.add_argument(
        "--no-report", action="store_true", help="do not rewrite docs/benchmarks.md"
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep the bench database when it holds this seed's data (with the comments "
        "earlier runs posted) instead of making it afresh",
    )
    args = parser.parse_args()

    global PORT
    if PORT == 0:
        PORT = free_port()
    sys.path.insert(0, str(ROOT))
    wall = time.perf_counter()
    DATA.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    phases: dict[str, float] = {}
    results: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": args.seed,
        "quick": args.quick,
        "phases": phases,
    }
    results["machine"] = machine()
    loads = results["load_average"] = {"start": load_average()}
    results["other_busy_processes_at_start"] = other_busy_processes()
    flush_redis()

    log("database: migrate, generate or reuse")
    results["data"] = prepare_database(args.seed, phases, reuse=args.reuse_data)
    log(f"data ready ({'reused' if results['data']['reused'] else 'generated'})")

    started = time.perf_counter()
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], timeout=300)
    phases["collectstatic_s"] = round(time.perf_counter() - started, 1)

    if args.only_packets:
        args.skip_http = True
        args.no_report = True
    targets = json.loads(
        run(
            [PYTHON, "bench/targets.py", "--seed", str(args.seed)], timeout=120, capture=True
        ).stdout
    )
    # Without the posting tokens and the desk's session cookie (credentials, if only bench ones).
    results["targets"] = {k: v for k, v in targets.items() if k != "posting"}
    if targets.get("desk"):
        results["targets"]["desk"] = {k: v for k, v in targets["desk"].items() if k != "cookie"}

    if not args.only_packets:
        log("SQL queries per page")
        started = time.perf_counter()
        queries = run(
            [PYTHON, "bench/querycount.py", "--seed", str(args.seed)], timeout=600, capture=True
        )
        results["queries"] = json.loads(queries.stdout)
        phases["queries_s"] = round(time.perf_counter() - started, 1)

        log("search")
        started = time.perf_counter()
        searched = run([PYTHON, "bench/search.py"], timeout=1800, capture=True, check=False)
        results["search"] = (
            json.loads(searched.stdout)
            if searched.returncode == 0
            else {
                "error": f"bench/search.py exited with {searched.returncode}: "
                f"{searched.stderr[-500:]}"
            }
        )
        phases["search_s"] = round(time.perf_counter() - started, 1)

    if not args.skip_http:
        log("HTTP load")
        started = time.perf_counter()
        loads["before_http"] = load_average()
        results["http"] = http_phase(targets, args.quick)
        loads["after_http"] = load_average()
        phases["http_s"] = round(time.perf_counter() - started, 1)

    if not args.skip_packets:
        log("packets")
        started = time.perf_counter()
        out = DATA / "packets.json"
        result = subprocess.run(
            [PYTHON, "bench/packets.py", "--out", str(out)],
            cwd=ROOT,
            env={**ENV, "CELERY_TASK_DEFAULT_QUEUE": QUEUE},
            # Two builds and the one-piece render (twice a build's limit), and start-ups.
            timeout=4 * float(os.environ.get("BENCH_PACKET_TIMEOUT", "480")) + 300,
            check=False,
        )
        results["packets"] = (
            json.loads(out.read_text())
            if result.returncode == 0 and out.exists()
            else {"error": f"bench/packets.py exited with {result.returncode}"}
        )
        phases["packets_s"] = round(time.perf_counter() - started, 1)
        loads["after_packets"] = load_average()

    phases["total_s"] = round(time.perf_counter() - wall, 1)
    # Quick runs are for trying changes; only full runs are results.
    if args.only_packets:  # a packets-only run is not a full result: kept apart
        target = RESULTS / "packets.json"
    else:
        target = (DATA / "quick.json") if args.quick else (RESULTS / "latest.json")
    target.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    log(f"results in {target.relative_to(ROOT)} ({phases['total_s']:.0f} s in all)")
    if not args.no_report and not args.quick:
        run([PYTHON, "bench/report.py", str(target)], timeout=60)
        log("table in docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
