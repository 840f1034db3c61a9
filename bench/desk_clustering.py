"""Desk clustering at scale: 20,000 comments on one version, clustered on one worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_desk \\
        .venv/bin/python bench/desk_clustering.py --comments 20000 --out data/bench/desk.json

Loads (once; reused when present) a consultation whose open version carries
``--comments`` first comments: the seeded campaign corpus of the tests (three
form-letter campaigns of 200 lightly edited copies, English and Khmer) and, for
the rest, distinct comments from the same generator. Then, in this one process
(what one Celery worker does with ``desk.tasks.clusters_recompute``):

1. a cold run: every signature computed and stored, then grouped and saved;
2. a warm run (forced): signatures read back, grouped and saved again;
3. the review desk's queries for a drafter, on page 1 and a later page, filtered.

It prints and writes the timings, the campaign recall, the distinct comments merged,
and the machine's load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from simple_history.utils import bulk_create_with_history  # noqa: E402

from comments.models import Comment, Disposition  # noqa: E402
from comments.rendering import render_markdown  # noqa: E402
from desk import services  # noqa: E402
from desk.models import ClusterMember, CommentSignature  # noqa: E402
from drafts.models import Draft, DraftVersion, Provision  # noqa: E402
from stakeholders.models import Membership, Organisation, User  # noqa: E402
from tests.desk.campaign_corpus import corpus  # noqa: E402

SLUG = "desk-bench"
CAMPAIGN_VARIANTS = 200


def _load(total: int) -> tuple[DraftVersion, User, dict[int, str | None]]:
    """The bench consultation, created on first use; returns its version, a drafter, campaigns."""
    items = corpus(distinct=total - 3 * CAMPAIGN_VARIANTS, variants=CAMPAIGN_VARIANTS)
    draft = Draft.objects.filter(slug=SLUG).first()
    if draft is not None:
        version = draft.versions.get(number=1)
        drafter = User.objects.get(username="desk-bench-drafter")
        bodies = dict(Comment.objects.filter(version=version).values_list("body", "pk"))
        if len(bodies) >= total * 0.99:
            return version, drafter, {bodies.get(i.text): i.campaign for i in items}
        raise SystemExit(f"{SLUG} exists with other data; drop it or use another database")
    now = timezone.now()
    with transaction.atomic():
        ministry = Organisation.objects.create(
            slug="desk-bench-ministry", name_en="Bench Ministry", kind="ministry"
        )
        public = Organisation.objects.create(slug="desk-bench-ngo", name_en="Bench NGO", kind="ngo")
        drafter = User.objects.create(username="desk-bench-drafter", active_organisation=ministry)
        author = User.objects.create(username="desk-bench-author", active_organisation=public)
        Membership.objects.create(user=drafter, organisation=ministry, role="drafter")
        Membership.objects.create(user=author, organisation=public, role="stakeholder")
        draft = Draft.objects.create(
            slug=SLUG, title_en="Bench law", short_title_en="Bench", lead_ministry=ministry
        )
        version = DraftVersion.objects.create(
            draft=draft,
            number=1,
            status=DraftVersion.Status.WORKING,
        )
        article = Provision.objects.create(
            version=version,
            stable_id="art_1",
            kind="article",
            number="1",
            position=1,
            text_en="Nobody shall access a computer system without right.",
        )
        version.status = DraftVersion.Status.IN_CONSULTATION
        version.opens_at = now - timezone.timedelta(days=1)
        version.closes_at = now + timezone.timedelta(days=30)
        version.published_at = now
        version.save()
        start = (Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        comments = [
            Comment(
                pk=start + index,
                version=version,
                provision=article,
                body=item.text,
                body_html=render_markdown(item.text),
                author=author,
                organisation=public,
                thread_organisation=public,
                thread_path=f"{start + index:012d}",
                created_at=now - timezone.timedelta(seconds=total - index),
            )
            for index, item in enumerate(items)
        ]
        bulk_create_with_history(comments, Comment, batch_size=2000)
        bulk_create_with_history(
            [Disposition(comment_id=c.pk) for c in comments], Disposition, batch_size=2000
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return version, drafter, {c.pk: item.campaign for c, item in zip(comments, items, strict=True)}


def _quality(version, campaigns: dict[int, str | None]) -> dict:
    cluster_of = dict(
        ClusterMember.objects.filter(cluster__version=version).values_list(
            "comment_id", "cluster_id"
        )
    )
    recall = {}
    for name in sorted({c for c in campaigns.values() if c}):
        members = [pk for pk, campaign in campaigns.items() if campaign == name]
        landed = Counter(cluster_of[pk] for pk in members if pk in cluster_of)
        recall[name] = (landed.most_common(1)[0][1] if landed else 0) / len(members)
    distinct = [pk for pk, campaign in campaigns.items() if campaign is None]
    merged = sum(1 for pk in distinct if pk in cluster_of)
    return {"recall": recall, "distinct": len(distinct), "distinct_merged": merged}


def _desk_queries(version, drafter) -> dict:
    client = Client()
    client.force_login(drafter)
    url = reverse("desk:review", kwargs={"slug": version.draft.slug, "number": version.number})
    out = {}
    for label, query in (
        ("page 1", {}),
        ("page 400", {"page": 400}),
        ("in a cluster, page 3", {"cluster": "any", "page": 3}),
    ):
        with CaptureQueriesContext(connection) as queries:
            started = time.monotonic()
            response = client.get(url, query)
            seconds = time.monotonic() - started
        assert response.status_code == 200, response.status_code
        out[label] = {"queries": len(queries), "seconds": round(seconds, 2)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    load_start = os.getloadavg()
    started = time.monotonic()
    version, drafter, campaigns = _load(args.comments)
    loaded = time.monotonic() - started

    # Cold: as if no comment had been seen before (every signature computed).
    CommentSignature.objects.filter(version=version).delete()
    # CPU seconds of this process, besides the wall clock: on a shared machine the
    # wall clock mostly measures the other processes' load (see load_average).
    cpu = time.process_time()
    cold = services.clusters_recompute(version_id=version.pk, force=True)
    cold_cpu = time.process_time() - cpu
    cpu = time.process_time()
    warm = services.clusters_recompute(version_id=version.pk, force=True)
    warm_cpu = time.process_time() - cpu
    result = {
        "comments": cold.comments,
        "load_seconds": round(loaded, 1),
        "cold": {
            "seconds": round(cold.seconds, 1),
            "cpu_seconds": round(cold_cpu, 1),
            "signatures": cold.signatures_computed,
            "clusters": cold.clusters,
        },
        "warm": {
            "seconds": round(warm.seconds, 1),
            "cpu_seconds": round(warm_cpu, 1),
            "signatures": warm.signatures_computed,
            "clusters": warm.clusters,
        },
        "quality": _quality(version, campaigns),
        "desk_queries": _desk_queries(version, drafter),
        "load_average": {"start": load_start, "end": os.getloadavg()},
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
