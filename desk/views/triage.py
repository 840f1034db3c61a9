"""The review desk at scale: a paginated list with facets, bulk actions, one comment's desk page,
the draft's tags, and clusters of near-duplicate comments answered once.

Thin views: selectors read (``desk.selectors``), services write (``desk.services``),
the policy decides (``stakeholders.policies``). Every bulk action and every
cluster answer is shown once for confirmation before it is carried out.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from comments.models import Comment, Disposition
from comments.selectors import amendment_diff, amendment_language
from core.errors import DomainError
from core.numerals import local_digits
from core.web import form_error, safe_next
from drafts.models import DraftVersion
from drafts.redline import render_diff_html
from stakeholders.policies import can, ensure_can

from .. import selectors, services
from ..facet_counts import desk_counts
from ..forms import (
    AssignForm,
    BulkForm,
    ClusterAnswerForm,
    NoteForm,
    TagForm,
)
from .base import _desk_url, _draft, _per_comment_url, _version, desk_view, drawn_facets
from .bulk_fields import bulk_fields
from .respond_fields import RespondFields


def _page_query(request, page_number) -> str:
    query = request.GET.copy()
    query["page"] = str(page_number)
    return query.urlencode()


@desk_view()
def review(request, slug, number):
    """One page of a version's comments, with facet counts, bulk actions and keyboard triage."""
    draft = _draft(slug)
    version = _version(draft, number)
    ensure_can(request.user, "desk.view", draft)
    filters = selectors.filters_from(request.GET)
    counts = desk_counts(version=version, user=request.user, filters=filters)
    facets = drawn_facets(request, counts, filters)
    page, rows = selectors.desk_page(
        version=version,
        user=request.user,
        filters=filters,
        page=request.GET.get("page"),
        matching=counts.matching,
    )
    prefetch_related_objects([draft], "versions")  # "comment.apply" reads them for every row
    working = next(
        (v for v in draft.versions.all() if v.status == DraftVersion.Status.WORKING), None
    )
    team = selectors.drafting_team(draft)
    tags = selectors.draft_tags(draft)
    sees_notes = can(request.user, "desk.notes", draft)
    respond_fields = RespondFields()
    desk_url = _per_comment_url("comment", draft)
    respond_url = _per_comment_url("respond", draft)
    for comment in rows:
        comment.respond_fields = respond_fields(comment)
        comment.desk_url = desk_url(comment.pk)
        comment.respond_url = respond_url(comment.pk)
        comment.can_apply = can(request.user, "comment.apply", comment)
        comment.proposal_diff = None  # read by the template on every row
        if comment.kind == Comment.Kind.AMENDMENT and comment.proposed_text:
            comment.proposal_language = amendment_language(comment)
            comment.proposal_diff = render_diff_html(amendment_diff(comment))
    return render(
        request,
        "desk/review.html",
        {
            "draft": draft,
            "version": version,
            "rows": rows,
            "page": page,
            "facets": facets,
            "filters": filters,
            "working": working,
            "sees_notes": sees_notes,
            "bulk_fields": bulk_fields(
                team=team, tags=tags, can_assign=can(request.user, "desk.assign", draft)
            ),
            "query": request.GET.urlencode(),
            "prev_query": _page_query(request, page.previous_page_number())
            if page.has_previous()
            else "",
            "next_query": _page_query(request, page.next_page_number()) if page.has_next() else "",
        },
    )


def _bulk_ids(form, version, user, filters) -> list[int]:
    if form.cleaned_data.get("scope") == "matching":
        return list(
            selectors._filtered(
                selectors.desk_comments(version=version, user=user), filters, user
            ).values_list("pk", flat=True)
        )
    return form.cleaned_data["ids"]


