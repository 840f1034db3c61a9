"""Who may do what: the one place that decides.

The web views, the API, the packet builder and the notification fan-out all
ask ``can(user, action, obj)`` or call ``ensure_can``, and list queries use
``comment_visibility_filter``, which encodes the same rules as a query. The
documented matrix lives in docs/permissions.md and a table-driven test keeps
the two in step.

Roles come from active memberships:
- a *participant* is a signed-in person with at least one active membership;
- an *individual* is a signed-in person with none (and not staff): they take
  part for themselves where the round allows it, and see what they wrote;
- *drafters* of the draft's lead ministry (or an invited drafting partner)
  edit, answer, apply and publish;
- *officials* (the National Assembly) read everything and request packets;
- *moderators* of the lead ministry hide and restore comments;
- staff administrators may do everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import PolicyDenied

from .models import Membership, Organisation


@dataclass(frozen=True)
class Actor:
    """A user's memberships, loaded once per request and kept on the user object."""

    user_id: int | None
    is_staff: bool
    roles_by_org: dict[int, frozenset[str]] = field(default_factory=dict)
    admin_of: frozenset[int] = frozenset()
    acting_org_id: int | None = None
    # Organisations of the National Assembly among the user's: only there does
    # the official role count (it reads every restricted comment).
    assembly_org_ids: frozenset[int] = frozenset()

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def org_ids(self) -> frozenset[int]:
        return frozenset(self.roles_by_org)

    @property
    def is_participant(self) -> bool:
        return self.is_staff or bool(self.roles_by_org)

    @property
    def is_individual(self) -> bool:
        """Signed in, a member of no organisation, not staff: takes part for themselves."""
        return self.is_authenticated and not self.is_staff and not self.roles_by_org

    def has_role(self, role: str, org_ids=None) -> bool:
        return any(
            role in roles
            for org_id, roles in self.roles_by_org.items()
            if org_ids is None or org_id in org_ids
        )

    @property
    def is_official(self) -> bool:
        return self.has_role(Membership.Role.OFFICIAL, self.assembly_org_ids)


def actor_for(user) -> Actor:
    if user is None or not user.is_authenticated:
        return Actor(user_id=None, is_staff=False)
    cached = getattr(user, "_portal_actor", None)
    if cached is not None:
        return cached
    roles: dict[int, set[str]] = {}
    admin_of = set()
    assembly = set()
    for org_id, role, is_admin, org_kind in (
        Membership.objects.active()
        .filter(user=user)
        .values_list("organisation_id", "role", "is_org_admin", "organisation__kind")
    ):
        roles.setdefault(org_id, set()).add(role)
        if is_admin:
            admin_of.add(org_id)
        if org_kind == Organisation.Kind.NATIONAL_ASSEMBLY:
            assembly.add(org_id)
    acting = user.active_organisation_id if user.active_organisation_id in roles else None
    if acting is None and roles:
        acting = min(roles)
    actor = Actor(
        user_id=user.pk,
        is_staff=user.is_staff or user.is_superuser,
        roles_by_org={k: frozenset(v) for k, v in roles.items()},
        admin_of=frozenset(admin_of),
        acting_org_id=acting,
        assembly_org_ids=frozenset(assembly),
    )
    user._portal_actor = actor
    return actor


def forget_actor(user) -> None:
    """Call after changing a user's memberships within the same request."""
    if hasattr(user, "_portal_actor"):
        del user._portal_actor


# --- helpers on drafts ----------------------------------------------------------


def drafting_org_ids(draft) -> frozenset[int]:
    cached = getattr(draft, "_drafting_org_ids", None)
    if cached is None:
        partner_ids = {o.pk for o in draft.drafting_partners.all()}
        cached = frozenset({draft.lead_ministry_id, *partner_ids})
        draft._drafting_org_ids = cached
    return cached


def _has_role_on(actor: Actor, role: str, draft) -> bool:
    # Someone who holds the role nowhere holds it on this draft: the draft's
    # drafting partners (a query when not prefetched) are read only for the others.
    return actor.has_role(role) and actor.has_role(role, drafting_org_ids(draft))


