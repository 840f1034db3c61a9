"""The benchmark's load generator: bounded, honest about errors, right about percentiles."""

import asyncio
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import loadgen


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/slow":
            time.sleep(1.0)
        status = 404 if self.path == "/missing" else 200
        body = b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.server.posted.append(self.rfile.read(length))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.posted = []
    httpd.handle_error = lambda request, address: None  # clients the test abandons on purpose
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def scenario(**overrides):
    base = {
        "name": "t",
        "mode": "closed",
        "concurrency": 2,
        "duration": 2,
        "max_requests": 20,
        "requests": [{"method": "GET", "path": "/"}],
    }
    return {**base, **overrides}


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert loadgen.percentile(values, 50) == 50.0
    assert loadgen.percentile(values, 95) == 95.0
    assert loadgen.percentile(values, 99) == 99.0
    assert loadgen.percentile([], 50) is None


def test_closed_mode_stops_at_the_request_cap(server):
    result = asyncio.run(loadgen.run_scenario("127.0.0.1", server.server_port, scenario()))
    assert result["requests"] == 20
    assert result["ok"] == 20
    assert result["statuses"] == {"200": 20}
    assert result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]


def test_unexpected_statuses_are_not_counted_as_ok(server):
    missing = scenario(requests=[{"method": "GET", "path": "/missing"}], max_requests=5)
    result = asyncio.run(loadgen.run_scenario("127.0.0.1", server.server_port, missing))
    assert result["ok"] == 0
    assert result["statuses"] == {"404": 5}
    assert result["unexpected_samples"]


def test_rate_mode_sends_each_body_and_gives_up_on_stragglers(server, monkeypatch):
    monkeypatch.setattr(loadgen, "GRACE", 0.3)
    posts = [{"method": "POST", "path": "/", "body": f"post {i}"} for i in range(10)]
    result = asyncio.run(
        loadgen.run_scenario(
            "127.0.0.1",
            server.server_port,
            scenario(mode="rate", rate=20, duration=0.5, requests=posts, expect=[201]),
        )
    )
    assert result["ok"] == result["requests"] == 10
    assert sorted(server.posted) == sorted(f"post {i}".encode() for i in range(10))

    started = time.perf_counter()
    slow = scenario(mode="rate", rate=4, duration=0.5, requests=[{"path": "/slow"}])
    result = asyncio.run(loadgen.run_scenario("127.0.0.1", server.server_port, slow))
    assert time.perf_counter() - started < 0.5 + 0.3 + 0.5  # bounded: schedule + grace
    assert result["errors"].get("abandoned") == result["requests"] - result["completed"] > 0


def test_refuses_anything_but_loopback():
    with pytest.raises(SystemExit):
        asyncio.run(loadgen.main_async({"host": "10.0.0.1", "port": 80, "scenarios": []}))
