"""The drafting desk: working versions, the review desk, publishing, redlines, the matrix, history.

Views parse the request, call one service or selector, and render. Permissions
come from ``stakeholders.policies``; a refusal is shown as a 403 page that says
why (``PolicyDenied`` carries the translated reason).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from comments import matrix as matrix_selectors
from comments import services as comment_services
from comments.models import Comment, Disposition
from portal.errors import ConflictError, DomainError, PolicyDenied
from portal.i18n import current_language
from stakeholders.policies import can, ensure_can

from . import services
from .forms_desk import (
    ApplyForm,
    CompareForm,
    DispositionForm,
    PlacementForm,
    ProvisionAddForm,
    ProvisionEditForm,
    PublishForm,
    RemoveForm,
)
from .models import Draft, DraftVersion, Provision
from .redline import render_diff_html, version_redline, word_diff

# --- plumbing ----------------------------------------------------------------------


def _forbidden(request, message: str) -> HttpResponse:
    return render(request, "drafts/desk/forbidden.html", {"reason": message}, status=403)


def desk_view(*, login: bool = True):
    """Show a PolicyDenied as a clear 403 page; ask anonymous visitors to sign in first."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if login and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                return view(request, *args, **kwargs)
            except PolicyDenied as denied:
                return _forbidden(request, denied.message)

        return wrapper

    return decorate


def _draft(slug: str) -> Draft:
    return get_object_or_404(
        Draft.objects.select_related("lead_ministry").prefetch_related("drafting_partners"),
        slug=slug,
    )


def _version(draft: Draft, number: int) -> DraftVersion:
    version = get_object_or_404(DraftVersion, draft=draft, number=number)
    version.draft = draft  # already loaded, with its partners: no further queries
    return version


def _working_version(draft: Draft) -> DraftVersion | None:
    version = DraftVersion.objects.filter(draft=draft, status=DraftVersion.Status.WORKING).first()
    if version is not None:
        version.draft = draft
    return version


def _provision(version: DraftVersion, stable_id: str) -> Provision:
    provision = get_object_or_404(Provision, version=version, stable_id=stable_id)
    provision.version = version
    return provision


