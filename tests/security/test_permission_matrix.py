"""The permission matrix: docs/permissions.md is the expectation.

For every role and every row of the documented table, the policy module, the
web pages and the REST API (where it offers the action) must all give the
documented answer. A write counts as allowed only if its effect is in the
database, and as refused only if the response says so (403/404/401, or the
sign-in page) and nothing changed; a read counts as allowed only if the words
themselves reach the reader.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token

from comments import services
from comments.models import Comment, Endorsement, Report
from core.errors import PolicyDenied
from desk import services as desk_services
from desk.models import Assignment, CommentTag, InternalNote, Tag
from drafts import services as draft_services
from drafts.models import Draft, DraftVersion
from interop.models import ImportUpload
from interop.selectors import acting_organisation
from packets.models import Packet
from stakeholders.models import JoinRequest, Membership, Organisation
from stakeholders.policies import (
    actor_for,
    can,
    comment_record_filter,
    comment_text_filter,
    moderated_drafts_filter,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ROLES = [
    "anonymous",
    "stakeholder_a",
    "stakeholder_b",
    "drafter",
    "other_drafter",
    "moderator",
    "official",
    "admin",
    "individual",
]
HEADERS = [
    "anonymous",
    "stakeholder A",
    "stakeholder B",
    "drafter (lead)",
    "drafter (other)",
    "moderator",
    "official",
    "staff admin",
    "individual",
]


def documented_matrix() -> dict[str, dict[str, bool]]:
    """The table under "## The matrix" as {action: {role: allowed}}."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## The matrix", 1)[1].split("\n## ", 1)[0]
    lines = [line.strip() for line in section.splitlines() if line.strip().startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[1:] == HEADERS, header
    matrix = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        key = re.search(r"`([a-z_.]+)`", cells[0])
        assert key, f"row without an action key: {line}"
        values = cells[1:]
        assert len(values) == len(ROLES), line
        assert set(values) <= {"yes", "no"}, line
        matrix[key.group(1)] = {
            role: value == "yes" for role, value in zip(ROLES, values, strict=True)
        }
    return matrix


MATRIX = documented_matrix()


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="PNG")
    return out.getvalue()


# --- the world each check runs in ------------------------------------------------


@dataclass
class World:
    c: object
    public: Comment
    public_api: Comment  # the API's writes act on their own comment
    participants: Comment
    restricted: Comment
    hidden: Comment
    amendment: Comment
    working: DraftVersion
    packet: Packet
    # The individual's restricted question and the ministry's restricted answer to it.
    individual_restricted: Comment = None
    individual_answer: Comment = None


@pytest.fixture
def world(consultation, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    c = consultation

    def post(body, **kwargs):
        return services.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body=body, **kwargs
        )

    public = post("Public words of organisation A")
    public_api = post("More public words of organisation A")
    participants = post("Words for signed-in participants only", visibility="participants")
    restricted = post(
        "Restricted words of organisation A",
        visibility="restricted",
        attachments=[SimpleUploadedFile("note.png", _png())],
    )
    hidden = post("Words a moderator hid")
    services.comment_hide(comment=hidden, by=c.moderator, reason="Off topic")
    amendment = post(
        "Please narrow this article",
        kind="amendment",
        proposed_text="Nobody shall knowingly access a computer system without right.",
    )
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    packet = Packet(
        version=c.version,
        language=Packet.Language.ENGLISH,
        fingerprint="f" * 64,
        status=Packet.Status.READY,
    )
    packet.file.save("matrix.pdf", ContentFile(b"%PDF-1.4\n% matrix test\n"), save=False)
    packet.save()
    individual_restricted = services.comment_create(
        by=c.individual,
        version=c.version,
        provision=c.article,
        body="An individual's restricted question",
        visibility="restricted",
    )
    individual_answer = services.comment_reply(
        by=c.drafter,
        parent=individual_restricted,
        body="The ministry's restricted answer to the individual",
        visibility="restricted",
    )
    return World(
        c,
        public,
        public_api,
        participants,
        restricted,
        hidden,
        amendment,
        working,
        packet,
        individual_restricted,
        individual_answer,
    )


def as_user(client, user):
    if user.is_authenticated:
        client.force_login(user)
    return client