def is_drafter_of(actor: Actor, draft) -> bool:
    return actor.is_staff or _has_role_on(actor, Membership.Role.DRAFTER, draft)


def is_moderator_of(actor: Actor, draft) -> bool:
    return actor.is_staff or _has_role_on(actor, Membership.Role.MODERATOR, draft)


def sees_everything_on(actor: Actor, draft) -> bool:
    """Drafters of the draft, officials, moderators of the draft and staff read every comment."""
    return actor.is_official or is_drafter_of(actor, draft) or is_moderator_of(actor, draft)


def consultation_is_open(version, now=None) -> bool:
    now = now or timezone.now()
    return (
        version.status == version.Status.IN_CONSULTATION
        and version.opens_at is not None
        and version.closes_at is not None
        and version.opens_at <= now < version.closes_at
    )


# --- rules ----------------------------------------------------------------------
# Each rule returns None when allowed, or the reason (already translated) why not.

Rule = Callable[[Actor, object], str | None]
RULES: dict[str, Rule] = {}


def rule(name: str):
    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn

    return register


def _need_sign_in(actor: Actor) -> str | None:
    if not actor.is_authenticated:
        return _("Please sign in first.")
    return None


def _need_acting_org(actor: Actor) -> str | None:
    reason = _need_sign_in(actor)
    if reason or actor.acting_org_id is not None:
        return reason
    if actor.is_individual:
        return _("Only an organisation can do this; you take part as an individual.")
    return _("Your account is not a member of any organisation yet; ask its administrator.")


def individuals_may_take_part(version) -> bool:
    """Whether the round (a version) is open to individuals: yes unless its drafters closed it.

    Read from the round's participation row (``version.participation``, owned by the
    comments app), cached on the version after the first look.
    """
    try:
        participation = version.participation
    except ObjectDoesNotExist:
        return True
    return participation.individuals_may_take_part


def _need_voice(actor: Actor, version) -> str | None:
    """Posting speaks for the acting organisation, or for oneself where the round allows it."""
    reason = _need_sign_in(actor)
    if reason or actor.acting_org_id is not None:
        return reason
    if not actor.is_individual:
        return _need_acting_org(actor)
    if not individuals_may_take_part(version):
        return _(
            "This consultation round is open to organisations only. An organisation's "
            "administrator can add you as a member."
        )
    return None


def _need_open(version) -> str | None:
    if not consultation_is_open(version):
        return _("The consultation on this version is not open, so it cannot take comments now.")
    return None


@rule("version.view")
def _version_view(actor, version):
    if version.status != version.Status.WORKING:
        return None
    if is_drafter_of(actor, version.draft) or actor.is_official:
        return None
    return _("This version is still being drafted and is not public.")


@rule("version.edit")
def _version_edit(actor, version):
    if not is_drafter_of(actor, version.draft):
        return _("Only drafters of the lead ministry may edit this draft.")
    if version.status != version.Status.WORKING:
        return _("This version has been published; its text cannot change.")
    return None


@rule("version.publish")
def _version_publish(actor, version):
    return _version_edit(actor, version)


@rule("draft.start_version")
def _draft_start_version(actor, draft):
    if not is_drafter_of(actor, draft):
        return _("Only drafters of the lead ministry may start a new version.")
    return None


@rule("draft.create")
def _draft_create(actor, organisation):
    """A new draft law (imported from a document) is led by a ministry its drafter acts for."""
    if not actor.is_authenticated:
        return _("Please sign in first.")
    if organisation is not None and actor.has_role(Membership.Role.DRAFTER, {organisation.pk}):
        return None
    return _("Only drafters of a ministry may start a new draft law, for their ministry.")


@rule("draft.history")
def _draft_history(actor, draft):
    if sees_everything_on(actor, draft):
        return None
    return _("Only drafters, moderators and officials may see the editing history.")


@rule("desk.view")
def _desk_view(actor, draft):
    """The drafting desk (working versions, the review desk): the draft's own drafters."""
    if is_drafter_of(actor, draft):
        return None
    return _(
        "The drafting desk is for drafters of the lead ministry and of organisations it "
        "has invited to draft."
    )