def _live_provisions(version: DraftVersion) -> list[Provision]:
    rows = list(Provision.objects.for_reading(version))
    for row in rows:
        row.version = version
    return rows


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _form_error(form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _desk_url(name: str, draft: Draft, **kwargs) -> str:
    return reverse(f"drafts:{name}", kwargs={"slug": draft.slug, **kwargs})


# --- desk home -----------------------------------------------------------------------


@desk_view()
def desk_home(request, slug):
    draft = _draft(slug)
    ensure_can(request.user, "desk.view", draft)
    versions = list(
        DraftVersion.objects.filter(draft=draft)
        .select_related("parent")
        .annotate(
            comment_count=Count("comments", filter=Q(comments__parent__isnull=True), distinct=True),
            pending_count=Count(
                "comments",
                filter=Q(
                    comments__parent__isnull=True,
                    comments__disposition__status=Disposition.Status.PENDING,
                ),
                distinct=True,
            ),
        )
        .order_by("-number")
    )
    for version in versions:
        version.draft = draft
    working = next((v for v in versions if v.status == DraftVersion.Status.WORKING), None)
    published = [v for v in versions if v.published_at]
    return render(
        request,
        "drafts/desk/home.html",
        {
            "draft": draft,
            "versions": versions,
            "working": working,
            "can_start": working is None
            and bool(published)
            and can(request.user, "draft.start_version", draft),
            "latest_published": published[0] if published else None,
        },
    )


@desk_view()
@require_POST
def start_version(request, slug):
    draft = _draft(slug)
    try:
        version = services.version_start_next(draft=draft, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_desk_url("desk_home", draft))
    messages.success(
        request,
        _("Version %(number)s was started from version %(source)s.")
        % {"number": version.number, "source": version.parent.number},
    )
    return redirect(_desk_url("desk_version", draft, number=version.number))


# --- working version ---------------------------------------------------------------


@dataclass
class Row:
    provision: Provision
    depth: int
    change: object | None


def _rows_with_depth(provisions: list[Provision]) -> list[Row]:
    depth_of: dict[int, int] = {}
    rows = []
    for provision in provisions:
        depth = depth_of.get(provision.parent_id, -1) + 1 if provision.parent_id else 0
        depth_of[provision.pk] = depth
        rows.append(Row(provision=provision, depth=min(depth, 4), change=None))
    return rows


@desk_view()
def version_view(request, slug, number):
    """A version as the drafters work on it: every provision, removed ones struck through."""
    draft = _draft(slug)
    version = _version(draft, number)
    ensure_can(request.user, "desk.view", draft)
    provisions = list(Provision.objects.filter(version=version).order_by("position", "pk"))
    for provision in provisions:
        provision.version = version
    rows = _rows_with_depth(provisions)
    redline = None
    if version.parent_id:
        parent = DraftVersion.objects.get(pk=version.parent_id)
        parent.draft = draft
        redline = version_redline(old_version=parent, new_version=version)
        by_id = {c.stable_id: c for c in redline.changes}
        for row in rows:
            if row.provision.removed_at is None:
                row.change = by_id.get(row.provision.stable_id)
    matrix_selectors.attach_earlier_feedback(provisions, version, request.user)
    return render(
        request,
        "drafts/desk/version.html",
        {
            "draft": draft,
            "version": version,
            "rows": rows,
            "redline": redline,
            "can_edit": can(request.user, "version.edit", version),
            "can_history": can(request.user, "draft.history", draft),
        },
    )


def _conflict_context(provision: Provision, current: Provision, data) -> dict:
    """Both texts of a refused save, and what the other drafter changed relative to the user."""
    fields = []
    for name, label in (
        ("number", _("Number")),
        ("heading_en", _("Heading (English)")),
        ("heading_km", _("Heading (Khmer)")),
        ("text_en", _("Text (English)")),
        ("text_km", _("Text (Khmer)")),
    ):
        theirs = getattr(current, name) or ""
        mine = data.get(name, "") or ""
        if theirs.replace("\r\n", "\n").strip() == mine.replace("\r\n", "\n").strip():
            continue
        language = "km" if name.endswith("_km") else "en"
        fields.append(
            {
                "label": label,
                "theirs": theirs,
                "mine": mine,
                "diff": render_diff_html(word_diff(theirs, mine, language)),
                "language": language,
            }
        )
    return {"conflict": True, "current": current, "conflict_fields": fields}


@desk_view()
@require_http_methods(["GET", "POST"])
def provision_edit(request, slug, number, stable_id):
    draft = _draft(slug)
    version = _version(draft, number)
    ensure_can(request.user, "version.edit", version)
    provision = _provision(version, stable_id)
    if provision.removed_at is not None:
        messages.error(request, _("This provision has been removed from the working version."))
        return redirect(_desk_url("desk_version", draft, number=number))
    context = {"draft": draft, "version": version, "provision": provision}
    if request.method == "POST":
        form = ProvisionEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.provision_edit(
                    provision=provision,
                    by=request.user,
                    revision=data["revision"],
                    number=data["number"],
                    heading_en=data["heading_en"],
                    heading_km=data["heading_km"],
                    text_en=data["text_en"],
                    text_km=data["text_km"],
                    reason=data["reason"],
                )
            except ConflictError as conflict:
                current = conflict.current
                fresh = request.POST.copy()
                fresh["revision"] = str(current.revision)  # saving again is a deliberate choice
                form = ProvisionEditForm(fresh)
                form.is_valid()
                context.update(_conflict_context(provision, current, data))
                context["form"] = form
                return render(request, "drafts/desk/provision_edit.html", context, status=409)
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("%(label)s was saved.") % {"label": provision.label})
                return redirect(
                    _desk_url("desk_version", draft, number=number) + f"#{provision.stable_id}"
                )
    else:
        form = ProvisionEditForm(
            initial={
                "number": provision.number,
                "heading_en": provision.heading_en,
                "heading_km": provision.heading_km,
                "text_en": provision.text_en,
                "text_km": provision.text_km,
                "revision": provision.revision,
            }
        )
    context["form"] = form
    return render(request, "drafts/desk/provision_edit.html", context)


