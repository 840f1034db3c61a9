"""Search on the bench consultation: how long one search takes, in-process.

    .venv/bin/python bench/search.py > search.json

1. makes sure the index is complete: the generator writes comments in bulk
   (no saves, so no index rows), so the index is rebuilt through the same
   service as ``manage.py search_index``, and the time it took is reported;
2. for one-word and three-word queries (English and Khmer, and a phrase), as
   an anonymous reader, a signed-in stakeholder and a drafter of the lead
   ministry, runs ``search.selectors.search`` (facet counts with the total,
   one page of 20 ranked hits with snippets), warm once, then ``ROUNDS``
   times, and reports the median, the 95th percentile and the slowest;
3. requests the page ``/search/`` the same way with the test Client (the whole
   middleware stack and the template), for the anonymous reader.

Single-threaded, on whatever else the machine is doing: the load average is
reported with the figures.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from comments.models import Comment  # noqa: E402
from search import services  # noqa: E402
from search.models import Entry  # noqa: E402
from search.selectors import SearchParams, search  # noqa: E402
from stakeholders.models import User  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_SEARCH_ROUNDS", "20"))
READERS = {"anonymous": None, "stakeholder": "u0060", "drafter": "u0000"}
QUERIES = {
    "one word": ["retention", "oversight", "penalty", "court", "security", "ទិន្នន័យ"],
    "three words": [
        "judicial oversight powers",
        "data protection principles",
        "legitimate security research",
        "traffic data retention",
        '"computer system" defined',
        "ប្រព័ន្ធ កុំព្យូទ័រ ទិន្នន័យ",
    ],
}


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(percentile(samples, 0.95), 1),
        "max_ms": round(max(samples), 1),
    }


def ensure_index() -> dict:
    comments = Comment.objects.count()
    indexed = Entry.objects.filter(source=Entry.Source.COMMENT).count()
    if indexed == comments:
        return {"rebuilt": False, "comments": comments}
    started = time.perf_counter()
    objects = services.rebuild()
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_entry")
    return {"rebuilt": True, "comments": comments, "objects": objects, "seconds": round(seconds, 1)}


def time_selector(user, q: str) -> tuple[float, int]:
    started = time.perf_counter()
    results = search(user=user, params=SearchParams(q=q))
    return (time.perf_counter() - started) * 1000, results.total


def main() -> int:
    out: dict = {"load_average_start": list(os.getloadavg()), "rounds": ROUNDS}
    out["index"] = ensure_index()
    out["entries"] = Entry.objects.count()
    out["selector"] = {}
    out["totals"] = {}
    for reader, username in READERS.items():
        user = AnonymousUser() if username is None else User.objects.get(username=username)
        out["selector"][reader] = {}
        for group, queries in QUERIES.items():
            samples = []
            for q in queries:
                _ms, total = time_selector(user, q)  # warm
                out["totals"].setdefault(reader, {})[q] = total
                samples += [time_selector(user, q)[0] for _ in range(ROUNDS)]
            out["selector"][reader][group] = summary(samples)
    client = Client()
    out["page"] = {}
    for group, queries in QUERIES.items():
        samples = []
        for q in queries:
            assert client.get("/search/", {"q": q}).status_code == 200
            for _ in range(ROUNDS):
                started = time.perf_counter()
                client.get("/search/", {"q": q})
                samples.append((time.perf_counter() - started) * 1000)
        out["page"][group] = summary(samples)
    out["load_average_end"] = list(os.getloadavg())
    json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