def is_lead_drafter_of(actor: Actor, draft) -> bool:
    """A drafter of the draft's lead ministry (partners draft, the ministry leads)."""
    return actor.is_staff or actor.has_role(Membership.Role.DRAFTER, {draft.lead_ministry_id})


@rule("desk.assign")
def _desk_assign(actor, draft):
    """Sharing out the comments: the lead ministry's drafters."""
    if is_lead_drafter_of(actor, draft):
        return None
    return _("Only drafters of the lead ministry may assign comments.")


@rule("desk.assignee")
def _desk_assignee(actor, draft):
    """Who may be given comments to handle: the draft's drafting team (lead and partners)."""
    if is_drafter_of(actor, draft):
        return None
    return _("Comments can be assigned only to drafters of this draft.")


@rule("desk.tag")
def _desk_tag(actor, draft):
    """Tagging comments with the draft's topics: the draft's drafters."""
    if is_drafter_of(actor, draft):
        return None
    return _("Only drafters of this draft may tag comments.")


@rule("desk.tags_manage")
def _desk_tags_manage(actor, draft):
    """The draft's controlled list of tags: the lead ministry's drafters."""
    if is_lead_drafter_of(actor, draft):
        return None
    return _("Only drafters of the lead ministry may change the list of tags.")


@rule("desk.notes")
def _desk_notes(actor, draft):
    """Internal notes on comments: the lead ministry's drafters and moderators, and officials.

    Never the commenter (unless one of these), partners' staff or the public; notes
    appear on no public page, in no API for outsiders, matrix, export or packet.
    """
    if actor.is_staff or actor.is_official:
        return None
    if actor.has_role(Membership.Role.DRAFTER, {draft.lead_ministry_id}) or actor.has_role(
        Membership.Role.MODERATOR, {draft.lead_ministry_id}
    ):
        return None
    return _("Internal notes are for the lead ministry's drafters and moderators, and officials.")


@rule("comment.view_restricted")
def _view_restricted(actor, draft):
    if sees_everything_on(actor, draft):
        return None
    return _(
        "Restricted comments are shown only to their organisation, the draft's drafters and "
        "moderators, and officials."
    )


@rule("comment.view")
def _comment_view(actor, comment):
    if comment.visibility == "public":
        return None
    if actor.is_authenticated and actor.user_id in (comment.author_id, comment.thread_author_id):
        return None  # one's own words, and every reply in the thread one opened
    if comment.visibility == "participants":
        return None if actor.is_participant else _("Sign in as a participant to see this comment.")
    if sees_everything_on(actor, comment.version.draft):
        return None
    if comment.organisation_id in actor.org_ids or comment.thread_organisation_id in actor.org_ids:
        return None
    return _(
        "This comment is restricted to its organisation, the draft's drafters and moderators, "
        "and officials."
    )


@rule("comment.view_hidden")
def _comment_view_hidden(actor, comment):
    """The original words of a hidden comment: its author and those who review."""
    if comment.author_id == actor.user_id or sees_everything_on(actor, comment.version.draft):
        return None
    return _("A moderator has hidden this comment.")


@rule("comment.view_history")
def _comment_view_history(actor, comment):
    """A comment's earlier wordings and when they changed: its author and those who review."""
    reason = _comment_view(actor, comment)
    if reason:
        return reason
    if comment.author_id == actor.user_id or sees_everything_on(actor, comment.version.draft):
        return None
    return _(
        "Only the author, drafters, moderators and officials may see the earlier wording "
        "of a comment."
    )


@rule("comment.find_by_receipt")
def _comment_find_by_receipt(actor, comment):
    """A receipt's number leads its author, and the draft's drafters, to the comment."""
    if comment.author_id == actor.user_id and actor.is_authenticated:
        return None
    if is_drafter_of(actor, comment.version.draft):
        return None
    return _("Only the comment's author and the draft's drafters can find it by its number.")


@rule("comment.draft")
def _comment_draft(actor, comment_draft):
    """A private draft of a comment: its author alone, whoever else asks."""
    if actor.is_authenticated and comment_draft.author_id == actor.user_id:
        return None
    return _("There is no such draft.")