@desk_view()
@require_http_methods(["GET", "POST"])
def provision_add(request, slug, number):
    draft = _draft(slug)
    version = _version(draft, number)
    ensure_can(request.user, "version.edit", version)
    provisions = _live_provisions(version)
    if request.method == "POST":
        form = ProvisionAddForm(request.POST, provisions=provisions)
        if form.is_valid():
            data = form.cleaned_data
            try:
                provision = services.provision_add(
                    version=version,
                    by=request.user,
                    kind=data["kind"],
                    parent=data["parent_provision"],
                    after=data["after_provision"],
                    number=data["number"],
                    heading_en=data["heading_en"],
                    heading_km=data["heading_km"],
                    text_en=data["text_en"],
                    text_km=data["text_km"],
                )
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("%(label)s was added.") % {"label": provision.label})
                return redirect(
                    _desk_url("desk_version", draft, number=number) + f"#{provision.stable_id}"
                )
    else:
        initial = {"kind": Provision.Kind.ARTICLE}
        after = next((p for p in provisions if p.stable_id == request.GET.get("after")), None)
        if after is not None:
            by_pk = {p.pk: p for p in provisions}
            initial["after"] = after.stable_id
            initial["kind"] = after.kind
            if after.parent_id in by_pk:
                initial["parent"] = by_pk[after.parent_id].stable_id
        form = ProvisionAddForm(initial=initial, provisions=provisions)
    return render(
        request,
        "drafts/desk/provision_add.html",
        {"draft": draft, "version": version, "form": form},
    )


@desk_view()
@require_http_methods(["GET", "POST"])
def provision_move(request, slug, number, stable_id):
    draft = _draft(slug)
    version = _version(draft, number)
    ensure_can(request.user, "version.edit", version)
    provisions = _live_provisions(version)
    provision = next((p for p in provisions if p.stable_id == stable_id), None)
    if provision is None:
        raise Http404
    if request.method == "POST":
        form = PlacementForm(request.POST, provisions=provisions, moving=provision)
        if form.is_valid():
            try:
                services.provision_move(
                    provision=provision,
                    by=request.user,
                    parent=form.cleaned_data["parent_provision"],
                    after=form.cleaned_data["after_provision"],
                )
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(label)s was moved. Renumber the articles if their numbers should follow.")
                    % {"label": provision.label},
                )
                return redirect(
                    _desk_url("desk_version", draft, number=number) + f"#{provision.stable_id}"
                )
    else:
        by_pk = {p.pk: p for p in provisions}
        parent = by_pk.get(provision.parent_id)
        form = PlacementForm(
            initial={"parent": parent.stable_id if parent else ""},
            provisions=provisions,
            moving=provision,
        )
    return render(
        request,
        "drafts/desk/provision_move.html",
        {"draft": draft, "version": version, "provision": provision, "form": form},
    )


@desk_view()
@require_http_methods(["GET", "POST"])
def provision_remove(request, slug, number, stable_id):
    draft = _draft(slug)
    version = _version(draft, number)
    ensure_can(request.user, "version.edit", version)
    provision = _provision(version, stable_id)
    if request.method == "POST":
        form = RemoveForm(request.POST)
        if form.is_valid():
            services.provision_remove(
                provision=provision, by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(
                request,
                _("%(label)s was removed from version %(number)s. It stays in the record.")
                % {"label": provision.label, "number": version.number},
            )
            return redirect(
                _desk_url("desk_version", draft, number=number) + f"#{provision.stable_id}"
            )
    else:
        form = RemoveForm()
    children = Provision.objects.filter(parent=provision, removed_at__isnull=True).count()
    return render(
        request,
        "drafts/desk/provision_remove.html",
        {
            "draft": draft,
            "version": version,
            "provision": provision,
            "form": form,
            "children": children,
        },
    )


@desk_view()
@require_POST
def renumber(request, slug, number):
    draft = _draft(slug)
    version = _version(draft, number)
    changed = services.version_renumber_articles(version=version, by=request.user)
    messages.success(
        request,
        ngettext(
            "Renumbered: %(count)s number changed.",
            "Renumbered: %(count)s numbers changed.",
            changed,
        )
        % {"count": changed},
    )
    return redirect(_desk_url("desk_version", draft, number=number))


@desk_view()
@require_http_methods(["GET", "POST"])
def publish(request, slug, number):
    draft = _draft(slug)
    version = _version(draft, number)
    ensure_can(request.user, "version.publish", version)
    if request.method == "POST":
        form = PublishForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.version_publish(
                    version=version,
                    by=request.user,
                    closes_at=data["closes_at"],
                    opens_at=data["opens_at"],
                    change_note_en=data["change_note_en"],
                    change_note_km=data["change_note_km"],
                )
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    _("Version %(number)s is published and open for comments.")
                    % {"number": version.number},
                )
                return redirect(_desk_url("desk_home", draft))
    else:
        form = PublishForm(
            initial={
                "change_note_en": version.change_note_en,
                "change_note_km": version.change_note_km,
            }
        )
    redline = None
    if version.parent_id:
        parent = DraftVersion.objects.get(pk=version.parent_id)
        parent.draft = draft
        redline = version_redline(old_version=parent, new_version=version)
    return render(
        request,
        "drafts/desk/publish.html",
        {"draft": draft, "version": version, "form": form, "redline": redline},
    )


