"""Joining organisations: the directory, asking to join, the administrator's decision, and
staff's verification of who an organisation is."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.web import error_response

from .. import services
from ..models import JoinRequest, Organisation
from ..policies import actor_for, can


@require_GET
def directory(request):
    """Every organisation, with its verified mark; ask to join one; staff verify them."""
    organisations = list(Organisation.objects.order_by("name_en"))
    actor = actor_for(request.user)
    pending = set()
    if actor.is_authenticated:
        pending = set(
            JoinRequest.objects.filter(
                user=request.user, status=JoinRequest.Status.PENDING
            ).values_list("organisation_id", flat=True)
        )
    return render(
        request,
        "stakeholders/directory.html",
        {
            "rows": [
                {
                    "organisation": o,
                    "member": o.pk in actor.org_ids,
                    "pending": o.pk in pending,
                    "can_join": actor.is_authenticated and o.pk not in actor.org_ids,
                }
                for o in organisations
            ],
            "can_verify": actor.is_staff,
        },
    )


@login_required
@require_POST
def join(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    try:
        services.join_request_create(
            user=request.user, organisation=organisation, message=request.POST.get("message", "")
        )
    except DomainError as error:
        return error_response(request, error, back_url=_directory_url())
    messages.success(
        request,
        _("Your request to join %(organisation)s is sent. Its administrator will decide.")
        % {"organisation": organisation.name},
    )
    return redirect("accounts:directory")


@login_required
@require_POST
def decide(request, slug, pk):
    organisation = get_object_or_404(Organisation, slug=slug)
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("user", "organisation"),
        pk=pk,
        organisation=organisation,
    )
    approve = request.POST.get("decision") == "approve"
    try:
        services.join_request_decide(
            join_request=join_request,
            by=request.user,
            approve=approve,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        return error_response(request, error)
    messages.success(
        request,
        (
            _("%(person)s is now a member of %(organisation)s.")
            if approve
            else _("The request of %(person)s is declined.")
        )
        % {"person": join_request.user, "organisation": organisation.name},
    )
    return redirect("accounts:members", slug=organisation.slug)


@login_required
@require_POST
def verify(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    verified = request.POST.get("verified") == "1"
    services.organisation_verify(organisation=organisation, by=request.user, verified=verified)
    messages.success(
        request,
        (
            _("%(organisation)s is marked verified.")
            if verified
            else _("%(organisation)s is no longer marked verified.")
        )
        % {"organisation": organisation.name},
    )
    return redirect("accounts:directory")


def _directory_url() -> str:
    return reverse("accounts:directory")


def pending_requests(organisation, user) -> list[JoinRequest]:
    """The requests waiting for ``organisation``'s administrator (empty for anyone else)."""
    if not can(user, "organisation.manage_members", organisation):
        return []
    return list(
        JoinRequest.objects.filter(organisation=organisation, status=JoinRequest.Status.PENDING)
        .select_related("user")
        .order_by("created_at")
    )