@rule("attachment.download")
def _attachment_download(actor, attachment):
    """A comment's file goes with its words: whoever may read them (a hidden comment's too)."""
    comment = attachment.comment
    reason = _comment_view(actor, comment)
    if reason is None and comment.state == "hidden":
        reason = _comment_view_hidden(actor, comment)
    return reason


@rule("comment.create")
def _comment_create(actor, version):
    return _need_voice(actor, version) or _need_open(version)


@rule("comment.reply")
def _comment_reply(actor, parent):
    return (
        _need_voice(actor, parent.version)
        or _need_open(parent.version)
        or _comment_view(actor, parent)
        or (
            _("You cannot reply to a withdrawn or hidden comment.")
            if parent.state != "active"
            else None
        )
    )


@rule("comment.edit")
def _comment_edit(actor, comment):
    from django.conf import settings

    if comment.author_id != actor.user_id:
        return _("Only the author may edit a comment.")
    if comment.state != "active":
        return _("A withdrawn or hidden comment cannot be edited.")
    if not _within_edit_window(comment):
        return _("Comments can be edited only within %(minutes)s minutes of posting.") % {
            "minutes": settings.PORTAL["COMMENT_EDIT_WINDOW_MINUTES"]
        }
    return _need_open(comment.version)


def _within_edit_window(comment) -> bool:
    from django.conf import settings

    window = timezone.timedelta(minutes=settings.PORTAL["COMMENT_EDIT_WINDOW_MINUTES"])
    return timezone.now() - comment.created_at <= window


@rule("comment.withdraw")
def _comment_withdraw(actor, comment):
    if comment.author_id != actor.user_id:
        return _("Only the author may withdraw a comment.")
    if comment.state != "active":
        return _("This comment is already withdrawn or hidden.")
    return _need_open(comment.version)


@rule("comment.endorse")
def _comment_endorse(actor, comment):
    reason = _need_acting_org(actor) or _need_open(comment.version) or _comment_view(actor, comment)
    if reason:
        return reason
    if comment.organisation_id == actor.acting_org_id:
        return _("An organisation cannot endorse its own comment.")
    if comment.state != "active":
        return _("A withdrawn or hidden comment cannot be endorsed.")
    return None


@rule("comment.unendorse")
def _comment_unendorse(actor, comment):
    return _need_acting_org(actor) or _need_open(comment.version)


@rule("comment.report")
def _comment_report(actor, comment):
    reason = _need_sign_in(actor) or _comment_view(actor, comment)
    if reason is None and comment.author_id == actor.user_id:
        return _("You cannot report your own comment; you may edit or withdraw it.")
    return reason


@rule("comment.moderate")
def _comment_moderate(actor, comment):
    if is_moderator_of(actor, comment.version.draft):
        return None
    return _("Only moderators may hide or restore comments.")


@rule("comment.answer")
def _comment_answer(actor, comment):
    if not is_drafter_of(actor, comment.version.draft):
        return _("Only drafters of the lead ministry may answer comments.")
    if comment.parent_id is not None:
        return _("Dispositions are recorded on the first comment of a thread.")
    return None


@rule("comment.apply")
def _comment_apply(actor, comment):
    """A drafter applies a proposed amendment (or a proposed new article) to the draft's
    next working version.

    The working version must be another version than the one commented on. The
    draft's versions are read once, or not at all when the caller prefetched them.
    """
    reason = _comment_answer(actor, comment)
    if reason:
        return reason
    proposes = comment.proposed_text or (comment.kind == "new_article" and comment.proposed_text_km)
    if comment.kind not in ("amendment", "new_article") or not proposes:
        return _("Only a proposed amendment can be applied.")
    version = comment.version
    if not any(
        other.status == version.Status.WORKING and other.pk != version.pk
        for other in version.draft.versions.all()
    ):
        return _("Start the next working version first; an amendment is applied to it.")
    return None


@rule("version.participation")
def _version_participation(actor, version):
    """Whether individuals may take part in a round: the draft's drafters decide."""
    if not is_drafter_of(actor, version.draft):
        return _("Only drafters of the lead ministry may decide who takes part in a round.")
    return None


@rule("packet.request")
def _packet_request(actor, version):
    if version.status == version.Status.WORKING:
        return _("Packets are built for published versions.")
    if actor.is_official or is_drafter_of(actor, version.draft):
        return None
    return _("Only officials and drafters of the lead ministry may request review packets.")