# --- review desk -------------------------------------------------------------------


def _filters(request) -> dict:
    return {
        name: request.GET.get(name, "")
        for name in matrix_selectors.FILTER_NAMES
        if request.GET.get(name)
    }


def _facet_links(request, facets, filters):
    """For each facet option, the query string that toggles it (works without JavaScript)."""
    out = []
    for facet in facets:
        options = []
        for value, label, count in facet.options:
            query = request.GET.copy()
            query.pop("page", None)
            active = filters.get(facet.name) == value
            if active:
                query.pop(facet.name, None)
            else:
                query[facet.name] = value
            options.append(
                {
                    "value": value,
                    "label": label,
                    "count": count,
                    "active": active,
                    "query": query.urlencode(),
                }
            )
        out.append({"name": facet.name, "label": facet.label, "options": options})
    return out


@desk_view()
def review(request, slug, number):
    """Every top-level comment of a version, filterable, each with its disposition form."""
    draft = _draft(slug)
    version = _version(draft, number)
    ensure_can(request.user, "desk.view", draft)
    filters = _filters(request)
    all_rows = matrix_selectors.matrix_all_rows(version=version, user=request.user)
    rows = matrix_selectors.filter_rows(all_rows, filters)
    facets = _facet_links(request, matrix_selectors.matrix_facets(all_rows, filters), filters)
    checks = matrix_selectors.passage_checks_for(version)
    working = _working_version(draft)
    can_answer = can(request.user, "desk.view", draft)
    for row in rows:
        comment = row.comment
        disposition = getattr(comment, "disposition", None)
        row.passage_check = checks.get(comment.pk)
        row.disposition_obj = disposition
        row.form = DispositionForm(
            initial={
                "status": disposition.status
                if disposition and disposition.status != Disposition.Status.PENDING
                else "",
                "response": disposition.response if disposition else "",
                "revision": disposition.revision if disposition else 1,
            },
            auto_id=f"id_c{comment.pk}_%s",
        )
        row.can_apply = (
            working is not None
            and working.pk != version.pk
            and comment.kind == Comment.Kind.AMENDMENT
            and bool(comment.proposed_text)
        )
        if comment.kind == Comment.Kind.AMENDMENT and comment.proposed_text:
            language = comment_services.amendment_language(comment)
            row.proposal_diff = render_diff_html(
                word_diff(
                    comment_services.amendment_base_text(comment, language),
                    comment.proposed_text,
                    language,
                )
            )
            row.proposal_language = language
    return render(
        request,
        "drafts/desk/review.html",
        {
            "draft": draft,
            "version": version,
            "rows": rows,
            "total": len(all_rows),
            "facets": facets,
            "filters": filters,
            "working": working,
            "can_answer": can_answer,
            "query": request.GET.urlencode(),
        },
    )


def _comment(draft: Draft, comment_id: int) -> Comment:
    comment = get_object_or_404(
        Comment.objects.select_related(
            "version", "provision", "organisation", "author", "disposition"
        ),
        pk=comment_id,
        version__draft=draft,
    )
    comment.version.draft = draft
    comment.provision.version = comment.version
    return comment


