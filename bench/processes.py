"""The processes a bench script starts for itself, all on loopback, all stopped at the end.

Shared by ``faults.py`` (one of each, broken on purpose) and ``scaleout.py`` (two web
servers and two workers as if on two machines): a PostgreSQL cluster of its own
(``initdb`` in a temp dir, run as the ``postgres`` user), a ``redis-server`` with AOF,
and the portal's gunicorn, Celery worker and beat, each with its own log file.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PYTHON = str(VENV / "python")
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER_OS = "postgres"  # the postgres binaries refuse to run as root
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def http_status(port: int, path: str, timeout: float = 5.0) -> int | None:
    """The status of one GET, or None when nothing answers."""
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            conn.request("GET", path)
            return conn.getresponse().status
        finally:
            conn.close()
    except (OSError, http.client.HTTPException):
        return None


def production_env(tmp: Path, *, pg_port: int, redis_port: int) -> dict[str, str]:
    """The production settings as a deployment sets them, pointed at this run's services."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DATABASE_URL": f"postgres://postgres@{HOST}:{pg_port}/portal",
        "REDIS_URL": f"redis://{HOST}:{redis_port}/0",
        # A key for this throwaway cluster only; never a real deployment's.
        "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "false",
        # Plain HTTP on loopback: no proxy in front sets X-Forwarded-Proto.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp / "mail"),
        "PORTAL_DATA_DIR": str(tmp / "data"),
        "MEDIA_ROOT": str(tmp / "data" / "media"),
        "STATIC_ROOT": str(tmp / "data" / "static"),
        # A client posts far more than a person would; the per-user and
        # per-organisation posting limits are not what these runs test.
        "POST_RATE_PER_USER": "",
        "POST_RATE_PER_ORGANISATION": "",
        "LOG_FORMAT": "human",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


class Processes:
    """Every process a run starts, so that all of them can be stopped at the end."""

    def __init__(self, *, prefix: str, keep: bool, log: Callable[[str], None]):
        self.log = log
        self.keep = keep
        self.tmp = Path(tempfile.mkdtemp(prefix=prefix))
        os.chmod(self.tmp, 0o755)  # noqa: S103 - the postgres user reaches its dirs
        self.pgdata = self.tmp / "pg"
        self.pgsock = self.tmp / "pgsock"
        self.redis_dir = self.tmp / "redis"
        self.logs = self.tmp / "logs"
        for d in (self.pgsock, self.redis_dir, self.logs, self.tmp / "mail", self.tmp / "data"):
            d.mkdir()
        shutil.chown(self.pgsock, PG_USER_OS)
        self.pglog = self.tmp / "pglog"
        self.pglog.mkdir()
        shutil.chown(self.pglog, PG_USER_OS)
        self.pg_port, self.redis_port = free_port(), free_port()
        self.procs: dict[str, subprocess.Popen] = {}
        self.pg_running = False
        self.stopped = False
        self.env = production_env(self.tmp, pg_port=self.pg_port, redis_port=self.redis_port)

    # --- helpers ----------------------------------------------------------------------

    def run(self, args, *, timeout, check=True, as_pg=False, stdin=None, env=None):
        if as_pg:
            args = ["runuser", "-u", PG_USER_OS, "--", *args]
        result = subprocess.run(
            args,
            cwd=ROOT if not as_pg else self.tmp,
            env=env or self.env,
            timeout=timeout,
            text=True,
            input=stdin,
            capture_output=True,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(map(str, args))} exited {result.returncode}:\n"
                f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
            )
        return result

    def spawn(self, name, args, *, env=None, cwd=None):
        log_file = open(self.logs / f"{name}.log", "a")  # noqa: SIM115 - one per process
        self.procs[name] = subprocess.Popen(
            args,
            cwd=cwd or ROOT,
            env=env or self.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log_file.close()
        return self.procs[name]

    def wait_for(self, what, probe, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if probe():
                return
            time.sleep(0.3)
        raise RuntimeError(f"{what} not up within {timeout} s")

    def kill(self, name, sig=signal.SIGTERM, wait=20.0):
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass

    # --- PostgreSQL -------------------------------------------------------------------

    def pg_init(self):
        self.pgdata.mkdir()
        shutil.chown(self.pgdata, PG_USER_OS)
        self.run(
            [PG_BIN / "initdb", "-D", self.pgdata, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            timeout=120,
            as_pg=True,
        )
        self.pg_start()
        self.run(
            [PG_BIN / "createdb", "-h", HOST, "-p", str(self.pg_port), "-U", "postgres", "portal"],
            timeout=30,
        )

    def pg_start(self):
        options = (
            f"-p {self.pg_port} -k {self.pgsock} -c listen_addresses={HOST} "
            "-c fsync=on -c max_connections=100"
        )
        self.run(
            [
                PG_BIN / "pg_ctl",
                "-D",
                self.pgdata,
                "-l",
                self.pglog / "postgres.log",
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ],
            timeout=90,
            as_pg=True,
        )
        self.pg_running = True

    def pg_stop(self):
        self.run(
            [PG_BIN / "pg_ctl", "-D", self.pgdata, "-m", "fast", "-w", "-t", "60", "stop"],
            timeout=90,
            as_pg=True,
            check=False,
        )
        self.pg_running = False

    # --- Redis ------------------------------------------------------------------------

    def redis_start(self):
        self.spawn(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "yes",
                "--dir",
                str(self.redis_dir),
                "--protected-mode",
                "no",
            ],
        )

        def up():
            try:
                with socket.create_connection((HOST, self.redis_port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        self.wait_for("redis", up, 30)

    # --- the portal -------------------------------------------------------------------

    def django(self, code, timeout=600):
        """Run ``code`` in ``manage.py shell``; its last line of output, read as JSON."""
        result = self.run([PYTHON, "manage.py", "shell", "-c", code], timeout=timeout)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def web_start(self, name, port, *, workers=2, env=None, cwd=None):
        self.spawn(
            name,
            [
                str(VENV / "gunicorn"),
                "portal.wsgi:application",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "30",
            ],
            env=env,
            cwd=cwd,
        )
        self.wait_for(name, lambda: http_status(port, "/health/") == 200, 60)

    def worker_start(self, name, node_name, *, concurrency=2, env=None, cwd=None):
        self.spawn(
            name,
            [
                str(VENV / "celery"),
                "-A",
                "portal",
                "worker",
                "-c",
                str(concurrency),
                "--loglevel",
                "INFO",
                "-n",
                node_name,
                "--without-mingle",
                "--without-gossip",
            ],
            env=env,
            cwd=cwd,
        )

    def beat_start(self, name, schedule: Path, *, env=None, cwd=None):
        self.spawn(
            name,
            [
                str(VENV / "celery"),
                "-A",
                "portal",
                "beat",
                "--loglevel",
                "INFO",
                "-s",
                str(schedule),
            ],
            env=env,
            cwd=cwd,
        )

    def stop_all(self, infrastructure=("redis",)):
        """Stop the portal's processes first, then the services they use, then PostgreSQL."""
        if self.stopped:  # called from ``finally`` and again at exit
            return
        self.stopped = True
        for name in [n for n in reversed(self.procs) if n not in infrastructure]:
            self.kill(name)
        for name in infrastructure:
            self.kill(name)
        if self.pg_running or (self.pgdata / "postmaster.pid").exists():
            self.pg_stop()
        if self.keep:
            self.log(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