@rule("packet.include_restricted")
def _packet_include_restricted(actor, version):
    return _view_restricted(actor, version.draft)


@rule("packet.download")
def _packet_download(actor, packet):
    reason = _packet_request(actor, packet.version)
    if reason:
        return reason
    if packet.include_restricted:
        return _view_restricted(actor, packet.version.draft)
    return None


@rule("packet.transmit")
def _packet_transmit(actor, version):
    """Recording what went to the National Assembly submits the version: officials' act."""
    if actor.is_official or actor.is_staff:
        return None
    return _("Only officials record that a packet was transmitted to the National Assembly.")


@rule("audit.view")
def _audit_view(actor, _obj=None):
    if actor.is_staff or actor.is_official or actor.has_role(Membership.Role.DRAFTER):
        return None
    return _("Only drafters and officials may see the audit log.")


@rule("organisation.join")
def _organisation_join(actor, organisation):
    """Anyone signed in may ask to join an organisation they are not a member of yet."""
    reason = _need_sign_in(actor)
    if reason:
        return reason
    if organisation.pk in actor.org_ids:
        return _("You are already a member of this organisation.")
    return None


@rule("organisation.verify")
def _organisation_verify(actor, organisation):
    """Only the portal's staff confirm who an organisation is (the verified mark)."""
    if actor.is_staff:
        return None
    return _("Only the portal's staff may verify organisations.")


@rule("membership.list")
def _membership_list(actor, membership):
    """Whether a name is shown on the organisation's public page is its owner's choice alone."""
    if actor.is_authenticated and membership.user_id == actor.user_id and membership.is_active:
        return None
    return _("Only the member may choose to be listed on the organisation's page.")


@rule("page.edit")
def _page_edit(actor, _page=None):
    """The portal's own pages (about, privacy notice, ...) are the site's: staff edit them."""
    if actor.is_staff:
        return None
    return _("Only the portal's staff may edit its pages.")


@rule("report.edit_summary")
def _report_edit_summary(actor, version):
    """The ministry's summary of a round speaks for the drafting ministry."""
    if version.status == version.Status.WORKING:
        return _("A round's summary is written for a published version.")
    if is_drafter_of(actor, version.draft):
        return None
    return _("Only drafters of the lead ministry may write the summary of a round.")


@rule("packet.index")
def _packet_index(actor, _obj=None):
    """The list of review packets one may request: officials and drafters (of any draft)."""
    if actor.is_staff or actor.is_official or actor.has_role(Membership.Role.DRAFTER):
        return None
    return _("Only officials and drafters may request review packets.")


@rule("organisation.manage_members")
def _manage_members(actor, organisation):
    if actor.is_staff or organisation.pk in actor.admin_of:
        return None
    return _("Only the organisation's administrator may grant or end memberships.")


# --- public interface -------------------------------------------------------------


def why_not(user, action: str, obj=None) -> str | None:
    """The reason ``user`` may not do ``action`` on ``obj``, or None when allowed."""
    try:
        check = RULES[action]
    except KeyError:
        raise KeyError(f"Unknown action {action!r}; add a rule to stakeholders.policies.") from None
    return check(actor_for(user), obj)


def can(user, action: str, obj=None) -> bool:
    return why_not(user, action, obj) is None


def ensure_can(user, action: str, obj=None) -> None:
    reason = why_not(user, action, obj)
    if reason is not None:
        raise PolicyDenied(reason)


def comment_kind(actor: Actor, comment) -> tuple:
    """What the ``comment.*`` rules read of ``comment`` when ``actor`` asks, as one key.

    Two comments of the same kind get the same answer (and the same reason) from
    every comment rule, so a list decides each rule once per kind of row rather
    than once per row (``CommentDecisions``). Comments of one version share its
    consultation dates, its draft and its drafters. A rule that starts reading
    something else of a comment must add it here; the parity test in
    tests/stakeholders/test_comment_decisions.py compares both ways.
    """
    mine = comment.author_id == actor.user_id
    return (
        comment.version_id,
        comment.visibility,
        comment.state,
        comment.parent_id is None,
        comment.kind == "amendment" and bool(comment.proposed_text),
        mine,
        comment.thread_author_id == actor.user_id,
        comment.organisation_id == actor.acting_org_id,
        comment.organisation_id in actor.org_ids,
        comment.thread_organisation_id in actor.org_ids,
        mine and _within_edit_window(comment),
    )