@desk_view()
@require_http_methods(["GET", "POST"])
def respond(request, slug, comment_id):
    draft = _draft(slug)
    comment = _comment(draft, comment_id)
    ensure_can(request.user, "comment.answer", comment)
    disposition = getattr(comment, "disposition", None)
    review_url = (
        _desk_url("desk_review", draft, number=comment.version.number) + f"#comment-{comment.pk}"
    )
    context = {"draft": draft, "version": comment.version, "comment": comment}
    if request.method == "POST":
        form = DispositionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                comment_services.disposition_record(
                    comment=comment,
                    by=request.user,
                    status=data["status"],
                    response=data["response"],
                    revision=data["revision"],
                )
            except ConflictError as conflict:
                current = conflict.current
                fresh = request.POST.copy()
                fresh["revision"] = str(current.revision)
                form = DispositionForm(fresh)
                form.is_valid()
                context.update({"form": form, "conflict": True, "current": current})
                return render(request, "drafts/desk/respond.html", context, status=409)
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request, _("Your response to comment #%(id)s was saved.") % {"id": comment.pk}
                )
                return redirect(_safe_next(request, review_url))
    else:
        form = DispositionForm(
            initial={
                "status": disposition.status
                if disposition and disposition.status != Disposition.Status.PENDING
                else "",
                "response": disposition.response if disposition else "",
                "revision": disposition.revision if disposition else 1,
            }
        )
    context.update({"form": form, "current": disposition})
    return render(request, "drafts/desk/respond.html", context)


def _three_way(comment: Comment, working_article: Provision, language: str) -> dict:
    base = comment_services.amendment_base_text(comment, language)
    proposed = comment.proposed_text
    current = working_article.text_in(language) if language == "km" else working_article.text_en
    return {
        "language": language,
        "base": base,
        "proposed": proposed,
        "current": current,
        "proposed_diff": render_diff_html(word_diff(base, proposed, language)),
        "current_diff": render_diff_html(word_diff(base, current, language)),
        "apply_diff": render_diff_html(word_diff(current, proposed, language)),
        "diverged": current != base,
    }


