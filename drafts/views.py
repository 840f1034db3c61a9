"""Public pages of the drafts app: redlines of any two versions, whole draft and per article.

A refusal (``PolicyDenied``) is not caught here: ``portal.urls.handler403`` shows it
on the one refusal page, with its reason.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from core.i18n import current_language
from stakeholders.policies import can, ensure_can

from .forms import CompareForm
from .models import Draft, DraftVersion
from .redline import version_redline


def _draft(slug: str) -> Draft:
    return get_object_or_404(
        Draft.objects.select_related("lead_ministry").prefetch_related("drafting_partners"),
        slug=slug,
    )


def _version(draft: Draft, number: int) -> DraftVersion:
    version = get_object_or_404(DraftVersion, draft=draft, number=number)
    version.draft = draft  # already loaded, with its partners: no further queries
    return version


def _viewable_versions(request, draft: Draft) -> list[DraftVersion]:
    versions = list(DraftVersion.objects.filter(draft=draft).order_by("number"))
    out = []
    for version in versions:
        version.draft = draft
        if can(request.user, "version.view", version):
            out.append(version)
    return out


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