class CommentDecisions:
    """The comment rules' answers for one reader over many comments, one per kind of comment.

    ``why_not`` and ``can`` answer as the functions of the same names do; each
    rule runs once for each kind of comment (``comment_kind``), and the first
    comment of a kind stands for the others.
    """

    def __init__(self, user):
        self.user = user
        self.actor = actor_for(user)
        self._reasons: dict[tuple, str | None] = {}

    def why_not(self, action: str, comment) -> str | None:
        if not action.startswith("comment."):
            raise KeyError(f"{action!r} is not a comment rule; ask why_not() directly.")
        key = (action, comment_kind(self.actor, comment))
        try:
            return self._reasons[key]
        except KeyError:
            reason = self._reasons[key] = why_not(self.user, action, comment)
            return reason

    def can(self, action: str, comment) -> bool:
        return self.why_not(action, comment) is None


# --- cached thread fragments ---------------------------------------------------------
# The article page caches each thread's HTML once per *audience*, not per person:
# everyone in an audience is shown the same comments of that thread, the same
# hidden words and the same links to earlier wordings. Action links (reply, edit,
# report, endorse, hide) are decided per page and laid over the cached HTML.


def thread_audience(user, draft, *, wrote: bool, restricted_org_ids: frozenset[int]) -> str:
    """The audience ``user`` belongs to for one thread of ``draft`` (see ``comment.view``).

    ``wrote``: the user wrote a comment of the thread, or opened it; their own
    words (restricted, hidden, edited, with their tracking number) are theirs
    alone, so the audience is the person (whatever their role). ``restricted_org_ids``: the user's
    organisations that the thread's restricted comments speak for or were
    written in (``comments.selectors.thread_ties``). Otherwise those who see
    everything on the draft share one audience, and the rest are told apart
    only by being a participant and by those organisations.
    """
    actor = actor_for(user)
    participant = "participant" if actor.is_participant else "public"
    if wrote and actor.is_authenticated:
        # Before "all": a drafter's own reply carries their tracking number, for them only.
        everything = "all" if sees_everything_on(actor, draft) else "some"
        orgs = ",".join(str(pk) for pk in sorted(actor.org_ids))
        return f"user-{actor.user_id}:{everything}:{participant}:{orgs}"
    if sees_everything_on(actor, draft):
        return "all"
    orgs = ",".join(str(pk) for pk in sorted(restricted_org_ids))
    return f"{participant}:{orgs}"


def reading_audience(user, draft) -> str | None:
    """Who else reads ``draft``'s comments exactly as ``user`` does (``comment.view``), or None.

    "everything": those ``comment_visibility_filter`` lets see every comment of the
    draft (its drafters and moderators, officials, staff); "public": people not
    signed in. Anyone else sees their own words and, by organisation and round,
    some restricted ones: they share a reading with nobody (None). Pages that keep
    one rendering per audience (``comments.article_blocks.reading_body``) use this,
    so they and the filter cannot disagree. ``draft`` None asks across drafts: only
    "public" (or None) can be answered then.
    """
    actor = actor_for(user)
    if not actor.is_authenticated:
        return "public"
    if draft is None:
        return None
    if actor.is_staff or actor.is_official or sees_everything_on(actor, draft):
        return "everything"
    return None