def api_headers(user) -> dict:
    if not user.is_authenticated:
        return {}
    token, _ = Token.objects.get_or_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Token {token.key}"}


def refused(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and reverse("accounts:login") in response["Location"]


def succeeded(response) -> bool:
    return response.status_code in (200, 201, 202, 204) or (
        response.status_code == 302 and reverse("accounts:login") not in response["Location"]
    )


def outcome(response, effect: bool) -> bool:
    """Allowed, refused, or a contradiction that fails the test."""
    if succeeded(response) and effect:
        return True
    if refused(response) and not effect:
        return False
    raise AssertionError(
        f"unclear outcome: HTTP {response.status_code}, effect={effect}: {response.content[:300]!r}"
    )


def page_outcome(response) -> bool:
    if response.status_code == 200:
        return True
    assert refused(response), f"HTTP {response.status_code}: {response.content[:300]!r}"
    return False


# --- reads ----------------------------------------------------------------------


def _article_url(w, comment):
    c = w.c
    return reverse(
        "comments:article", args=[c.draft.slug, c.version.number, comment.provision.stable_id]
    )


def _read_web(w, client, comment):
    response = client.get(_article_url(w, comment))
    assert response.status_code == 200
    on_page = comment.body in response.content.decode()
    permalink = client.get(reverse("comments:permalink", args=[comment.pk]), follow=True)
    if comment.visibility != "public" and not on_page:
        # The thread itself is not revealed either.
        assert comment.body not in permalink.content.decode()
    return on_page


def _read_api(w, client, user, comment):
    response = client.get(reverse("api:comment-detail", args=[comment.pk]), **api_headers(user))
    if response.status_code == 200:
        return comment.body in response.content.decode()
    assert response.status_code == 404, response.status_code
    listed = client.get(
        reverse("api:comment-list"), {"version": w.c.version.pk}, **api_headers(user)
    )
    assert comment.body not in listed.content.decode()
    return False


def reads(attribute, rule):
    def policy(w, user):
        return can(user, rule, getattr(w, attribute))

    def web(w, client, user):
        return _read_web(w, client, getattr(w, attribute))

    def api(w, client, user):
        return _read_api(w, client, user, getattr(w, attribute))

    return policy, web, api


# --- writes on comments ---------------------------------------------------------


def post_policy(w, user):
    return can(user, "comment.create", w.c.version)


def post_web(w, client, user):
    c = w.c
    body = "A new point posted through the web"
    response = client.post(
        reverse("comments:create", args=[c.draft.slug, c.version.number, c.article.stable_id]),
        {"kind": "comment", "visibility": "public", "body": body},
    )
    return outcome(response, Comment.objects.filter(body=body).exists())


def post_general_web(w, client, user):
    c = w.c
    body = "A point on the whole draft, through the web"
    response = client.post(
        reverse("comments:general", args=[c.draft.slug, c.version.number]),
        {"kind": "comment", "visibility": "public", "body": body},
    )
    return outcome(response, Comment.objects.filter(body=body, provision__isnull=True).exists())


def post_general_api(w, client, user):
    body = "A point on the whole draft, through the API"
    response = client.post(
        reverse("api:comment-list"),
        {"version": w.c.version.pk, "body": body},
        content_type="application/json",
        **api_headers(user),
    )
    return outcome(response, Comment.objects.filter(body=body, provision__isnull=True).exists())


def propose_article_web(w, client, user):
    c = w.c
    body = "A new article is needed, through the web"
    response = client.post(
        reverse("comments:new_article", args=[c.draft.slug, c.version.number, "chp_1"]),
        {"visibility": "public", "body": body, "proposed_text": "A new article."},
    )
    return outcome(response, Comment.objects.filter(body=body, kind="new_article").exists())


def propose_article_api(w, client, user):
    body = "A new article is needed, through the API"
    response = client.post(
        reverse("api:comment-list"),
        {
            "version": w.c.version.pk,
            "provision": "chp_1",
            "kind": "new_article",
            "body": body,
            "proposed_text_km": "មាត្រាថ្មី។",
        },
        content_type="application/json",
        **api_headers(user),
    )
    return outcome(response, Comment.objects.filter(body=body, kind="new_article").exists())


def membership_list_web(w, client, user):
    membership = Membership.objects.get(user=w.c.stakeholder_a, organisation=w.c.org_a)
    response = client.post(
        reverse("accounts:membership_listing", args=[membership.pk]), {"listed": "1"}
    )
    membership.refresh_from_db()
    return outcome(response, membership.listed_publicly)


def post_api(w, client, user):
    c = w.c
    body = "A new point posted through the API"
    response = client.post(
        reverse("api:comment-list"),
        {"version": c.version.pk, "provision": c.article.stable_id, "body": body},
        content_type="application/json",
        **api_headers(user),
    )
    return outcome(response, Comment.objects.filter(body=body).exists())


def reply_policy(w, user):
    return can(user, "comment.reply", w.public)


def reply_web(w, client, user):
    body = "A reply through the web"
    response = client.post(
        reverse("comments:reply", args=[w.public.pk]), {"body": body, "visibility": "public"}
    )
    return outcome(response, Comment.objects.filter(body=body, parent=w.public).exists())


def reply_api(w, client, user):
    body = "A reply through the API"
    response = client.post(
        reverse("api:comment-replies", args=[w.public_api.pk]),
        {"body": body},
        content_type="application/json",
        **api_headers(user),
    )
    return outcome(response, Comment.objects.filter(body=body, parent=w.public_api).exists())


def edit_policy(w, user):
    return can(user, "comment.edit", w.public)


def edit_web(w, client, user):
    response = client.post(
        reverse("comments:edit", args=[w.public.pk]),
        {"body": "Edited on the web", "revision": w.public.revision, "proposed_text": ""},
    )
    w.public.refresh_from_db()
    return outcome(response, w.public.body == "Edited on the web")


def edit_api(w, client, user):
    response = client.patch(
        reverse("api:comment-detail", args=[w.public_api.pk]),
        {"body": "Edited through the API", "revision": w.public_api.revision},
        content_type="application/json",
        **api_headers(user),
    )
    w.public_api.refresh_from_db()
    return outcome(response, w.public_api.body == "Edited through the API")


def withdraw_policy(w, user):
    return can(user, "comment.withdraw", w.public)


def withdraw_web(w, client, user):
    response = client.post(reverse("comments:withdraw", args=[w.public.pk]), {"reason": "x"})
    w.public.refresh_from_db()
    return outcome(response, w.public.state == Comment.State.WITHDRAWN)


def withdraw_api(w, client, user):
    response = client.post(
        reverse("api:comment-withdraw", args=[w.public_api.pk]),
        {"reason": "Changed our mind"},
        content_type="application/json",
        **api_headers(user),
    )
    w.public_api.refresh_from_db()
    return outcome(response, w.public_api.state == Comment.State.WITHDRAWN)


def _endorsed(comment, user):
    org_id = actor_for(user).acting_org_id
    return Endorsement.objects.filter(
        comment=comment, organisation_id=org_id, withdrawn_at__isnull=True
    ).exists()


def endorse_policy(w, user):
    return can(user, "comment.endorse", w.public)


def endorse_web(w, client, user):
    response = client.post(reverse("comments:endorse", args=[w.public.pk]))
    return outcome(response, _endorsed(w.public, user))


def endorse_api(w, client, user):
    response = client.post(
        reverse("api:comment-endorsement", args=[w.public_api.pk]), **api_headers(user)
    )
    return outcome(response, _endorsed(w.public_api, user))


def report_policy(w, user):
    return can(user, "comment.report", w.public)


def report_web(w, client, user):
    response = client.post(
        reverse("comments:report", args=[w.public.pk]), {"reason": "Please check"}
    )
    return outcome(response, Report.objects.filter(comment=w.public).exists())


def moderate_policy(w, user):
    return can(user, "comment.moderate", w.public)


def moderate_web(w, client, user):
    hide = client.post(reverse("comments:hide", args=[w.public.pk]), {"reason": "Abusive"})
    w.public.refresh_from_db()
    by_comment_page = outcome(hide, w.public.state == Comment.State.HIDDEN)
    restore = client.post(
        reverse("comments:moderate", args=[w.hidden.pk, "restore"]), {"reason": "On appeal"}
    )
    w.hidden.refresh_from_db()
    by_queue = outcome(restore, w.hidden.state == Comment.State.ACTIVE)
    assert by_comment_page == by_queue
    return by_queue


def answer_policy(w, user):
    return can(user, "comment.answer", w.public)


def answer_web(w, client, user):
    disposition = w.public.disposition
    response = client.post(
        reverse("desk:respond", args=[w.c.draft.slug, w.public.pk]),
        {"status": "noted", "response": "Noted on the web", "revision": disposition.revision},
    )
    disposition.refresh_from_db()
    return outcome(response, disposition.response == "Noted on the web")


def answer_api(w, client, user):
    disposition = w.public_api.disposition
    response = client.put(
        reverse("api:comment-disposition", args=[w.public_api.pk]),
        {"status": "noted", "response": "Noted through the API"},
        content_type="application/json",
        **api_headers(user),
    )
    disposition.refresh_from_db()
    return outcome(response, disposition.response == "Noted through the API")


# --- drafting, packets, history, audit, members -----------------------------------


def page(url_of):
    def web(w, client, user):
        return page_outcome(client.get(url_of(w)))

    return web


def packet_request_api(w, client, user):
    before = Packet.objects.count()
    response = client.post(
        reverse("api:version-packets", args=[w.c.version.pk]),
        {"language": "en"},
        content_type="application/json",
        **api_headers(user),
    )
    return outcome(response, Packet.objects.count() > before)


def packet_download_web(w, client, user):
    response = client.get(reverse("packets:download", args=[w.packet.pk]))
    allowed = page_outcome(response)
    if allowed:
        assert b"%PDF" in b"".join(response.streaming_content)
    return allowed


def packet_download_api(w, client, user):
    response = client.get(reverse("api:packet-download", args=[w.packet.pk]), **api_headers(user))
    allowed = page_outcome(response)
    if allowed:
        assert b"%PDF" in b"".join(response.streaming_content)
    return allowed


# --- imports and exports (interop) -------------------------------------------------

MINISTRY_DRAFT = Path(__file__).resolve().parents[1] / "fixtures" / "ministry_draft.docx"


def _import_api(client, user, **extra):
    document = io.BytesIO(MINISTRY_DRAFT.read_bytes())
    document.name = "ministry_draft.docx"
    response = client.post(
        reverse("api:import-list"), {"file": document, **extra}, **api_headers(user)
    )
    effect = user.is_authenticated and ImportUpload.objects.filter(uploaded_by=user).exists()
    return outcome(response, effect)


def import_version_api(w, client, user):
    return _import_api(client, user, draft=w.c.draft.slug)


def import_draft_policy(w, user):
    return can(user, "draft.create", acting_organisation(user))


def import_draft_api(w, client, user):
    return _import_api(client, user)


# --- a comment's earlier wording --------------------------------------------------


def _edited(w):
    """A comment of stakeholder A that A has edited once."""
    comment = services.comment_create(
        by=w.c.stakeholder_a, version=w.c.version, provision=w.c.article, body="First wording"
    )
    return services.comment_edit(
        comment=comment, by=w.c.stakeholder_a, body="Second wording", revision=comment.revision
    )


def history_policy(w, user):
    return can(user, "comment.view_history", _edited(w))


def history_web(w, client, user):
    edited = _edited(w)
    response = client.get(reverse("comments:history", args=[edited.pk]))
    allowed = page_outcome(response)
    if allowed:
        page = response.content.decode()
        assert "First wording" in page
        assert "Second wording" in page
    return allowed


def history_api(w, client, user):
    edited = _edited(w)
    response = client.get(reverse("api:comment-history", args=[edited.pk]), **api_headers(user))
    allowed = page_outcome(response)
    if allowed:
        assert [r["body"] for r in response.json()] == ["Second wording", "First wording"]
    return allowed


# --- individuals and rounds -------------------------------------------------------


def _individual_restricted_policy(w, user):
    question = can(user, "comment.view", w.individual_restricted)
    answer = can(user, "comment.view", w.individual_answer)
    assert question is answer, "the thread's question and its answer are read together"
    return answer


def _organisations_only(w):
    services.round_participation_set(
        version=w.c.version, by=w.c.drafter, individuals_may_take_part=False
    )
    w.c.version.refresh_from_db()


def post_org_only_policy(w, user):
    _organisations_only(w)
    return can(user, "comment.create", w.c.version)


def post_org_only_web(w, client, user):
    _organisations_only(w)
    return post_web(w, client, user)


def post_org_only_api(w, client, user):
    _organisations_only(w)
    return post_api(w, client, user)


def participation_web(w, client, user):
    url = reverse("comments:participation", args=[w.c.draft.slug, w.c.version.number])
    response = client.post(url, {})
    from comments.models import RoundParticipation

    closed = RoundParticipation.objects.filter(
        version=w.c.version, individuals_may_take_part=False
    ).exists()
    return outcome(response, closed)


def _restricted_file(w):
    return w.restricted.attachments.get()


def attachment_web(w, client, user):
    attachment = _restricted_file(w)
    response = client.get(reverse("comments:attachment", args=[attachment.pk]))
    allowed = page_outcome(response)
    if allowed:
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    return allowed


def attachment_api(w, client, user):
    attachment = _restricted_file(w)
    response = client.get(
        reverse("api:attachment-download", args=[attachment.pk]), **api_headers(user)
    )
    return page_outcome(response)


def _private_draft(w):
    return services.comment_draft_save(
        by=w.c.stakeholder_a, version=w.c.version, provision=w.c.article, body="Unposted words of A"
    )


def private_draft_web(w, client, user):
    saved = _private_draft(w)
    listed = client.get(reverse("comments:drafts"))
    shown = listed.status_code == 200 and "Unposted words of A" in listed.content.decode()
    continued = client.get(_article_url(w, w.public), {"draft": saved.pk}).content.decode()
    assert ("Unposted words of A" in continued) is shown
    return shown


def receipt_web(w, client, user):
    response = client.get(reverse("comments:receipt"), {"number": w.public.tracking_number})
    if response.status_code == 302 and response["Location"] == reverse(
        "comments:permalink", args=[w.public.pk]
    ):
        return True
    assert refused(response), response.status_code
    return False


# --- the rules as queries -------------------------------------------------------


def read_working_policy(w, user):
    allowed = can(user, "version.view", w.working)
    as_query = DraftVersion.objects.readable_by(user).filter(pk=w.working.pk).exists()
    assert as_query is allowed, "version_visibility_filter disagrees with version.view"
    return allowed


def hidden_text_policy(w, user):
    allowed = can(user, "comment.view_hidden", w.hidden)
    as_query = Comment.objects.filter(comment_text_filter(user)).filter(pk=w.hidden.pk).exists()
    assert as_query is allowed, "comment_text_filter (search) disagrees with comment.view_hidden"
    return allowed


def record_hidden_policy(w, user):
    record = Comment.objects.filter(comment_record_filter(user, w.c.draft))
    return record.filter(pk=w.hidden.pk).exists()


def record_hidden_api(w, client, user):
    response = client.get(reverse("api:version-matrix", args=[w.c.version.pk]), **api_headers(user))
    assert response.status_code == 200
    return w.hidden.pk in {row["comment_id"] for row in response.json()["results"]}


def moderation_queue_policy(w, user):
    try:
        moderated = Draft.objects.filter(moderated_drafts_filter(user))
    except PolicyDenied:
        return False
    allowed = moderated.filter(pk=w.c.draft.pk).exists()
    assert allowed is can(user, "comment.moderate", w.public), "queue and comment.moderate disagree"
    return allowed


# --- the drafting desk: internal notes, assignment, tags ---------------------------------

NOTE = "Internal: check this against the Criminal Code before answering."


def notes_web(w, client, user):
    if not InternalNote.objects.filter(comment=w.public, body=NOTE).exists():
        desk_services.note_add(comment=w.public, by=w.c.drafter, body=NOTE)
    response = client.get(reverse("desk:comment", args=[w.c.draft.slug, w.public.pk]))
    allowed = page_outcome(response)
    assert (NOTE in response.content.decode()) is allowed
    return allowed


def _bulk(w, client, data):
    return client.post(
        reverse("desk:bulk", args=[w.c.draft.slug, w.c.version.number]),
        {"ids": [w.public.pk], "confirm": "True", **data},
    )


def assign_web(w, client, user):
    response = _bulk(w, client, {"action": "assign", "assignee": w.c.drafter.pk})
    return outcome(
        response, Assignment.objects.filter(comment=w.public, assignee=w.c.drafter).exists()
    )


def tag_web(w, client, user):
    tag, _created = Tag.objects.get_or_create(
        draft=w.c.draft, name="Data protection", defaults={"created_by": w.c.drafter}
    )
    response = _bulk(w, client, {"action": "tag", "tag": tag.pk})
    return outcome(response, CommentTag.objects.filter(comment=w.public, tag=tag).exists())


CHECKS = {
    "desk.notes": (lambda w, user: can(user, "desk.notes", w.c.draft), notes_web, None),
    "desk.assign": (lambda w, user: can(user, "desk.assign", w.c.draft), assign_web, None),
    "desk.tag": (lambda w, user: can(user, "desk.tag", w.c.draft), tag_web, None),
    "comment.history": (history_policy, history_web, history_api),
    "version.read_working": (
        read_working_policy,
        page(lambda w: reverse("comments:read_version", args=[w.c.draft.slug, w.working.number])),
        lambda w, client, user: page_outcome(
            client.get(reverse("api:version-detail", args=[w.working.pk]), **api_headers(user))
        ),
    ),
    "record.hidden": (record_hidden_policy, None, record_hidden_api),
    "moderation.queue": (
        moderation_queue_policy,
        page(lambda w: reverse("comments:moderation")),
        None,
    ),
    "read.public": reads("public", "comment.view"),
    "read.participants": reads("participants", "comment.view"),
    "read.restricted": reads("restricted", "comment.view"),
    "read.hidden_text": (hidden_text_policy, *reads("hidden", "comment.view_hidden")[1:]),
    "read.individual_restricted": (
        _individual_restricted_policy,
        lambda w, client, user: _read_web(w, client, w.individual_answer),
        lambda w, client, user: _read_api(w, client, user, w.individual_answer),
    ),
    "comment.post_organisations_only": (
        post_org_only_policy,
        post_org_only_web,
        post_org_only_api,
    ),
    "attachment.restricted": (
        lambda w, user: can(user, "attachment.download", _restricted_file(w)),
        attachment_web,
        attachment_api,
    ),
    "draft.private": (
        lambda w, user: can(user, "comment.draft", _private_draft(w)),
        private_draft_web,
        None,
    ),
    "receipt.find": (
        lambda w, user: can(user, "comment.find_by_receipt", w.public),
        receipt_web,
        None,
    ),
    "organisation.join": (
        lambda w, user: can(user, "organisation.join", w.c.org_a),
        lambda w, client, user: outcome(
            client.post(reverse("accounts:join", args=[w.c.org_a.slug])),
            JoinRequest.objects.filter(user_id=getattr(user, "pk", None)).exists(),
        ),
        None,
    ),
    "organisation.verify": (
        lambda w, user: can(user, "organisation.verify", w.c.org_b),
        lambda w, client, user: outcome(
            client.post(reverse("accounts:verify", args=[w.c.org_b.slug]), {"verified": "0"}),
            not Organisation.objects.get(pk=w.c.org_b.pk).verified,
        ),
        None,
    ),
    "round.participation": (
        lambda w, user: can(user, "version.participation", w.c.version),
        participation_web,
        None,
    ),
    "comment.post": (post_policy, post_web, post_api),
    "comment.post_general": (post_policy, post_general_web, post_general_api),
    "comment.propose_article": (post_policy, propose_article_web, propose_article_api),
    "membership.list": (
        lambda w, user: can(
            user,
            "membership.list",
            Membership.objects.get(user=w.c.stakeholder_a, organisation=w.c.org_a),
        ),
        membership_list_web,
        None,
    ),
    "comment.reply": (reply_policy, reply_web, reply_api),
    "comment.edit": (edit_policy, edit_web, edit_api),
    "comment.withdraw": (withdraw_policy, withdraw_web, withdraw_api),
    "comment.endorse": (endorse_policy, endorse_web, endorse_api),
    "comment.report": (report_policy, report_web, None),
    "comment.moderate": (moderate_policy, moderate_web, None),
    "comment.answer": (answer_policy, answer_web, answer_api),
    "comment.apply": (
        lambda w, user: can(user, "comment.apply", w.amendment),
        page(lambda w: reverse("desk:apply", args=[w.c.draft.slug, w.amendment.pk])),
        None,
    ),
    "version.publish": (
        lambda w, user: can(user, "version.publish", w.working),
        page(lambda w: reverse("desk:publish", args=[w.c.draft.slug, w.working.number])),
        None,
    ),
    "version.import": (
        lambda w, user: can(user, "draft.start_version", w.c.draft),
        page(lambda w: reverse("interop:import_version", args=[w.c.draft.slug])),
        import_version_api,
    ),
    "draft.import": (
        import_draft_policy,
        page(lambda w: reverse("interop:import_new")),
        import_draft_api,
    ),
    "version.export_working": (
        lambda w, user: can(user, "version.view", w.working),
        page(lambda w: reverse("interop:export_word", args=[w.c.draft.slug, w.working.number])),
        lambda w, client, user: page_outcome(
            client.get(
                reverse("api:version-akn", args=[w.working.pk]),
                {"language": "km"},
                **api_headers(user),
            )
        ),
    ),
    "packet.request": (
        lambda w, user: can(user, "packet.request", w.c.version),
        page(lambda w: reverse("packets:request", args=[w.c.draft.slug, w.c.version.number])),
        packet_request_api,
    ),
    "packet.download": (
        lambda w, user: can(user, "packet.download", w.packet),
        packet_download_web,
        packet_download_api,
    ),
    "packet.transmit": (
        lambda w, user: can(user, "packet.transmit", w.packet.version),
        page(lambda w: reverse("packets:transmit", args=[w.packet.pk])),
        None,
    ),
    "draft.history": (
        lambda w, user: can(user, "draft.history", w.c.draft),
        page(
            lambda w: reverse("desk:article_history", args=[w.c.draft.slug, w.c.article.stable_id])
        ),
        None,
    ),
    "audit.view": (
        lambda w, user: can(user, "audit.view"),
        page(lambda w: reverse("audit:log")),
        None,
    ),
    "members.manage": (
        lambda w, user: can(user, "organisation.manage_members", w.c.org_a),
        page(lambda w: reverse("accounts:members", args=[w.c.org_a.slug])),
        None,
    ),
    "report.edit_summary": (
        lambda w, user: can(user, "report.edit_summary", w.c.version),
        page(lambda w: reverse("public:summary_edit", args=[w.c.draft.slug, w.c.version.number])),
        None,
    ),
    "packet.index": (
        lambda w, user: can(user, "packet.index"),
        page(lambda w: reverse("public:packets")),
        None,
    ),
    "page.edit": (
        lambda w, user: can(user, "page.edit"),
        page(lambda w: reverse("public:page_edit", args=["about"])),
        None,
    ),
}


def test_every_documented_row_is_checked_and_every_check_documented():
    assert set(MATRIX) == set(CHECKS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix(action, role, world, client):
    user = getattr(world.c, role)
    expected = MATRIX[action][role]
    policy, web, api = CHECKS[action]
    assert policy(world, user) is expected, f"policy: {action} for {role}"
    if web is not None:
        assert web(world, as_user(client, user), user) is expected, f"web: {action} for {role}"
    if api is not None:
        client.logout()
        assert api(world, client, user) is expected, f"API: {action} for {role}"


def test_the_visibility_help_on_the_forms_is_the_rulebooks_and_the_docs_say_the_same():
    """Each visibility choice tells the poster who will read it, as docs/permissions.md does."""
    from pathlib import Path

    from django.conf import settings

    from comments.forms import CommentForm, ReplyForm
    from stakeholders.policies import VISIBILITY_AUDIENCES

    docs = (Path(settings.BASE_DIR) / "docs" / "permissions.md").read_text()
    for form in (CommentForm(), ReplyForm()):
        html = str(form["visibility"])
        for visibility, audience in VISIBILITY_AUDIENCES.items():
            assert f'value="{visibility}"' in html
            assert str(audience).replace("'", "&#x27;") in html
    for audience in VISIBILITY_AUDIENCES.values():
        assert f": {audience}\n" in docs
