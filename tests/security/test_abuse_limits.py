"""Posting rate limits per account and per organisation; size and depth limits."""

import pytest
from django.conf import settings
from django.test import override_settings

from comments import services
from comments.models import Comment
from core.errors import DomainError
from tests.factories import member


def limits(user="3/10m", org="5/h", **extra):
    return override_settings(
        PORTAL={
            **settings.PORTAL,
            "POST_RATE_PER_USER": user,
            "POST_RATE_PER_ORGANISATION": org,
            **extra,
        }
    )


def post(c, by, body="A point about scope."):
    return services.comment_create(by=by, version=c.version, provision=c.article, body=body)


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("20/10m", (20, 600)), ("200/h", (200, 3600)), ("5/30s", (5, 30)), ("1/d", (1, 86400))],
)
def test_parse_rate(rate, parsed):
    assert services.parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "0"])
def test_an_empty_rate_means_no_limit(rate):
    assert services.parse_rate(rate) is None


@pytest.mark.parametrize("rate", ["twenty/h", "20/10x", "20/m/s"])
def test_a_malformed_rate_is_a_configuration_error(rate):
    with pytest.raises(ValueError, match="Invalid posting rate"):
        services.parse_rate(rate)


def test_per_account_limit(consultation, clean_cache):
    c = consultation
    with limits():
        first = post(c, c.stakeholder_a)
        services.comment_reply(by=c.stakeholder_a, parent=first, body="And a follow-up.")
        post(c, c.stakeholder_a)
        before = Comment.objects.count()
        with pytest.raises(DomainError) as refused:
            post(c, c.stakeholder_a)
        with pytest.raises(DomainError):
            services.comment_reply(by=c.stakeholder_a, parent=first, body="One more.")
        # Another account of another organisation is not affected.
        post(c, c.stakeholder_b)
    assert refused.value.code == "rate_limited"
    assert "limit of 3 posts for your account" in refused.value.message
    assert "You may post again in" in refused.value.message
    assert 0 < refused.value.retry_after <= 600
    assert Comment.objects.count() == before + 1


def test_per_organisation_limit(consultation, clean_cache):
    c = consultation
    colleagues = [member(organisation=c.org_a, username=f"colleague{i}") for i in range(3)]
    with limits(user="10/h", org="4/h"):
        post(c, c.stakeholder_a)
        post(c, c.stakeholder_a)
        post(c, colleagues[0])
        post(c, colleagues[1])
        with pytest.raises(DomainError) as refused:
            post(c, colleagues[2])
        post(c, c.stakeholder_b)
    assert refused.value.code == "rate_limited"
    assert "Your organisation has reached its limit of 4 posts" in refused.value.message


def test_refused_posts_do_not_use_up_the_allowance(consultation, clean_cache):
    c = consultation
    with limits(user="2/10m", org=""):
        for _ in range(3):
            with pytest.raises(DomainError):
                post(c, c.stakeholder_a, body="x" * (settings.PORTAL["COMMENT_MAX_LENGTH"] + 1))
        post(c, c.stakeholder_a)
        post(c, c.stakeholder_a)
        with pytest.raises(DomainError, match="limit of 2 posts"):
            post(c, c.stakeholder_a)


def test_the_allowance_comes_back_after_the_window(consultation, clean_cache, monkeypatch):
    import time

    c = consultation
    clock = [1_800_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    with limits(user="1/10m", org=""):
        post(c, c.stakeholder_a)
        with pytest.raises(DomainError):
            post(c, c.stakeholder_a)
        clock[0] += 601
        post(c, c.stakeholder_a)


def test_size_limit_with_a_clear_error(consultation):
    c = consultation
    with limits(user="", org="", COMMENT_MAX_LENGTH=500):
        before = Comment.objects.count()
        with pytest.raises(DomainError) as refused:
            post(c, c.stakeholder_a, body="y" * 501)
        post(c, c.stakeholder_a, body="y" * 500)
    assert refused.value.code == "too_long"
    assert refused.value.field == "body"
    assert "500" in refused.value.message
    assert "501" in refused.value.message
    assert Comment.objects.count() == before + 1


def test_depth_limit_with_a_clear_error(consultation):
    c = consultation
    with limits(user="", org="", COMMENT_MAX_DEPTH=3):
        node = post(c, c.stakeholder_a)
        for depth in range(1, 4):
            node = services.comment_reply(by=c.stakeholder_b, parent=node, body=f"Depth {depth}")
            assert node.depth == depth
        before = Comment.objects.count()
        with pytest.raises(DomainError) as refused:
            services.comment_reply(by=c.stakeholder_a, parent=node, body="Too deep")
    assert refused.value.code == "too_deep"
    assert "reply to an earlier comment" in refused.value.message
    assert Comment.objects.count() == before


@pytest.mark.services
def test_limits_are_shared_through_redis(consultation, redis_url):
    """In production the counts live in Redis, so every web process sees the same ones."""
    import uuid

    from django.core.cache import caches

    c = consultation
    redis_cache = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"security-test-{uuid.uuid4().hex}",
        }
    }
    with override_settings(CACHES=redis_cache), limits(user="2/10m", org=""):
        assert type(caches["default"]).__name__ == "RedisCache"
        post(c, c.stakeholder_a)
        post(c, c.stakeholder_a)
        with pytest.raises(DomainError) as refused:
            post(c, c.stakeholder_a)
        assert refused.value.code == "rate_limited"
        # No clear(): it would flush the whole Redis database, Celery queues included.
        # The keys carry this test's own prefix and expire with their window.


class _RedisDown:
    """A cache whose Redis refuses every connection."""

    def _down(self, *args, **kwargs):
        from redis.exceptions import ConnectionError as RedisConnectionError

        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    get = add = incr = set = _down


def test_with_redis_down_the_limit_is_counted_in_the_database(consultation, monkeypatch, caplog):
    import django.core.cache

    c = consultation
    monkeypatch.setattr(django.core.cache, "cache", _RedisDown())
    with limits(user="3/10m", org=""):
        first = post(c, c.stakeholder_a)
        services.comment_reply(by=c.stakeholder_a, parent=first, body="And a follow-up.")
        post(c, c.stakeholder_a)
        with pytest.raises(DomainError) as refused:
            post(c, c.stakeholder_a)
        post(c, c.stakeholder_b)  # another account still posts
    assert refused.value.code == "rate_limited"
    assert Comment.objects.filter(author=c.stakeholder_a).count() == 3
    assert "cache unreachable" in caplog.text


def test_with_redis_down_the_organisation_limit_is_counted_in_the_database(
    consultation, monkeypatch
):
    import django.core.cache

    c = consultation
    colleague = member(organisation=c.org_a, username="colleague")
    monkeypatch.setattr(django.core.cache, "cache", _RedisDown())
    with limits(user="", org="2/h"):
        post(c, c.stakeholder_a)
        post(c, colleague)
        with pytest.raises(DomainError):
            post(c, c.stakeholder_a)
