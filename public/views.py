"""Public pages: the consultation hub, a round's report, open data, the portal's own pages."""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from comments import selectors as comment_selectors
from core.errors import DomainError, PolicyDenied
from core.web import form_error, refusal
from drafts import selectors as draft_selectors
from stakeholders.policies import can, ensure_can
from stakeholders.selectors import listed_members

from . import opendata, rendering, selectors, services
from .forms import PageForm, SummaryForm
from .models import Page


def public_view(*, login: bool = False):
    """A refused action shows its reason; anonymous visitors are asked to sign in first."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if login and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                return view(request, *args, **kwargs)
            except PolicyDenied as denied:
                return refusal(request, denied.message, status=403)

        return wrapper

    return decorate


def _draft_and_version(request, slug: str, number: int):
    found = draft_selectors.draft_for_reading(user=request.user, slug=slug)
    if found is None:
        raise Http404
    draft, versions = found
    version = next((v for v in versions if v.number == number and v.is_frozen), None)
    if version is None:
        raise Http404
    return draft, versions, version


# --- hub ---------------------------------------------------------------------------


def hub(request):
    hub = selectors.consultation_hub(
        user=request.user,
        status=request.GET.get("status", ""),
        ministry=request.GET.get("ministry", ""),
    )
    return render(request, "public/hub.html", {"hub": hub})


# --- a round's report ------------------------------------------------------------------


def _charts(report) -> list[dict]:
    chapter_data = [
        (chapter.label if chapter else _("Outside any chapter"), n)
        for chapter, n in report.by_chapter
    ]
    return [
        rendering.svg_chart(
            "chart-kind",
            _("Comments by kind of organisation"),
            _("How many comments each kind of organisation made in this round."),
            [(row.label, row.comments) for row in report.by_kind],
        ),
        rendering.svg_chart(
            "chart-chapter",
            _("Comments by chapter"),
            _("How many comments were made on the articles of each chapter."),
            chapter_data,
        ),
        rendering.svg_chart(
            "chart-disposition",
            _("Threads by disposition"),
            _("What the ministry decided about the first comment of each thread."),
            [(label, n) for _code, label, n in report.by_disposition],
        ),
    ]


def report(request, slug, number):
    draft, versions, version = _draft_and_version(request, slug, number)
    data = selectors.round_report(
        user=request.user, draft=draft, versions=versions, version=version
    )
    data.charts = _charts(data)
    return render(
        request,
        "public/report.html",
        {
            "report": data,
            "meta_title": _("What we heard, what we did") + " · " + draft.short_title,
            "meta_description": _(
                "Who took part in the consultation round on version %(number)s, what they "
                "said and what the ministry did about it."
            )
            % {"number": version.number},
            "draft": draft,
            "version": version,
            "can_edit_summary": can(request.user, "report.edit_summary", version),
        },
    )


@public_view(login=True)
def summary_edit(request, slug, number):
    draft, _versions, version = _draft_and_version(request, slug, number)
    ensure_can(request.user, "report.edit_summary", version)
    summary = selectors.round_summary(version)
    initial = {
        "text_en": summary.text_en if summary else "",
        "text_km": summary.text_km if summary else "",
        "revision": summary.revision if summary else 0,
    }
    form = SummaryForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.round_summary_edit(version=version, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
            status = 409 if error.code == "conflict" else 400
        else:
            return redirect("public:report", draft.slug, version.number)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "public/summary_edit.html",
        {"form": form, "draft": draft, "version": version},
        status=status,
    )


# --- open data -------------------------------------------------------------------------


def _public_draft(slug):
    draft = selectors.public_draft(slug)
    if draft is None:
        raise Http404
    return draft


def open_data(request, slug):
    draft = _public_draft(slug)
    release = selectors.open_data_release(draft)
    files = []
    if release is not None:
        for name, entry in release.files.items():
            files.append({"name": name, **entry})
    return render(
        request,
        "public/open_data.html",
        {
            "draft": draft,
            "meta_title": _("Open data") + " · " + draft.short_title,
            "release": release,
            "files": files,
            "dictionary": [
                {"table": table, "description": description, "columns": columns}
                for table, (description, columns) in opendata.DICTIONARY.items()
            ],
            "licence": opendata.LICENCE,
            "licence_url": opendata.LICENCE_URL,
        },
    )


def open_data_file_response(request, slug: str, name: str):
    """One file of the draft's current release, with its ETag; 304 when the client has it."""
    draft = _public_draft(slug)
    release = selectors.open_data_release(draft)
    entry = release.files.get(name) if release is not None else None
    if entry is None:
        raise Http404
    etag = f'"{entry["etag"]}"'
    wanted = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in wanted or "*" in wanted:
        response = HttpResponseNotModified()
    else:
        try:
            handle = default_storage.open(entry["path"], "rb")
        except (FileNotFoundError, OSError):
            # Replaced by a newer release between the lookup and the read: ask again.
            response = HttpResponse(status=503, content=_("Please try again.").encode())
            response["Retry-After"] = "1"
            return response
        response = FileResponse(handle, content_type=entry["content_type"], filename=name)
        response["Content-Length"] = str(entry["size"])
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def open_data_file(request, slug, name):
    return open_data_file_response(request, slug, name)


