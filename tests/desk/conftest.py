"""Fixtures of the drafting desk: a second drafter, comments on the open version, a working v2."""

from dataclasses import dataclass

import pytest

from comments import services as comment_services
from comments.models import Comment
from drafts import services as draft_services
from stakeholders.models import Membership
from tests.browser.conftest import browser, page, screenshots_dir  # noqa: F401 - shared fixtures
from tests.factories import member


@dataclass
class Round:
    v1: object
    v2: object
    comment: object
    amendment: object
    restricted: object
    article: object


@pytest.fixture
def second_drafter(consultation):
    return member(
        Membership.Role.DRAFTER, organisation=consultation.lead_ministry, username="drafter2"
    )


@pytest.fixture
def desk_round(consultation):
    """Comments (one an amendment) on version 1, and working version 2 started from it."""
    c = consultation
    articles = list(c.articles.values())
    article = articles[0]
    comment = comment_services.comment_create(
        by=c.stakeholder_a,
        version=c.version,
        provision=articles[1],
        body="This article is too broad.",
        quote_exact="Nobody shall access",
    )
    amendment = comment_services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=article,
        kind=Comment.Kind.AMENDMENT,
        body="Require intent.",
        proposed_text=article.text_en.replace(
            "Nobody shall access", "Nobody shall intentionally access"
        ),
    )
    restricted = comment_services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=articles[2],
        body="A confidential concern.",
        visibility="restricted",
    )
    v2 = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    return Round(
        v1=c.version,
        v2=v2,
        comment=comment,
        amendment=amendment,
        restricted=restricted,
        article=article,
    )


def working_article(round_, stable_id=None):
    return round_.v2.provisions.get(stable_id=stable_id or round_.article.stable_id)
