"""A person's organisations: whom they act for, and the administrator's membership page.

Memberships are never self-claimed: only the organisation's administrator (or
staff) grants and ends them, through ``stakeholders.services``, which asks the
policy module. Ending a membership keeps the row and its history.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.web import form_error, safe_next

from .. import services
from ..forms import ActForForm, EndForm, GrantForm
from ..models import Membership, Organisation
from ..policies import actor_for, can, ensure_can
from ..two_factor import may_use_two_factor
from .joining import pending_requests


@login_required
@require_http_methods(["GET", "POST"])
def organisations(request):
    """The signed-in person's organisations and roles, and whom they act for now."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("organisation", "granted_by")
        .order_by("-is_active", "organisation__name_en", "role")
    )
    active_orgs = {m.organisation_id: m.organisation for m in memberships if m.is_active}
    actor = actor_for(request.user)
    form = ActForForm(
        request.POST or None,
        organisations=active_orgs.values(),
        initial={"organisation": actor.acting_org_id},
    )
    if request.method == "POST":
        if form.is_valid():
            organisation = active_orgs[form.cleaned_data["organisation"]]
            try:
                services.user_act_for(user=request.user, organisation=organisation)
            except DomainError as error:
                form.add_error("organisation", error.message)
            else:
                messages.success(
                    request,
                    _("You now act for %(organisation)s. Your comments will say so.")
                    % {"organisation": organisation.name},
                )
                return redirect(safe_next(request, request.path))
        status = 400
    else:
        status = 200
    return render(
        request,
        "stakeholders/organisations.html",
        {
            "memberships": memberships,
            "acting": active_orgs.get(actor.acting_org_id),
            "form": form,
            "administered": sorted(
                (o for o in active_orgs.values() if o.pk in actor.admin_of), key=lambda o: o.name
            ),
            "next": safe_next(request, ""),
            "can_audit": can(request.user, "audit.view"),
            "offers_two_factor": may_use_two_factor(request.user),
            "moderates": actor.is_staff or actor.has_role(Membership.Role.MODERATOR),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def members(request, slug):
    """The organisation administrator's page: who holds which role; grant and end."""
    organisation = get_object_or_404(Organisation, slug=slug)
    ensure_can(request.user, "organisation.manage_members", organisation)
    form = GrantForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            person = form.cleaned_data["person"]
            try:
                membership = services.membership_grant(
                    organisation=organisation,
                    user=person,
                    role=form.cleaned_data["role"],
                    is_org_admin=form.cleaned_data["is_org_admin"],
                    by=request.user,
                )
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(person)s is now %(role)s of %(organisation)s.")
                    % {
                        "person": person,
                        "role": membership.get_role_display(),
                        "organisation": organisation.name,
                    },
                )
                return redirect("accounts:members", slug=organisation.slug)
        status = 400
    rows = list(
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "granted_by")
        .order_by("-is_active", "user__username", "role")
    )
    return render(
        request,
        "stakeholders/members.html",
        {
            "organisation": organisation,
            "active": [m for m in rows if m.is_active],
            "ended": [m for m in rows if not m.is_active],
            "form": form,
            "end_form": EndForm(),
            "join_requests": pending_requests(organisation, request.user),
        },
        status=status,
    )


@login_required
@require_POST
def member_end(request, slug, pk):
    organisation = get_object_or_404(Organisation, slug=slug)
    ensure_can(request.user, "organisation.manage_members", organisation)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        pk=pk,
        organisation=organisation,
    )
    form = EndForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if not membership.is_active:
        messages.info(request, _("That membership had already ended."))
    else:
        services.membership_end(membership=membership, by=request.user, reason=reason)
        messages.success(
            request,
            _("%(person)s is no longer %(role)s of %(organisation)s.")
            % {
                "person": membership.user,
                "role": membership.get_role_display(),
                "organisation": organisation.name,
            },
        )
    return redirect("accounts:members", slug=organisation.slug)


@login_required
@require_POST
def membership_listing(request, pk):
    """Show or stop showing one's name on the organisation's public page."""
    membership = get_object_or_404(Membership, pk=pk, user=request.user)
    listed = request.POST.get("listed") == "1"
    services.membership_set_listed(membership=membership, by=request.user, listed=listed)
    if listed:
        messages.success(
            request,
            _("Your name is now shown on the page of %(organisation)s.")
            % {"organisation": membership.organisation.name},
        )
    else:
        messages.success(
            request,
            _("Your name is no longer shown on the page of %(organisation)s.")
            % {"organisation": membership.organisation.name},
        )
    return redirect(safe_next(request, reverse("accounts:organisations")))