@desk_view()
@require_POST
def bulk(request, slug, number):
    """Assign, tag or answer a selection: the first post shows what will happen; the second does it."""
    draft = _draft(slug)
    version = _version(draft, number)
    ensure_can(request.user, "desk.view", draft)
    team = selectors.drafting_team(draft)
    tags = selectors.draft_tags(draft)
    back_query = request.POST.get("query", "")
    back = _desk_url("review", draft, number=version.number) + (
        f"?{back_query}" if back_query else ""
    )
    form = BulkForm(request.POST, team=team, tags=tags)
    if not form.is_valid():
        for error in form.non_field_errors() or [_("Please check the action and its details.")]:
            messages.error(request, error)
        for name, errors in form.errors.items():
            if name != "__all__":
                messages.error(request, f"{form.fields[name].label}: {' '.join(errors)}")
        return redirect(back)
    filters = selectors.filters_from(QueryDict(back_query))
    ids = _bulk_ids(form, version, request.user, filters)
    data = form.cleaned_data
    action = data["action"]
    people = {u.pk: u for u in team}
    tag_by_id = {t.pk: t for t in tags}
    if not form.cleaned_data["confirm"]:
        return render(
            request,
            "desk/bulk_confirm.html",
            {
                "draft": draft,
                "version": version,
                "form": form,
                "count": len(ids),
                "ids": ids,
                "action_label": dict(BulkForm.ACTIONS)[action],
                "assignee": people.get(data.get("assignee")),
                "tag": tag_by_id.get(data.get("tag")),
                "status_label": dict(Disposition.Status.choices).get(data.get("status"), ""),
                "back": back,
                "query": back_query,
            },
        )
    try:
        if action in ("assign", "unassign"):
            assignee = people.get(data.get("assignee")) if action == "assign" else None
            if action == "assign" and assignee is None:
                raise DomainError(_("Comments can be assigned only to drafters of this draft."))
            done = services.comments_assign(
                draft=draft, by=request.user, comment_ids=ids, assignee=assignee
            )
        elif action in ("tag", "untag"):
            tag = tag_by_id.get(data.get("tag"))
            if tag is None:
                raise DomainError(_("That tag belongs to another draft."))
            done = services.comments_tag(
                draft=draft, by=request.user, comment_ids=ids, tag=tag, remove=action == "untag"
            )
        else:
            done = services.comments_answer(
                draft=draft,
                by=request.user,
                comment_ids=ids,
                status=data["status"],
                response=data["response"],
            )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        ngettext("%(n)s comment changed.", "%(n)s comments changed.", done)
        % {"n": local_digits(done)},
    )
    return redirect(back)


# --- one comment's desk page --------------------------------------------------------------


@desk_view()
@require_http_methods(["GET", "POST"])
def comment_desk(request, slug, comment_id):
    """A comment with the team's working papers: assignment, tags and internal notes."""
    draft = _draft(slug)
    if not (can(request.user, "desk.view", draft) or can(request.user, "desk.notes", draft)):
        ensure_can(request.user, "desk.view", draft)
    comment = selectors.desk_comment(draft=draft, comment_id=comment_id, user=request.user)
    if comment is None:
        raise Http404
    here = _desk_url("comment", draft, comment_id=comment.pk)
    team = selectors.drafting_team(draft) if can(request.user, "desk.assign", draft) else []
    tags = selectors.draft_tags(draft) if can(request.user, "desk.tag", draft) else []
    note_form = NoteForm()
    if request.method == "POST":
        what = request.POST.get("form")
        try:
            if what == "note":
                note_form = NoteForm(request.POST)
                if note_form.is_valid():
                    services.note_add(
                        comment=comment, by=request.user, body=note_form.cleaned_data["body"]
                    )
                    messages.success(request, _("Your note was saved."))
                    return redirect(here + "#notes")
            elif what == "assign":
                form = AssignForm(request.POST, team=team)
                if form.is_valid():
                    assignee = next(
                        (u for u in team if u.pk == form.cleaned_data["assignee"]), None
                    )
                    services.comments_assign(
                        draft=draft, by=request.user, comment_ids=[comment.pk], assignee=assignee
                    )
                    messages.success(request, _("The assignment was saved."))
                    return redirect(here)
                messages.error(request, _("Please choose a drafter of this draft."))
            elif what in ("tag", "untag"):
                tag = next((t for t in tags if str(t.pk) == request.POST.get("tag")), None)
                if tag is None:
                    raise DomainError(_("Please choose one of the draft's tags."))
                services.comments_tag(
                    draft=draft,
                    by=request.user,
                    comment_ids=[comment.pk],
                    tag=tag,
                    remove=what == "untag",
                )
                return redirect(here)
        except DomainError as error:
            if what == "note":
                form_error(note_form, error)
            else:
                messages.error(request, error.message)
    assignment = getattr(comment, "desk_assignment", None)
    sees_notes = can(request.user, "desk.notes", draft)
    return render(
        request,
        "desk/comment.html",
        {
            "draft": draft,
            "version": comment.version,
            "comment": comment,
            "assignment": assignment,
            "assign_form": AssignForm(
                team=team, initial={"assignee": assignment.assignee_id if assignment else None}
            ),
            "team": team,
            "tags": tags,
            "has_tags": {t.tag_id for t in comment.desk_tags.all()},
            "sees_notes": sees_notes,
            "notes": selectors.internal_notes(comment=comment, user=request.user)
            if sees_notes
            else [],
            "note_form": note_form,
            "history": selectors.assignment_history(comment),
            "can_answer": can(request.user, "comment.answer", comment),
            "back": safe_next(request, _desk_url("review", draft, number=comment.version.number)),
        },
    )


