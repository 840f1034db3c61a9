"""A small, bounded HTTP load generator for the benchmarks (loopback only).

    .venv/bin/python bench/loadgen.py plan.json results.json

It runs in its own process, apart from the server, on asyncio with plain
sockets (one connection per request, HTTP/1.1, ``Connection: close``), so its
own cost stays small next to the server's on a two-core machine. Every
scenario is bounded twice: by a number of requests and by a duration.

A plan is a JSON object ``{"host": "127.0.0.1", "port": 8765, "scenarios": [...]}``
where each scenario is::

    {"name": "...", "mode": "closed" | "rate",
     "concurrency": 8,            # closed: that many requests in flight at all times
     "rate": 100,                 # rate: requests started per second, on a fixed schedule
     "duration": 20, "max_requests": 5000, "warmup": 10,
     "expect": [200],
     "requests": [{"method": "GET", "path": "/ping", "headers": {...}, "body": "..."}, ...]}

Requests are used round-robin. In ``rate`` mode latency is measured from the
time the request was due, not the time it was sent, so a server that falls
behind shows it in the percentiles (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

TIMEOUT = 30.0
GRACE = 15.0  # after a rate scenario's schedule ends, how long its stragglers may take
MAX_IN_FLIGHT = 256


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    bytes_received: int = 0
    unexpected_samples: list[str] = field(default_factory=list)


def encode(host: str, port: int, request: dict) -> bytes:
    body = request.get("body", "")
    body_bytes = body.encode() if isinstance(body, str) else bytes(body)
    headers = {
        "Host": f"{host}:{port}",
        "User-Agent": "portal-bench/1",
        "Accept": "*/*",
        "Connection": "close",
        **request.get("headers", {}),
    }
    if body_bytes or request.get("method", "GET") in ("POST", "PUT", "PATCH"):
        headers["Content-Length"] = str(len(body_bytes))
    head = f"{request.get('method', 'GET')} {request['path']} HTTP/1.1\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode("latin-1") + b"\r\n" + body_bytes


async def fetch(host: str, port: int, payload: bytes) -> tuple[int, int, bytes]:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(payload)
        await writer.drain()
        data = await reader.read()  # the server closes after the response
    finally:
        writer.close()
    line_end = data.find(b"\r\n")
    if line_end < 0:
        raise ConnectionError("empty response")
    status = int(data[:line_end].split(b" ", 2)[1])
    return status, len(data), data


async def one(host, port, payload, expect, outcome: Outcome, due: float | None) -> None:
    started = due if due is not None else time.perf_counter()
    try:
        status, size, data = await asyncio.wait_for(fetch(host, port, payload), TIMEOUT)
    except (TimeoutError, OSError, ConnectionError, ValueError, IndexError) as exc:
        # asyncio.wait_for raises TimeoutError; a refused or reset connection, OSError.
        outcome.errors[type(exc).__name__] += 1
        return
    outcome.latencies.append(time.perf_counter() - started)
    outcome.statuses[status] += 1
    outcome.bytes_received += size
    if status not in expect and len(outcome.unexpected_samples) < 3:
        outcome.unexpected_samples.append(data[:600].decode("utf-8", "replace"))


def percentile(sorted_values: list[float], p: float) -> float | None:
    if not sorted_values:
        return None
    rank = max(0, min(len(sorted_values) - 1, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


async def run_scenario(host: str, port: int, scenario: dict) -> dict:
    payloads = [encode(host, port, r) for r in scenario["requests"]]
    expect = set(scenario.get("expect", [200]))
    duration = float(scenario.get("duration", 20))
    max_requests = int(scenario.get("max_requests", 10_000))
    mode = scenario.get("mode", "closed")

    warmup = Outcome()
    for i in range(int(scenario.get("warmup", 0))):
        await one(host, port, payloads[i % len(payloads)], expect, warmup, None)

    outcome = Outcome()
    counter = 0
    started = time.perf_counter()
    deadline = started + duration

    if mode == "closed":
        concurrency = int(scenario.get("concurrency", 8))

        async def user():
            nonlocal counter
            while counter < max_requests and time.perf_counter() < deadline:
                payload = payloads[counter % len(payloads)]
                counter += 1
                await one(host, port, payload, expect, outcome, None)

        await asyncio.gather(*(user() for _ in range(concurrency)))
    else:
        rate = float(scenario["rate"])
        in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
        tasks = []

        async def scheduled(payload, due):
            async with in_flight:
                await one(host, port, payload, expect, outcome, due)

        while counter < max_requests:
            due = started + counter / rate
            if due >= deadline:
                break
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(scheduled(payloads[counter % len(payloads)], due)))
            counter += 1
        # A server that cannot keep up leaves a queue behind: wait a bounded
        # time for it, then give up on the rest (reported as "abandoned").
        _done, pending = await asyncio.wait(tasks, timeout=GRACE) if tasks else (set(), set())
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
            outcome.errors["abandoned"] += len(pending)

    elapsed = time.perf_counter() - started
    latencies = sorted(outcome.latencies)
    completed = len(latencies)
    ok = sum(n for status, n in outcome.statuses.items() if status in expect)
    ms = lambda v: None if v is None else round(v * 1000, 2)  # noqa: E731
    return {
        "name": scenario["name"],
        "mode": mode,
        "concurrency": scenario.get("concurrency") if mode == "closed" else None,
        "target_rate": scenario.get("rate") if mode == "rate" else None,
        "requests": counter,
        "completed": completed,
        "ok": ok,
        "statuses": {str(k): v for k, v in sorted(outcome.statuses.items())},
        "errors": dict(outcome.errors),
        "elapsed_s": round(elapsed, 2),
        "rps": round(completed / elapsed, 1) if elapsed else None,
        "ok_rps": round(ok / elapsed, 1) if elapsed else None,
        "p50_ms": ms(percentile(latencies, 50)),
        "p95_ms": ms(percentile(latencies, 95)),
        "p99_ms": ms(percentile(latencies, 99)),
        "max_ms": ms(latencies[-1] if latencies else None),
        "mean_bytes": round(outcome.bytes_received / completed) if completed else None,
        "unexpected_samples": outcome.unexpected_samples,
    }


async def settle(host: str, port: int, limit: float = 30.0) -> float:
    """Wait until the server answers /ping quickly again, so scenarios do not overlap."""
    started = time.perf_counter()
    payload = encode(host, port, {"method": "GET", "path": "/ping"})
    quick = 0
    while time.perf_counter() - started < limit and quick < 3:
        probe = Outcome()
        await one(host, port, payload, {200}, probe, None)
        quick = quick + 1 if probe.latencies and probe.latencies[0] < 0.05 else 0
        await asyncio.sleep(0.2)
    return round(time.perf_counter() - started, 1)


async def main_async(plan: dict) -> list[dict]:
    host, port = plan.get("host", "127.0.0.1"), int(plan["port"])
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loadgen drives loopback only")
    results = []
    for scenario in plan["scenarios"]:
        waited = await settle(host, port)
        result = await run_scenario(host, port, scenario)
        result["settled_before_s"] = waited
        print(
            f"  {result['name']}: {result['ok']}/{result['requests']} ok, "
            f"{result['rps']} req/s, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
            f"p99 {result['p99_ms']} ms",
            flush=True,
        )
        results.append(result)
    return results


def main() -> int:
    plan_path, out_path = sys.argv[1], sys.argv[2]
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    results = asyncio.run(main_async(plan))
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
