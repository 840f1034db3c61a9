"""Review packet pages: request, list, state (polled with htmx), download, retry.

Thin: the services decide, the policies authorise; a refusal (``PolicyDenied``)
reaches ``portal.urls.handler403``, which shows it through ``core.web.refusal``.
A packet file is only ever served through ``packet_download`` after
``packet.download`` says yes, never from a public media URL.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.web import form_error
from drafts.models import DraftVersion
from stakeholders.policies import can, ensure_can

from . import selectors, services
from .downloads import packet_file_response
from .models import Packet


class PacketRequestForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=Packet.Language.choices,
        initial=Packet.Language.BOTH,
        widget=forms.RadioSelect,
    )
    compare_to = forms.ModelChoiceField(
        label=gettext_lazy("Show changes against"),
        queryset=DraftVersion.objects.none(),
        required=False,
        empty_label=gettext_lazy("No redline"),
    )
    include_restricted = forms.BooleanField(
        label=gettext_lazy("Include restricted comments"), required=False
    )

    def __init__(self, *args, version: DraftVersion, allow_restricted: bool, **kwargs):
        super().__init__(*args, **kwargs)
        earlier = DraftVersion.objects.published().filter(
            draft_id=version.draft_id, number__lt=version.number
        )
        self.fields["compare_to"].queryset = earlier.order_by("-number")
        self.fields["compare_to"].label_from_instance = lambda v: (
            _("Version %(n)s") % {"n": v.number}
        )
        if version.parent_id and earlier.filter(pk=version.parent_id).exists():
            self.fields["compare_to"].initial = version.parent_id
        if not allow_restricted:
            del self.fields["include_restricted"]


def _version(slug: str, number: int) -> DraftVersion:
    return get_object_or_404(
        DraftVersion.objects.select_related("draft"), draft__slug=slug, number=number
    )


def _packet(request, pk: int) -> Packet:
    packet = get_object_or_404(
        Packet.objects.select_related("version__draft", "compare_to", "requested_by"), pk=pk
    )
    ensure_can(request.user, "packet.download", packet)
    return packet


@require_http_methods(["GET", "POST"])
def packet_request(request, slug, number):
    version = _version(slug, number)
    ensure_can(request.user, "packet.request", version)
    allow_restricted = can(request.user, "packet.include_restricted", version)
    form = PacketRequestForm(
        request.POST or None, version=version, allow_restricted=allow_restricted
    )
    if request.method == "POST" and form.is_valid():
        try:
            packet = services.packet_request(
                version=version,
                by=request.user,
                language=form.cleaned_data["language"],
                compare_to=form.cleaned_data["compare_to"],
                include_restricted=form.cleaned_data.get("include_restricted", False),
            )
        except DomainError as error:
            form_error(form, error)
        else:
            if packet.reused:
                messages.info(
                    request, _("Nothing has changed since this packet was made; here it is.")
                )
            else:
                messages.success(request, _("Your packet is being built."))
            return redirect("packets:detail", pk=packet.pk)
    return render(
        request,
        "packets/request.html",
        {"version": version, "draft": version.draft, "form": form},
    )


def packet_list(request, slug, number):
    version = _version(slug, number)
    ensure_can(request.user, "packet.request", version)
    packets = list(selectors.packets_for_version(version))
    for packet in packets:
        packet.downloadable = can(request.user, "packet.download", packet)
        packet.retryable = packet.downloadable and services.packet_can_retry(packet)
        packet.problem = services.packet_problem(packet) if packet.downloadable else ""
    return render(
        request,
        "packets/list.html",
        {"version": version, "draft": version.draft, "packets": packets},
    )


def _detail_context(request, packet: Packet) -> dict:
    problem = services.packet_problem(packet)
    return {
        "packet": packet,
        "version": packet.version,
        "draft": packet.version.draft,
        "retryable": services.packet_can_retry(packet),
        # Stuck, or ready without its file: shown as failed, with the retry button.
        "problem": problem,
        "polling": not problem and packet.status in (Packet.Status.QUEUED, Packet.Status.BUILDING),
    }


def packet_detail(request, pk):
    packet = _packet(request, pk)
    context = _detail_context(request, packet)
    context["transmittable"] = (
        packet.status == Packet.Status.READY
        and packet.version.status == DraftVersion.Status.CLOSED
        and can(request.user, "packet.transmit", packet.version)
    )
    return render(request, "packets/detail.html", context)


def packet_status(request, pk):
    """The state block alone, for htmx polling."""
    packet = _packet(request, pk)
    return render(request, "packets/_status.html", _detail_context(request, packet))


def packet_download(request, pk):
    packet = _packet(request, pk)
    if packet.status != Packet.Status.READY or not packet.file:
        raise Http404(_("This packet is not ready."))
    try:
        return packet_file_response(packet)
    except FileNotFoundError as missing:
        raise Http404(_("The packet file is missing.")) from missing


class TransmitForm(forms.Form):
    transmitted_at = forms.DateTimeField(
        label=gettext_lazy("Transmitted on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    reference = forms.CharField(
        label=gettext_lazy("The Assembly's reference"), max_length=200, required=False
    )


@require_http_methods(["GET", "POST"])
def packet_transmit(request, pk):
    """An official records that this packet went to the National Assembly."""
    packet = _packet(request, pk)
    ensure_can(request.user, "packet.transmit", packet.version)
    form = TransmitForm(request.POST or None, initial={"transmitted_at": timezone.localtime()})
    if request.method == "POST" and form.is_valid():
        try:
            services.packet_transmit(
                packet=packet,
                by=request.user,
                transmitted_at=form.cleaned_data["transmitted_at"],
                reference=form.cleaned_data["reference"],
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The transmission is recorded; the version is submitted."))
            return redirect(
                "packets:transmission", slug=packet.version.draft.slug, number=packet.version.number
            )
    return render(
        request,
        "packets/transmit.html",
        {"packet": packet, "version": packet.version, "draft": packet.version.draft, "form": form},
        status=400 if form.errors else 200,
    )


def transmission(request, slug, number):
    """Public: when a version went to the National Assembly, and which packet (fingerprint)."""
    record = selectors.transmission_of(user=request.user, slug=slug, number=number)
    if record is None:
        raise Http404(_("This version has not been transmitted to the National Assembly."))
    return render(
        request,
        "packets/transmission.html",
        {
            "record": record,
            "version": record.version,
            "draft": record.version.draft,
            "downloadable": can(request.user, "packet.download", record.packet),
        },
    )


@require_POST
def packet_retry(request, pk):
    packet = get_object_or_404(Packet.objects.select_related("version__draft"), pk=pk)
    try:
        services.packet_retry(packet=packet, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The packet is being built again."))
    return redirect("packets:detail", pk=packet.pk)