# --- the portal's own pages ---------------------------------------------------------


def page(request, slug):
    found = selectors.page(slug)
    if found is None:
        raise Http404
    return render(
        request,
        "public/page.html",
        {
            "page": found,
            "meta_title": found.title,
            "meta_description": found.summary,
            "body": rendering.page_html(found.body),
            "can_edit": can(request.user, "page.edit", found),
        },
    )


@public_view(login=True)
def page_edit(request, slug):
    found = selectors.page(slug)
    if found is None:
        raise Http404
    ensure_can(request.user, "page.edit", found)
    form = PageForm.for_page(found, data=request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        revision = fields.pop("revision")
        try:
            services.page_edit(page=found, by=request.user, revision=revision, **fields)
        except DomainError as error:
            form_error(form, error)
            status = 409 if error.code == "conflict" else 400
        else:
            return redirect("public:page", found.slug)
    elif request.method == "POST":
        status = 400
    return render(request, "public/page_edit.html", {"form": form, "page": found}, status=status)


def pages_index(request):
    """Every portal page with its summary: the footer's pages as one list."""
    return render(
        request,
        "public/pages.html",
        {"pages": list(Page.objects.order_by("pk"))},
    )


# --- review packets from the header --------------------------------------------------


@public_view(login=True)
def packets_index(request):
    ensure_can(request.user, "packet.index")
    return render(request, "public/packets.html", {"rows": selectors.packet_versions(request.user)})


# --- an organisation's public page --------------------------------------------------

ORGANISATION_COMMENTS_PER_PAGE = 20


@require_GET
def organisation(request, slug):
    """An organisation's public record: its verified mark, its public comments, and the
    members who chose to be listed."""
    found = selectors.public_organisation(slug)
    if found is None:
        raise Http404(_("There is no such organisation."))
    page = Paginator(
        comment_selectors.organisation_public_comments(found), ORGANISATION_COMMENTS_PER_PAGE
    ).get_page(request.GET.get("page") or 1)
    return render(
        request,
        "public/organisation.html",
        {
            "organisation": found,
            "comments": page,
            "members": listed_members(found),
        },
    )


# --- feeds index, robots, favicon -----------------------------------------------------


def feeds_index(request):
    drafts = [
        d
        for d in draft_selectors.drafts_with_readable_versions(request.user)
        if any(v.is_frozen for v in d.readable_versions)
    ]
    return render(
        request,
        "public/feeds.html",
        {"drafts": drafts, "organisations": selectors.organisations_with_public_comments()},
    )


ROBOTS = """User-agent: *
Disallow: /accounts/
Disallow: /admin/
Disallow: /desk/
Disallow: /moderation/
Disallow: /notifications/
Disallow: /audit/
Disallow: /packets/
Disallow: /review-packets/
Disallow: /api/
Allow: /
"""


@require_GET
def robots_txt(request):
    return HttpResponse(ROBOTS, content_type="text/plain; charset=utf-8")


@require_GET
def favicon(request):
    return redirect(static("public/favicon.ico"), permanent=True)


def draft_links(user, draft, version) -> dict:
    """The public links of a draft's version page (used by its template tag)."""
    return {
        "report_url": reverse("public:report", args=[draft.slug, version.number])
        if version.is_frozen
        else "",
        "open_data_url": reverse("public:open_data", args=[draft.slug]),
        "feed_url": reverse("public:draft_feed", args=[draft.slug]),
        "matrix_url": reverse("desk:matrix", args=[draft.slug, version.number]),
        "packets_url": reverse("packets:list", args=[draft.slug, version.number])
        if can(user, "packet.request", version)
        else "",
    }