def comment_action_kind(user, comment) -> tuple:
    """Everything the ``comment.*`` action rules read of ``comment``, as seen by ``user``.

    Two comments of one version with the same kind get the same answer from
    ``comment.reply``, ``edit``, ``withdraw``, ``endorse``, ``report`` and
    ``moderate``, so a page asks the rules once per kind, not once per comment.
    It reads the few facts a cached thread keeps of each comment (not the whole
    row), and the moment of posting of one's own comments, whose edit minutes the
    page prints; ``comment_kind`` is the same idea for full rows in API lists.
    A rule that starts reading another field of the comment must add it here
    (tests/comments/test_thread_fragment_cache.py compares the two ways).
    """
    actor = actor_for(user)
    own = actor.is_authenticated and comment.author_id == actor.user_id
    return (
        own,
        actor.is_authenticated and comment.thread_author_id == actor.user_id,
        comment.visibility,
        comment.state,
        comment.parent_id is None,
        comment.organisation_id == actor.acting_org_id,
        comment.organisation_id in actor.org_ids,
        comment.thread_organisation_id in actor.org_ids,
        # The edit window runs from the moment of posting: only the author's own
        # comments can be edited, so only theirs need it.
        comment.created_at if own else None,
    )


def _drafts_of(org_ids, draft: str = "") -> Q:
    """Drafts led by, or drafted with a partner among, ``org_ids``.

    ``draft`` is the path from the queried model to the draft ("" on drafts themselves,
    "draft" on versions, "version__draft" on comments).

    Built from the organisations' side (``led_drafts`` / ``partner_drafts``), so this
    module never imports the drafts app that sits above it.
    """
    partner_drafts = (
        Organisation.objects.filter(pk__in=org_ids)
        .exclude(partner_drafts=None)
        .values("partner_drafts")
    )
    lead, pk = (
        (f"{draft}__lead_ministry_id", f"{draft}_id") if draft else ("lead_ministry_id", "pk")
    )
    return Q(**{f"{lead}__in": org_ids}) | Q(**{f"{pk}__in": partner_drafts})


def _org_ids_with_role(actor: Actor, *roles: str) -> list[int]:
    return [org_id for org_id, held in actor.roles_by_org.items() if held & set(roles)]


def version_visibility_filter(user) -> Q:
    """The ``version.view`` rule as a query on versions: published ones for everybody,
    working ones for the draft's drafters, officials and staff."""
    actor = actor_for(user)
    if actor.is_staff or actor.is_official:
        return Q()
    allowed = ~Q(status="working")
    drafter_orgs = _org_ids_with_role(actor, Membership.Role.DRAFTER)
    if drafter_orgs:
        allowed |= _drafts_of(drafter_orgs, draft="draft")
    return allowed


def moderated_drafts_filter(user) -> Q:
    """The drafts ``user`` moderates (the ``comment.moderate`` rule, per draft) as a query on drafts.

    Raises ``PolicyDenied`` for someone who moderates nothing, so the queue is refused
    with the same words as a single hide.
    """
    actor = actor_for(user)
    if actor.is_staff:
        return Q()
    orgs = _org_ids_with_role(actor, Membership.Role.MODERATOR)
    if not orgs:
        raise PolicyDenied(_("Only moderators may hide or restore comments."))
    return _drafts_of(orgs)


# Who reads a comment of each visibility, in words: shown beside each choice on
# the comment and reply forms, and stated in docs/permissions.md ("Who sees a
# comment"), which a test keeps identical. Change them with the rules above.
VISIBILITY_AUDIENCES = {
    "public": gettext_lazy(
        "Everyone, signed in or not. It is part of the public record: the public response "
        "matrix, the open data and every review packet."
    ),
    "participants": gettext_lazy(
        "Every member of an organisation taking part, and the ministry's and the National "
        "Assembly's staff; not people who signed up as individuals, nor visitors who are not "
        "signed in. Review packets include it."
    ),
    "restricted": gettext_lazy(
        "Only you and your organisation (and, for a reply, whoever opened the thread), "
        "the drafters and moderators of the ministry leading this draft, the National "
        "Assembly's officials and the portal's administrators. Only review packets made for "
        "restricted reading include it."
    ),
}


def visibility_audience(visibility: str) -> str:
    """Who will read a comment posted with ``visibility``, in the active language."""
    return str(VISIBILITY_AUDIENCES.get(visibility, ""))