# --- tags -----------------------------------------------------------------------------------


@desk_view()
@require_http_methods(["GET", "POST"])
def tags(request, slug):
    """The draft's controlled list of tags, with how often each is used."""
    draft = _draft(slug)
    ensure_can(request.user, "desk.view", draft)
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.tag_create(draft=draft, by=request.user, name=form.cleaned_data["name"])
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The tag was added."))
            return redirect(_desk_url("tags", draft))
    version = draft.versions.order_by("-number").first()
    return render(
        request,
        "desk/tags.html",
        {
            "draft": draft,
            "version": version,
            "tags": selectors.draft_tags(draft),
            "form": form,
            "can_manage": can(request.user, "desk.tags_manage", draft),
        },
    )


# --- clusters -------------------------------------------------------------------------------


@desk_view()
def clusters(request, slug, number):
    """The version's clusters of near-duplicate comments, largest first."""
    draft = _draft(slug)
    version = _version(draft, number)
    ensure_can(request.user, "desk.view", draft)
    page, rows = selectors.version_clusters(
        version=version, user=request.user, page=request.GET.get("page")
    )
    return render(
        request,
        "desk/clusters.html",
        {"draft": draft, "version": version, "page": page, "clusters": rows},
    )


@desk_view()
@require_http_methods(["GET", "POST"])
def cluster(request, slug, number, cluster_id):
    """One cluster: its representative text, the words each member changed, and answering once."""
    draft = _draft(slug)
    version = _version(draft, number)
    ensure_can(request.user, "desk.view", draft)
    found = selectors.cluster_for(version=version, cluster_id=cluster_id)
    if found is None:
        raise Http404
    here = _desk_url("cluster", draft, number=version.number, cluster_id=found.pk)
    form = ClusterAnswerForm(request.POST or None)
    confirming = False
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data["confirm"]:
            confirming = True
        else:
            try:
                done = services.cluster_answer(
                    cluster=found,
                    by=request.user,
                    status=form.cleaned_data["status"],
                    response=form.cleaned_data["response"],
                )
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "The response was recorded on %(n)s comment.",
                        "The response was recorded on %(n)s comments.",
                        done,
                    )
                    % {"n": local_digits(done)},
                )
                return redirect(here)
    page, members = selectors.cluster_members(
        cluster=found, user=request.user, page=request.GET.get("page")
    )
    statuses = selectors.cluster_statuses(found)
    return render(
        request,
        "desk/cluster.html",
        {
            "draft": draft,
            "version": version,
            "cluster": found,
            "page": page,
            "members": members,
            "form": form,
            "confirming": confirming,
            "status_label": dict(Disposition.Status.choices).get(
                form.cleaned_data.get("status") if form.is_bound and form.is_valid() else "", ""
            ),
            "statuses": [
                (str(s.label), statuses.get(s.value, 0))
                for s in Disposition.Status
                if statuses.get(s.value)
            ],
            "answered": sum(n for s, n in statuses.items() if s != Disposition.Status.PENDING),
        },
    )