@desk_view()
@require_http_methods(["GET", "POST"])
def apply(request, slug, comment_id):
    """Merge a proposed amendment into the working version, through a three-way view if needed."""
    draft = _draft(slug)
    comment = _comment(draft, comment_id)
    ensure_can(request.user, "comment.apply", comment)
    working = _working_version(draft)
    if working is None or working.pk == comment.version_id:
        messages.error(
            request,
            _("Start the next working version first; an amendment is applied to it."),
        )
        return redirect(_desk_url("desk_home", draft))
    ensure_can(request.user, "version.edit", working)
    article = (
        Provision.objects.filter(version=working, stable_id=comment.provision.stable_id)
        .select_related("version")
        .first()
    )
    if article is None or article.removed_at is not None:
        messages.error(
            request,
            _("This provision is no longer in the working version; answer the comment instead."),
        )
        return redirect(_desk_url("respond", draft, comment_id=comment.pk))
    language = comment_services.amendment_language(comment)
    three_way = _three_way(comment, article, language)
    disposition = getattr(comment, "disposition", None)
    review_url = (
        _desk_url("desk_review", draft, number=comment.version.number) + f"#comment-{comment.pk}"
    )
    resolving = three_way["diverged"]
    status = 200
    if request.method == "POST":
        form = ApplyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                comment_services.amendment_apply(
                    comment=comment,
                    by=request.user,
                    working_version=working,
                    response=data["response"],
                    status=data["status"],
                    text=data["text"] if data["resolve"] else None,
                    working_revision=data["working_revision"],
                    disposition_revision=data["disposition_revision"],
                )
            except ConflictError as conflict:
                current = conflict.current
                if isinstance(current, Provision):
                    article = current
                    three_way = _three_way(comment, article, language)
                fresh = request.POST.copy()
                fresh["resolve"] = "True"
                fresh["working_revision"] = str(article.revision)
                if isinstance(current, Disposition):
                    fresh["disposition_revision"] = str(current.revision)
                if not (fresh.get("text") or "").strip():
                    fresh["text"] = three_way["proposed"]
                form = ApplyForm(fresh)
                messages.warning(request, conflict.message)
                resolving = True
                status = 409
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The amendment of comment #%(id)s was applied to %(label)s of version "
                        "%(number)s, and the response recorded."
                    )
                    % {"id": comment.pk, "label": article.label, "number": working.number},
                )
                return redirect(_safe_next(request, review_url))
        else:
            resolving = resolving or bool(request.POST.get("resolve"))
    else:
        form = ApplyForm(
            initial={
                "status": Disposition.Status.ACCEPTED,
                "response": disposition.response if disposition else "",
                "text": three_way["proposed"],
                "resolve": resolving,
                "working_revision": article.revision,
                "disposition_revision": disposition.revision if disposition else None,
            }
        )
    return render(
        request,
        "drafts/desk/apply.html",
        {
            "draft": draft,
            "version": comment.version,
            "comment": comment,
            "working": working,
            "article": article,
            "form": form,
            "resolving": resolving,
            "tw": three_way,
            "next_url": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=status,
    )


# --- comment-response matrix -------------------------------------------------------


def _matrix_rows(request, slug, number):
    draft = _draft(slug)
    version = _version(draft, number)
    ensure_can(request.user, "version.view", version)
    filters = _filters(request)
    all_rows = matrix_selectors.matrix_all_rows(version=version, user=request.user)
    return draft, version, filters, all_rows


@desk_view(login=False)
def matrix(request, slug, number):
    draft, version, filters, all_rows = _matrix_rows(request, slug, number)
    rows = matrix_selectors.filter_rows(all_rows, filters)
    facets = _facet_links(request, matrix_selectors.matrix_facets(all_rows, filters), filters)
    return render(
        request,
        "drafts/desk/matrix.html",
        {
            "draft": draft,
            "version": version,
            "rows": rows,
            "total": len(all_rows),
            "facets": facets,
            "filters": filters,
            "query": request.GET.urlencode(),
            "is_drafter": can(request.user, "desk.view", draft),
        },
    )


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@desk_view(login=False)
def matrix_csv(request, slug, number):
    draft, version, filters, all_rows = _matrix_rows(request, slug, number)
    rows = matrix_selectors.filter_rows(all_rows, filters)
    return _download(
        matrix_selectors.matrix_csv(rows),
        f"{draft.slug}-v{version.number}-comment-response-matrix.csv",
        "text/csv; charset=utf-8",
    )


@desk_view(login=False)
def matrix_xlsx(request, slug, number):
    draft, version, filters, all_rows = _matrix_rows(request, slug, number)
    rows = matrix_selectors.filter_rows(all_rows, filters)
    return _download(
        matrix_selectors.matrix_xlsx(rows),
        f"{draft.slug}-v{version.number}-comment-response-matrix.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- history -----------------------------------------------------------------------

_COMMENT_REF = re.compile(r"#(\d+)")


@dataclass
class HistoryEntry:
    when: datetime
    who: object
    kind: str  # "edit" or "disposition"
    action: str
    version_number: int | None
    changes: list
    comment_ids: list
    reason: str
    disposition: object = None
    comment: object = None


_FIELD_LABELS = {
    "number": gettext_lazy("Number"),
    "heading_en": gettext_lazy("Heading (English)"),
    "heading_km": gettext_lazy("Heading (Khmer)"),
    "text_en": gettext_lazy("Text (English)"),
    "text_km": gettext_lazy("Text (Khmer)"),
    "parent": gettext_lazy("Placed under"),
    "removed_at": gettext_lazy("Removed"),
}
_DIFFED = {"heading_en", "heading_km", "text_en", "text_km"}


@desk_view()
def history(request, slug, stable_id):
    """Every edit of an article across versions, and every disposition of its comments."""
    draft = _draft(slug)
    ensure_can(request.user, "draft.history", draft)
    records = list(
        Provision.history.filter(version__draft=draft, stable_id=stable_id)
        .select_related("history_user", "version")
        .order_by("history_date", "history_id")
    )
    if not records:
        raise Http404
    dispositions = list(
        Disposition.history.filter(
            comment__version__draft=draft, comment__provision__stable_id=stable_id
        )
        .select_related(
            "history_user",
            "comment",
            "comment__organisation",
            "comment__version",
            "applied_in_version",
        )
        .order_by("history_date", "history_id")
    )
    entries: list[HistoryEntry] = []
    previous_by_id: dict[int, object] = {}
    labels_by_field = {k: str(v) for k, v in _FIELD_LABELS.items()}
    for record in records:
        before = previous_by_id.get(record.id)
        changes = []
        if before is not None:
            for name, label in labels_by_field.items():
                old_value = getattr(before, f"{name}_id" if name == "parent" else name)
                new_value = getattr(record, f"{name}_id" if name == "parent" else name)
                if old_value == new_value:
                    continue
                if name == "parent" and record.history_change_reason != "Moved":
                    continue  # copies get their parent without a history row; only moves count
                change = {"label": label, "name": name}
                if name in _DIFFED:
                    language = "km" if name.endswith("_km") else "en"
                    change["diff"] = render_diff_html(
                        word_diff(old_value or "", new_value or "", language)
                    )
                else:
                    change["old"] = old_value
                    change["new"] = new_value
                changes.append(change)
        previous_by_id[record.id] = record
        reason = record.history_change_reason or ""
        action = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}[record.history_type]
        if before is None and reason.startswith("Copied"):
            action = _("Carried into version %(number)s") % {"number": record.version.number}
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind="edit",
                action=action,
                version_number=record.version.number if record.version else None,
                changes=changes,
                comment_ids=[int(x) for x in _COMMENT_REF.findall(reason)],
                reason=reason,
            )
        )
    for record in dispositions:
        if record.history_type == "+" and record.status == Disposition.Status.PENDING:
            continue  # created empty with every comment; nothing was decided yet
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind="disposition",
                action=Disposition.Status(record.status).label,
                version_number=record.comment.version.number,
                changes=[],
                comment_ids=[record.comment_id],
                reason=record.history_change_reason or "",
                disposition=record,
                comment=record.comment,
            )
        )
    entries.sort(key=lambda entry: entry.when)
    latest = records[-1]
    return render(
        request,
        "drafts/desk/history.html",
        {
            "draft": draft,
            "stable_id": stable_id,
            "latest": latest,
            "entries": entries,
        },
    )