def comment_visibility_filter(user, draft=None, *, prefix: str = "") -> Q:
    """The ``comment.view`` rule as a query, for lists, counts and filters.

    With a draft, for that draft's comments; without, across every draft.
    ``prefix`` is the path to the comment from the queried model (``"comments__"``
    to count a version's comments from the version).
    """
    actor = actor_for(user)
    if draft is not None and sees_everything_on(actor, draft):
        return Q()
    if actor.is_staff or actor.is_official:
        return Q()
    allowed = Q(**{f"{prefix}visibility": "public"})
    if actor.is_authenticated:
        # One's own words, and every reply in a thread one opened.
        allowed |= Q(**{f"{prefix}author_id": actor.user_id}) | Q(
            **{f"{prefix}thread_author_id": actor.user_id}
        )
    if actor.is_participant:
        allowed |= Q(**{f"{prefix}visibility": "participants"})
    if actor.org_ids:
        allowed |= Q(**{f"{prefix}visibility": "restricted"}) & (
            Q(**{f"{prefix}organisation_id__in": actor.org_ids})
            | Q(**{f"{prefix}thread_organisation_id__in": actor.org_ids})
        )
    if draft is None:
        reviewing_orgs = _org_ids_with_role(
            actor, Membership.Role.DRAFTER, Membership.Role.MODERATOR
        )
        if reviewing_orgs:
            allowed |= _drafts_of(reviewing_orgs, draft=f"{prefix}version__draft")
    return allowed


def comment_text_filter(user, *, prefix: str = "") -> Q:
    """The comments whose words ``user`` may read, across every draft, as a query.

    ``comment.view`` (``comment_visibility_filter``) and, for a hidden comment,
    ``comment.view_hidden``: its author and the people who review the draft
    (its drafters and moderators, officials, staff). Search finds a comment by
    its words only through this filter, so a hidden comment's words are never
    found, counted or quoted in a snippet for anyone else.
    """
    actor = actor_for(user)
    visible = comment_visibility_filter(user, prefix=prefix)
    if actor.is_staff or actor.is_official:
        return visible
    words_shown = ~Q(**{f"{prefix}state": "hidden"})
    if actor.is_authenticated:
        words_shown |= Q(**{f"{prefix}author_id": actor.user_id})
    reviewing_orgs = _org_ids_with_role(actor, Membership.Role.DRAFTER, Membership.Role.MODERATOR)
    if reviewing_orgs:
        words_shown |= _drafts_of(reviewing_orgs, draft=f"{prefix}version__draft")
    return visible & words_shown


def comment_record_filter(user, draft) -> Q:
    """The comments of ``draft`` that are part of the record ``user`` may read.

    The record (the response matrix, its exports, the packets) is what
    ``comment_visibility_filter`` lets the user see, less the comments a moderator
    has hidden: those stay in the record only for the people who review (drafters,
    moderators, officials), who must be able to account for every decision.
    Thread pages show hidden comments as stubs instead; that is ``comment.view_hidden``.
    """
    visible = comment_visibility_filter(user, draft)
    if sees_everything_on(actor_for(user), draft):
        return visible
    return visible & ~Q(state="hidden")


# --- review packets: which comments a packet carries ----------------------------------


def packet_reader_filter(*, include_restricted: bool) -> Q:
    """What the reader a packet is written for may see, as ``comment.view`` decides it.

    A packet with restricted comments (only readers allowed
    ``packet.include_restricted`` can request one) is read as a drafter or an
    official reads the draft: every comment, hidden ones included. Any other is
    read as a signed-in participant of no organisation reads it: public and
    participants-only comments, not hidden ones. The packet's response matrix
    numbers its rows over these comments, as the matrix page does for a person.
    """
    if include_restricted:
        return Q()
    return Q(visibility__in=["public", "participants"]) & ~Q(state="hidden")


def packet_comment_filter(*, include_restricted: bool) -> Q:
    """The comments a packet carries, given its ``include_restricted``, as one query filter.

    Public and participants-only comments always; restricted ones only in a
    packet that includes them, and then also replies in a restricted thread.
    Only active comments: withdrawn and hidden comments are not part of the
    record sent to the Assembly, nor are replies in a thread whose first
    comment is not active.
    """
    carried = Q(state="active") & (Q(root__isnull=True) | Q(root__state="active"))
    if include_restricted:
        return carried
    return (
        carried & Q(visibility__in=["public", "participants"]) & ~Q(root__visibility="restricted")
    )
