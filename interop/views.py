"""Pages: export a version (Akoma Ntoso, Word, a Word redline); import a document in two steps.

Exports follow who may read the version (``version.view``, through the drafts
selectors): a working version is exported only for those who may read it, and
anybody else gets the same 404 as for its page. Imports are the drafters' (the
``draft.start_version`` rule for a new version, ``draft.create`` for a new draft).
"""

from __future__ import annotations

import functools
import io
import zipfile

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError, PolicyDenied
from core.web import error_response, form_error, refusal
from drafts.models import Draft, DraftVersion, Provision
from drafts.redline import version_redline
from stakeholders.policies import ensure_can

from . import akn, selectors, services, word
from .forms import ConfirmForm, UploadForm
from .models import ImportUpload
from .parsed import ParsedDocument

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _version_or_404(request, slug, number) -> DraftVersion:
    version = selectors.exportable_version(user=request.user, slug=slug, number=number)
    if version is None:
        raise Http404(_("There is no such version, or it is not public."))
    return version


def export_akn(request, slug, number, language):
    if language not in akn.LANGUAGE_CODES:
        raise Http404
    version = _version_or_404(request, slug, number)
    return _attachment(
        akn.version_document(version, version.provisions_live, language),
        "application/akn+xml; charset=utf-8",
        f"{slug}-v{number}-{language}.xml",
    )


def akn_bundle(version) -> bytes:
    """Both languages' documents in one .zip, as the import takes them back."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for language in akn.LANGUAGE_CODES:
            archive.writestr(
                f"{version.draft.slug}-v{version.number}-{language}.xml",
                akn.version_document(version, version.provisions_live, language),
            )
    return out.getvalue()


def export_akn_zip(request, slug, number):
    version = _version_or_404(request, slug, number)
    return _attachment(akn_bundle(version), "application/zip", f"{slug}-v{number}-akn.zip")


def export_word(request, slug, number):
    version = _version_or_404(request, slug, number)
    return _attachment(
        word.version_docx(version, version.provisions_live), DOCX_TYPE, f"{slug}-v{number}.docx"
    )


def export_redline(request, slug, old, new):
    pair = selectors.redline_pair(user=request.user, slug=slug, old=old, new=new)
    if pair is None:
        raise Http404(_("There is no such version, or it is not public."))
    redline = version_redline(old_version=pair[0], new_version=pair[1])
    return _attachment(word.redline_docx(redline), DOCX_TYPE, f"{slug}-v{old}-v{new}-redline.docx")


# --- imports ----------------------------------------------------------------------------


def drafter_page(view):
    """Sign-in first; a refusal shown with its reason."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except PolicyDenied as denied:
            return refusal(request, denied.message, status=403)

    return wrapper


def _may_import(request, draft: Draft | None) -> None:
    if draft is not None:
        ensure_can(request.user, "draft.start_version", draft)
    else:
        ensure_can(request.user, "draft.create", selectors.acting_organisation(request.user))


@drafter_page
@require_http_methods(["GET", "POST"])
def import_start(request, slug=None):
    """Step one: upload a document. It is read and kept for the preview; nothing changes yet."""
    draft = (
        get_object_or_404(
            Draft.objects.select_related("lead_ministry").prefetch_related("drafting_partners"),
            slug=slug,
        )
        if slug
        else None
    )
    _may_import(request, draft)
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.check_size(upload.size)  # before reading a huge file into memory
            made = services.import_upload(
                by=request.user, filename=upload.name, data=upload.read(), draft=draft
            )
        except DomainError as error:
            form_error(form, error)
        else:
            return redirect("interop:import_preview", pk=made.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "interop/import.html", {"draft": draft, "form": form}, status=status)


def _preview_rows(parsed: ParsedDocument):
    """Each provision with its depth and the problems found in it, in document order."""
    by_where: dict[str, list] = {}
    for problem in parsed.problems:
        by_where.setdefault(problem.where, []).append(problem)
    rows = []
    for item, depth in parsed.walk():
        where = f"{item.kind} {item.number}".strip()
        rows.append(
            {
                "item": item,
                "label": f"{Provision.Kind(item.kind).label} {item.number}".strip(),
                "depth": min(depth, 4),
                "problems": by_where.pop(where, []),
                "lacks_en": not (item.heading_en or item.text_en),
                "lacks_km": not (item.heading_km or item.text_km),
            }
        )
    leftover = [problem for problems in by_where.values() for problem in problems]
    return rows, leftover


@drafter_page
@require_http_methods(["GET", "POST"])
def import_preview(request, pk):
    """Step two: what was found, what was not understood, and the button that applies it."""
    upload = selectors.own_upload(user=request.user, pk=pk)
    if upload is None:
        raise Http404
    parsed = ParsedDocument.from_dict(upload.parsed)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        initial={"title_en": parsed.title_en, "title_km": parsed.title_km},
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.import_apply(upload=upload, by=request.user, **form.cleaned_data)
        except DomainError as error:
            if error.field in form.fields:
                form_error(form, error)
            else:
                return error_response(
                    request, error, back_url=reverse("interop:import_preview", args=[upload.pk])
                )
        else:
            messages.success(
                request,
                _("The document was imported as version %(number)s.") % {"number": version.number},
            )
            return redirect("desk:version", slug=version.draft.slug, number=version.number)
    rows, general_problems = _preview_rows(parsed)
    working = None
    if upload.draft_id and upload.status == ImportUpload.Status.PENDING:
        working = DraftVersion.objects.filter(
            draft_id=upload.draft_id, status=DraftVersion.Status.WORKING
        ).first()
    return render(
        request,
        "interop/preview.html",
        {
            "upload": upload,
            "parsed": parsed,
            "rows": rows,
            "general_problems": general_problems,
            "articles": parsed.count("article"),
            "chapters": parsed.count("chapter"),
            "working": working,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@drafter_page
@require_POST
def import_discard(request, pk):
    upload = selectors.own_upload(user=request.user, pk=pk)
    if upload is None:
        raise Http404
    services.import_discard(upload=upload, by=request.user)
    messages.info(request, _("The upload was set aside; nothing was imported."))
    if upload.draft_id:
        return redirect("desk:home", slug=upload.draft.slug)
    return redirect("comments:draft_list")