# --- compare -----------------------------------------------------------------------


def _viewable_versions(request, draft: Draft) -> list[DraftVersion]:
    versions = list(DraftVersion.objects.filter(draft=draft).order_by("number"))
    out = []
    for version in versions:
        version.draft = draft
        if can(request.user, "version.view", version):
            out.append(version)
    return out


@desk_view(login=False)
def compare_index(request, slug):
    draft = _draft(slug)
    versions = _viewable_versions(request, draft)
    if len(versions) < 2:
        return render(
            request,
            "drafts/compare_index.html",
            {"draft": draft, "form": None, "versions": versions},
        )
    if "old" in request.GET or "new" in request.GET:
        form = CompareForm(request.GET, versions=versions)
        if form.is_valid():
            old, new = sorted((form.cleaned_data["old"], form.cleaned_data["new"]))
            return redirect("drafts:compare", slug=draft.slug, old=old, new=new)
    else:
        form = CompareForm(
            initial={"old": versions[-2].number, "new": versions[-1].number}, versions=versions
        )
    return render(
        request, "drafts/compare_index.html", {"draft": draft, "form": form, "versions": versions}
    )


def _compare_versions(request, slug, old, new):
    draft = _draft(slug)
    old_version = _version(draft, old)
    new_version = _version(draft, new)
    ensure_can(request.user, "version.view", old_version)
    ensure_can(request.user, "version.view", new_version)
    return draft, old_version, new_version


@desk_view(login=False)
def compare(request, slug, old, new):
    draft, old_version, new_version = _compare_versions(request, slug, old, new)
    redline = version_redline(old_version=old_version, new_version=new_version)
    language = current_language()
    versions = _viewable_versions(request, draft)
    return render(
        request,
        "drafts/compare.html",
        {
            "draft": draft,
            "old_version": old_version,
            "new_version": new_version,
            "redline": redline,
            "summary": redline.summary,
            "language": language,
            "other_language": "en" if language == "km" else "km",
            "form": CompareForm(initial={"old": old, "new": new}, versions=versions),
        },
    )


@desk_view(login=False)
def compare_article(request, slug, old, new, stable_id):
    draft, old_version, new_version = _compare_versions(request, slug, old, new)
    redline = version_redline(old_version=old_version, new_version=new_version)
    change = redline.for_stable_id(stable_id)
    if change is None:
        raise Http404
    index = redline.changes.index(change)
    return render(
        request,
        "drafts/compare_article.html",
        {
            "draft": draft,
            "old_version": old_version,
            "new_version": new_version,
            "change": change,
            "previous": redline.changes[index - 1] if index > 0 else None,
            "next": redline.changes[index + 1] if index + 1 < len(redline.changes) else None,
            "can_history": can(request.user, "draft.history", draft),
        },
    )
