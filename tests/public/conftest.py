"""A round with every kind of comment, answered, with an amendment applied in version 2."""

import importlib
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from comments import services
from comments.models import Comment
from drafts import services as draft_services


def seed_portal_pages():
    """The pages the data migration creates; a transactional test's flush empties the table."""
    from public.models import Page

    seed = importlib.import_module("public.migrations.0002_seed_pages")
    for fields in seed.PAGES:
        if not Page.objects.filter(slug=fields["slug"]).exists():
            Page.objects.create(**fields)
    importlib.import_module("public.migrations.0003_accessibility_known_gaps").revise(Page)


@pytest.fixture(autouse=True)
def portal_pages(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if transactional or "db" in request.fixturenames or marker is not None:
        request.getfixturevalue("transactional_db" if transactional else "db")
        seed_portal_pages()


@dataclass
class Round:
    c: object
    public: Comment
    reply: Comment
    participants: Comment
    restricted: Comment
    hidden: Comment
    withdrawn: Comment
    amendment: Comment
    reply_in_restricted: Comment
    v2: object = None


@pytest.fixture
def round_(consultation):
    # The process's own media folder, not one per test: a Celery worker started earlier in
    # the session writes there, and open data it builds for this round must be readable.
    c = consultation

    def post(body, by=None, **kwargs):
        return services.comment_create(
            by=by or c.stakeholder_a, version=c.version, provision=c.article, body=body, **kwargs
        )

    public = post("Public words of organisation A")
    reply = services.comment_reply(parent=public, by=c.stakeholder_b, body="A public reply")
    participants = post("Words for participants only", visibility="participants")
    restricted = post("Restricted words", visibility="restricted")
    reply_in_restricted = services.comment_reply(
        parent=restricted, by=c.drafter, body="Reply under a restricted note"
    )
    hidden = post("Words a moderator hid")
    services.comment_hide(comment=hidden, by=c.moderator, reason="Off topic")
    withdrawn = post("Words taken back")
    services.comment_withdraw(comment=withdrawn, by=c.stakeholder_a, reason="Changed our mind")
    amendment = post(
        "Require intent.",
        by=c.stakeholder_b,
        kind=Comment.Kind.AMENDMENT,
        proposed_text=c.article.text_en.replace(
            "Nobody shall access", "Nobody shall intentionally access"
        ),
    )
    services.endorsement_create(comment=public, by=c.stakeholder_b)
    services.disposition_record(comment=public, by=c.drafter, status="noted", response="Thank you.")
    return Round(
        c,
        public,
        reply,
        participants,
        restricted,
        hidden,
        withdrawn,
        amendment,
        reply_in_restricted,
    )


@pytest.fixture
def answered_round(round_):
    """Version 2 published, with the amendment applied in it."""
    c = round_.c
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    services.amendment_apply(
        comment=round_.amendment, by=c.drafter, working_version=working, response="Intent added."
    )
    draft_services.version_publish(
        version=working, by=c.drafter, closes_at=timezone.now() + timedelta(days=10)
    )
    working.refresh_from_db()
    c.version.refresh_from_db()
    round_.v2 = working
    return round_
