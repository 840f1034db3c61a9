"""SQL queries per page, counted in-process against the bench database.

    .venv/bin/python bench/querycount.py --seed 1 > queries.json

Each page is requested with Django's test Client (the whole middleware stack,
production settings) once to warm the process-level caches, then again inside
``CaptureQueriesContext``; the second count is the one reported. Pages are
counted for articles with 10, 500 and 5,000 comments, as an anonymous reader,
a signed-in stakeholder and a drafter of the lead ministry (who sees
restricted comments too): a page whose count grows with the comments has a
query per row somewhere.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from targets import targets  # noqa: E402  (sets Django up)

from stakeholders.models import User  # noqa: E402

READERS = {"anonymous": None, "stakeholder": "u0060", "drafter": "u0000"}


def measure(client: Client, path: str) -> dict:
    client.get(path)  # warm-up: translations, content types, the session
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
    result = {
        "status": response.status_code,
        **(
            {"error": f"{response.exc_info[0].__name__}: {response.exc_info[1]}"[:300]}
            if getattr(response, "exc_info", None)
            else {}
        ),
        "queries": len(captured.captured_queries),
        "ms": round(elapsed * 1000, 1),
        "bytes": len(response.content),
    }
    if os.environ.get("BENCH_SHOW_QUERIES"):
        result["sql"] = [q["sql"][:300] for q in captured.captured_queries]
    return result


def main() -> int:
    # A failing page is reported in the results (status and error), not as a traceback.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    found = targets(args.seed)
    families = {
        "article page": "page",
        "API comment list": "api_comments",
        "API thread list": "api_threads",
    }
    out = {"families": {}, "whole_draft": {}}
    for reader, username in READERS.items():
        client = Client(raise_request_exception=False)
        if username:
            client.force_login(User.objects.get(username=username))
        for family, key in families.items():
            rows = out["families"].setdefault(family, {}).setdefault(reader, {})
            for article in found["articles"].values():
                path = article.get(key)
                rows[str(article["comments"])] = (
                    measure(client, path) if path else {"missing": True}
                )
        for name, path in found["pages"].items():
            if name != "ping" and path:
                out["whole_draft"].setdefault(name, {})[reader] = measure(client, path)
    for family, by_reader in out["families"].items():
        counts = {
            row.get("queries")
            for rows in by_reader.values()
            for row in rows.values()
            if "queries" in row
        }
        per_reader = [
            len({row.get("queries") for row in rows.values() if "queries" in row})
            for rows in by_reader.values()
        ]
        out.setdefault("constant", {})[family] = (
            None if not counts else all(n == 1 for n in per_reader)
        )
    json.dump(out, sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
