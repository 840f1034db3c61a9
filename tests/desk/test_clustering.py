"""Near-duplicate clustering: campaigns found in a seeded corpus, stored, recomputed, answered once."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from django.db import transaction

from comments import services as comment_services
from comments.models import Disposition
from core.errors import PolicyDenied
from desk import clustering, services
from desk.models import Cluster, ClusterMember, CommentSignature
from desk.selectors import cluster_members, cluster_statuses, differing_words
from tests.desk.campaign_corpus import CAMPAIGN_LETTERS, corpus


def test_campaigns_are_found_in_the_seeded_corpus():
    """3 campaigns x 200 variants (1-5 edited words; English and Khmer) among 2,000 distinct comments."""
    items = corpus(distinct=2000, variants=200)
    assert len(items) == 2600
    assert {c.language for c in items if c.campaign == "khmer"} == {"km"}
    groups = clustering.group((c.key, clustering.signature(c.text)) for c in items)
    cluster_of = {key: index for index, members in enumerate(groups) for key in members}

    for campaign in CAMPAIGN_LETTERS:
        keys = [c.key for c in items if c.campaign == campaign]
        placed = Counter(cluster_of[k] for k in keys if k in cluster_of)
        assert placed, f"campaign {campaign} not found"
        main_cluster, landed = placed.most_common(1)[0]
        assert landed / len(keys) >= 0.95, f"{campaign}: only {landed} of {len(keys)} variants"
        # The campaign's cluster is its own: no other campaign's variants in it.
        others = [
            c for c in items if cluster_of.get(c.key) == main_cluster and c.campaign != campaign
        ]
        assert len(others) < 0.01 * 2000

    distinct = [c.key for c in items if c.campaign is None]
    merged = sum(1 for key in distinct if key in cluster_of)
    assert merged / len(distinct) < 0.01, f"{merged} distinct comments merged into clusters"


def test_khmer_words_are_found_without_spaces():
    text = "យើងខ្ញុំសូមស្នើឱ្យក្រសួងការពារឯកជនភាព"
    words = clustering.tokens(text)
    assert len(words) >= 5
    assert "".join(words) == text


def test_short_texts_are_never_clustered():
    short = clustering.signature("I agree with this article.")
    assert not short.clusterable
    assert (
        clustering.group([(1, short), (2, clustering.signature("I agree with this article."))])
        == []
    )


def test_differing_words_name_what_a_variant_changed():
    letter = CAMPAIGN_LETTERS["privacy"][1]
    variant = letter.replace("thirty days", "ten days").replace("Please protect", "Please defend")
    added, removed = differing_words(letter, variant)
    assert added == ["ten", "defend"]
    assert removed == ["thirty", "protect"]


# --- stored clusters ----------------------------------------------------------------------


def _post_campaign(c, count, *, seed=5):
    rng = random.Random(seed)
    letter = CAMPAIGN_LETTERS["privacy"][1].split(" ")
    posted = []
    for index in range(count):
        words = list(letter)
        for _edit in range(rng.randint(1, 5)):
            words[rng.randrange(len(words))] = rng.choice(["kindly", "urgently", "also", "now"])
        author = c.stakeholder_a if index % 2 else c.stakeholder_b
        posted.append(
            comment_services.comment_create(
                by=author, version=c.version, provision=c.article, body=" ".join(words)
            )
        )
    return posted


def _post_distinct(c, count):
    items = [item for item in corpus(distinct=count, variants=0) if item.campaign is None]
    return [
        comment_services.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body=item.text
        )
        for item in items
    ]


@pytest.mark.django_db
def test_clusters_are_stored_and_a_second_run_is_a_no_op(consultation):
    c = consultation
    campaign = _post_campaign(c, 12)
    _post_distinct(c, 10)
    result = services.clusters_recompute(version_id=c.version.pk)
    assert result.clusters == 1
    assert result.signatures_computed == 22
    cluster = Cluster.objects.get()
    assert cluster.size == 12
    assert set(ClusterMember.objects.values_list("comment_id", flat=True)) == {
        x.pk for x in campaign
    }
    assert cluster.representative_id in {x.pk for x in campaign}

    assert services.clusters_recompute(version_id=c.version.pk) is None  # nothing new

    # One more variant: the cluster keeps its id and grows; only the new text is hashed.
    newcomer = _post_campaign(c, 1, seed=99)[0]
    result = services.clusters_recompute(version_id=c.version.pk)
    assert result.signatures_computed == 1
    cluster_again = Cluster.objects.get()
    assert cluster_again.pk == cluster.pk
    assert cluster_again.size == 13
    assert ClusterMember.objects.filter(comment=newcomer, cluster=cluster).exists()
    assert CommentSignature.objects.count() == 23


@pytest.mark.django_db
def test_a_withdrawn_comment_leaves_its_cluster(consultation):
    c = consultation
    campaign = _post_campaign(c, 4)
    services.clusters_recompute(version_id=c.version.pk)
    comment_services.comment_withdraw(comment=campaign[1], by=c.stakeholder_a)
    services.clusters_recompute(version_id=c.version.pk)
    assert Cluster.objects.get().size == 3


@pytest.mark.django_db
def test_answering_a_cluster_records_a_disposition_on_every_member(consultation):
    c = consultation
    campaign = _post_campaign(c, 6)
    services.clusters_recompute(version_id=c.version.pk)
    cluster = Cluster.objects.select_related("version__draft").get()

    with pytest.raises(PolicyDenied):
        services.cluster_answer(cluster=cluster, by=c.stakeholder_a, status="noted", response="No")

    answered = services.cluster_answer(
        cluster=cluster,
        by=c.drafter,
        status=Disposition.Status.PARTLY_ACCEPTED,
        response="A warrant will be required; see the next version.",
    )
    assert answered == 6
    for comment in campaign:
        disposition = Disposition.objects.get(comment=comment)
        assert disposition.status == Disposition.Status.PARTLY_ACCEPTED
        assert disposition.responded_by == c.drafter
        latest = disposition.history.latest()
        assert latest.history_change_reason == f"Answered with cluster #{cluster.pk}"
    assert cluster_statuses(cluster) == {Disposition.Status.PARTLY_ACCEPTED: 6}

    # Each member stays individually reversible.
    one = campaign[0]
    comment_services.disposition_record(
        comment=one, by=c.drafter, status="rejected", response="This letter asked for more."
    )
    assert cluster_statuses(cluster) == {
        Disposition.Status.PARTLY_ACCEPTED: 5,
        Disposition.Status.REJECTED: 1,
    }


@pytest.mark.django_db
def test_answering_a_cluster_is_all_or_nothing(consultation, monkeypatch):
    c = consultation
    _post_campaign(c, 3)
    services.clusters_recompute(version_id=c.version.pk)
    cluster = Cluster.objects.select_related("version__draft").get()
    calls = []
    real = comment_services.disposition_record

    def fail_on_third(**kwargs):
        calls.append(kwargs["comment"].pk)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(comment_services, "disposition_record", fail_on_third)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.cluster_answer(cluster=cluster, by=c.drafter, status="noted", response="Noted.")
    assert not Disposition.objects.exclude(status=Disposition.Status.PENDING).exists()


@pytest.mark.django_db
def test_cluster_members_show_their_differing_words(consultation):
    c = consultation
    _post_campaign(c, 5)
    services.clusters_recompute(version_id=c.version.pk)
    cluster = Cluster.objects.select_related("representative", "version__draft").get()
    _page, rows = cluster_members(cluster=cluster, user=c.drafter, page=1)
    assert len(rows) == 5
    others = [row for row in rows if row.comment.pk != cluster.representative_id]
    assert all(row.added or row.removed for row in others)
    # What differs is the campaign's edits, against a representative that is itself a copy.
    letter_words = set(clustering.tokens(CAMPAIGN_LETTERS["privacy"][1]))
    edits = {"kindly", "urgently", "also", "now"}
    assert all(set(row.added) | set(row.removed) <= letter_words | edits for row in others)
    assert any(set(row.added) & edits for row in others)


@pytest.mark.django_db
def test_a_new_comment_enqueues_clustering_through_the_outbox(consultation, monkeypatch):
    from core.events import relay_pending
    from desk import tasks

    enqueued = []
    monkeypatch.setattr(tasks.clusters_recompute, "delay", enqueued.append)
    c = consultation
    comment_services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="A new thought."
    )
    relay_pending()
    assert enqueued == [c.version.pk]


@pytest.mark.django_db
def test_a_burst_of_comments_sends_one_recompute_until_it_starts(consultation, monkeypatch):
    """While a recompute waits in the queue the next comments send none (it will read them);
    once it has started, the next comment sends a new one (it may not have read that)."""
    from django.core.cache import cache

    from core.events import relay_pending
    from desk import tasks

    enqueued = []
    monkeypatch.setattr(tasks.clusters_recompute, "delay", enqueued.append)
    cache.delete(tasks.QUEUED_KEY.format(consultation.version.pk))
    c = consultation
    for n in range(3):
        comment_services.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body=f"Thought {n}."
        )
    relay_pending()  # each comment's event delivered in turn
    assert enqueued == [c.version.pk]
    tasks.clusters_recompute(c.version.pk)  # the worker takes the queued one
    comment_services.comment_create(
        by=c.stakeholder_b, version=c.version, provision=c.article, body="A later thought."
    )
    relay_pending()
    assert enqueued == [c.version.pk, c.version.pk]


@pytest.mark.django_db
def test_a_recompute_the_broker_refused_is_sent_again_by_the_relay(consultation, monkeypatch):
    from django.core.cache import cache
    from kombu.exceptions import OperationalError

    from core.events import relay_pending
    from core.models import OutboxEvent
    from desk import tasks

    c = consultation
    cache.delete(tasks.QUEUED_KEY.format(c.version.pk))

    def broker_away(version_id):
        raise OperationalError("broker away")

    monkeypatch.setattr(tasks.clusters_recompute, "delay", broker_away)
    comment_services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="A new thought."
    )
    relay_pending()  # the broker refuses: the event stays, and no recompute is marked queued
    assert OutboxEvent.objects.filter(name="comment.created", dispatched_at=None).exists()
    enqueued = []
    monkeypatch.setattr(tasks.clusters_recompute, "delay", enqueued.append)
    relay_pending()
    assert enqueued == [c.version.pk]
    assert not OutboxEvent.objects.filter(name="comment.created", dispatched_at=None).exists()
