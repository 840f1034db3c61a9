"""A consultation with comments of every visibility and state, in English and Khmer."""

from dataclasses import dataclass

import pytest

from comments import services
from comments.models import Comment


@dataclass
class Corpus:
    c: object
    public: Comment
    khmer: Comment
    participants: Comment
    restricted: Comment
    hidden: Comment
    withdrawn: Comment
    hostile: Comment
    answered: Comment


# One word each, so a search for it finds exactly one comment (or nothing).
WORDS = {
    "public": "lighthouse",
    "participants": "orchard",
    "restricted": "submarine",
    "hidden": "volcano",
    "withdrawn": "glacier",
}
# "ទិន្នន័យ" (data) inside a Khmer sentence written without spaces.
KHMER_SENTENCE = "យើងស្នើឱ្យការពារទិន្នន័យផ្ទាល់ខ្លួនរបស់ពលរដ្ឋ"


@pytest.fixture
def corpus(consultation) -> Corpus:
    c = consultation

    def post(body, **kwargs):
        return services.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body=body, **kwargs
        )

    public = post(f"The {WORDS['public']} clause protects computer systems used by the press.")
    khmer = post(KHMER_SENTENCE)
    participants = post(f"An {WORDS['participants']} of ideas", visibility="participants")
    restricted = post(f"A diplomatic {WORDS['restricted']} note", visibility="restricted")
    hidden = post(f"An abusive {WORDS['hidden']} rant")
    services.comment_hide(comment=hidden, by=c.moderator, reason="Abusive")
    withdrawn = post(f"A {WORDS['withdrawn']} second thought")
    services.comment_withdraw(comment=withdrawn, by=c.stakeholder_a, reason="Changed our mind")
    hostile = post("Careful: <script>alert('x')</script> &amp; <b>bold</b> tokens")
    answered = services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=list(c.articles.values())[1],
        body="Please define interception more narrowly.",
        kind="question",
    )
    services.disposition_record(
        comment=answered,
        by=c.drafter,
        status="accepted",
        response="The definition of interception will follow the Penal Code.",
    )
    return Corpus(c, public, khmer, participants, restricted, hidden, withdrawn, hostile, answered)
