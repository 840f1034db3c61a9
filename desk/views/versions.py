"""Working versions: start, view, edit, add, move, remove, renumber and publish."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from comments import matrix as matrix_selectors
from comments import selectors as comment_selectors
from comments import services as comment_services
from comments.models import Comment, Disposition
from core.errors import ConflictError, DomainError
from core.numerals import local_digits
from core.web import form_error
from drafts import selectors as draft_selectors
from drafts import services
from drafts.models import DraftVersion, Provision
from drafts.redline import render_diff_html, version_redline, word_diff
from stakeholders.policies import can, ensure_can

from ..forms import (
    PlacementForm,
    ProvisionAddForm,
    ProvisionEditForm,
    PublishForm,
    RemoveForm,
)
from .base import (
    _desk_url,
    _draft,
    _live_provisions,
    _provision,
    _version,
    desk_view,
)


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
        "desk/home.html",
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
        return redirect(_desk_url("home", draft))
    messages.success(
        request,
        _("Version %(number)s was started from version %(source)s.")
        % {"number": version.number, "source": version.parent.number},
    )
    return redirect(_desk_url("version", draft, number=version.number))


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
        "desk/version.html",
        {
            "draft": draft,
            "version": version,
            "rows": rows,
            "redline": redline,
            "can_edit": can(request.user, "version.edit", version),
            "can_history": can(request.user, "draft.history", draft),
            "gaps": draft_selectors.translation_gaps(p for p in provisions if not p.removed_at),
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
        return redirect(_desk_url("version", draft, number=number))
    context = {"draft": draft, "version": version, "provision": provision}
    if request.method == "POST":
        form = ProvisionEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                addresses = _picked_comments(data["addresses"])
                # Through comments: a save that drops an applied amendment's words
                # must say why, and the record then says it was superseded.
                comment_services.provision_edit_checked(
                    provision=provision,
                    by=request.user,
                    revision=data["revision"],
                    number=data["number"],
                    heading_en=data["heading_en"],
                    heading_km=data["heading_km"],
                    text_en=data["text_en"],
                    text_km=data["text_km"],
                    reason=data["reason"],
                    superseded_reason=data["superseded_reason"],
                    addresses=addresses,
                )
            except ConflictError as conflict:
                current = conflict.current
                fresh = request.POST.copy()
                fresh["revision"] = str(current.revision)  # saving again is a deliberate choice
                form = ProvisionEditForm(fresh)
                form.is_valid()
                context.update(_conflict_context(provision, current, data))
                context["form"] = form
                context.update(_answerable_context(request, provision, form))
                return render(request, "desk/provision_edit.html", context, status=409)
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, _("%(label)s was saved.") % {"label": provision.label})
                return redirect(
                    _desk_url("version", draft, number=number) + f"#{provision.stable_id}"
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
    context.update(_answerable_context(request, provision, form))
    return render(request, "desk/provision_edit.html", context)


def _picked_comments(ids: list[int]) -> list:
    """The comments whose ids were ticked; an id that names no comment is refused."""
    if not ids:
        return []
    found = {
        c.pk: c for c in Comment.objects.filter(pk__in=ids).select_related("version", "provision")
    }
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise DomainError(_("There is no comment #%(id)s.") % {"id": missing[0]}, field="addresses")
    return [found[pk] for pk in ids]


def _answerable_context(request, provision, form) -> dict:
    """Earlier comments on this article the change may answer, searched with ?q= (a GET form)."""
    query = (request.GET.get("q") or "")[:200].strip()
    picked = set()
    if form.is_bound:
        picked = {int(v) for v in form.data.getlist("addresses") if v.isdigit() and len(v) <= 18}
    answerable = list(
        comment_selectors.addressable_comments(user=request.user, provision=provision, query=query)
    )
    return {"answerable": answerable, "answerable_query": query, "picked": picked}


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
                form_error(form, error)
            else:
                messages.success(request, _("%(label)s was added.") % {"label": provision.label})
                return redirect(
                    _desk_url("version", draft, number=number) + f"#{provision.stable_id}"
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
        "desk/provision_add.html",
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
                form_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(label)s was moved. Renumber the articles if their numbers should follow.")
                    % {"label": provision.label},
                )
                return redirect(
                    _desk_url("version", draft, number=number) + f"#{provision.stable_id}"
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
        "desk/provision_move.html",
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
            return redirect(_desk_url("version", draft, number=number) + f"#{provision.stable_id}")
    else:
        form = RemoveForm()
    children = Provision.objects.filter(parent=provision, removed_at__isnull=True).count()
    return render(
        request,
        "desk/provision_remove.html",
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
        % {"count": local_digits(changed)},
    )
    return redirect(_desk_url("version", draft, number=number))


@desk_view()
@require_http_methods(["GET", "POST"])
def publish(request, slug, number):
    draft = _draft(slug)
    version = _version(draft, number)
    ensure_can(request.user, "version.publish", version)
    gaps = draft_selectors.translation_gaps(_live_provisions(version))
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
                    missing_translations=form.confirmed_missing_translations(),
                )
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(
                    request,
                    _("Version %(number)s is published and open for comments.")
                    % {"number": version.number},
                )
                return redirect(_desk_url("home", draft))
    else:
        form = PublishForm(
            initial={
                "change_note_en": version.change_note_en,
                "change_note_km": version.change_note_km,
                "missing_translations": gaps.total,
            }
        )
    redline = None
    if version.parent_id:
        parent = DraftVersion.objects.get(pk=version.parent_id)
        parent.draft = draft
        redline = version_redline(old_version=parent, new_version=version)
    return render(
        request,
        "desk/publish.html",
        {"draft": draft, "version": version, "form": form, "redline": redline, "gaps": gaps},
    )
