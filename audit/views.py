"""The audit page: every recorded change to the consultation's records, with who,
when and why, read straight from django-simple-history's tables.

Officials and staff see everything; a drafter sees the drafts their
organisation drafts and the memberships of their own organisations. Rows are
merged from several history tables with one UNION query per page (and one to
count), so the page costs the same whatever the size of the history. Comment
texts are not shown here, only what happened to them: the audit page never
becomes a way round the visibility of restricted comments.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BigIntegerField, CharField, F, Q, Value
from django.db.models.functions import Cast, Coalesce
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from comments.models import Comment, Disposition, Endorsement, Report
from drafts.models import Draft, DraftVersion, Provision
from stakeholders.models import Membership, User
from stakeholders.policies import actor_for, ensure_can

PER_PAGE = 50
EXPORT_LIMIT = 200_000


@dataclass(frozen=True)
class Source:
    """One history table and how to reach its draft, its comment and a short description."""

    key: str
    label: object
    model: type
    draft: str | None  # path to the draft id
    comment: str | None  # path to the comment id
    detail: str  # a short field that says what the row is now
    organisation: str | None = None  # path to the organisation id (memberships)


SOURCES = [
    Source("version", gettext_lazy("Version"), DraftVersion, "draft_id", None, "status"),
    Source(
        "provision", gettext_lazy("Provision"), Provision, "version__draft_id", None, "stable_id"
    ),
    Source("comment", gettext_lazy("Comment"), Comment, "version__draft_id", "id", "state"),
    Source(
        "disposition",
        gettext_lazy("Disposition"),
        Disposition,
        "comment__version__draft_id",
        "comment_id",
        "status",
    ),
    Source(
        "endorsement",
        gettext_lazy("Endorsement"),
        Endorsement,
        "comment__version__draft_id",
        "comment_id",
        "organisation__name_en",
    ),
    Source(
        "report",
        gettext_lazy("Report (moderation)"),
        Report,
        "comment__version__draft_id",
        "comment_id",
        "resolution",
    ),
    Source(
        "membership",
        gettext_lazy("Membership"),
        Membership,
        None,
        None,
        "role",
        organisation="organisation_id",
    ),
]
SOURCE_BY_KEY = {s.key: s for s in SOURCES}
ACTIONS = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}


class AuditFilterForm(forms.Form):
    model = forms.ChoiceField(label=gettext_lazy("Record"), required=False)
    user = forms.CharField(
        label=gettext_lazy("Changed by (username)"), required=False, max_length=150
    )
    draft = forms.ChoiceField(label=gettext_lazy("Draft"), required=False)
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, drafts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("All records"))] + [
            (s.key, s.label) for s in SOURCES
        ]
        self.fields["draft"].choices = [("", _("All drafts"))] + [
            (d.slug, d.short_title) for d in drafts
        ]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return data


@dataclass(frozen=True)
class Scope:
    """What the viewer may audit: None means everything."""

    draft_ids: frozenset[int] | None
    organisation_ids: frozenset[int] | None


def audit_scope(user) -> Scope:
    ensure_can(user, "audit.view")
    actor = actor_for(user)
    if actor.is_staff or actor.is_official:
        return Scope(None, None)
    drafting = [
        org_id for org_id, roles in actor.roles_by_org.items() if Membership.Role.DRAFTER in roles
    ]
    draft_ids = frozenset(
        Draft.objects.filter(Q(lead_ministry_id__in=drafting) | Q(drafting_partners__in=drafting))
        .values_list("pk", flat=True)
        .distinct()
    )
    return Scope(draft_ids, actor.org_ids)


def _part(source: Source, *, scope: Scope, filters: dict):
    """One history table shaped to the common columns, with the filters applied."""
    history = source.model.history.model.objects.order_by()  # no ORDER BY inside a UNION
    if source.draft is None:
        if filters.get("draft_id") is not None:
            return None
        if scope.organisation_ids is not None:
            history = history.filter(**{f"{source.organisation}__in": scope.organisation_ids})
    else:
        if scope.draft_ids is not None:
            history = history.filter(**{f"{source.draft}__in": scope.draft_ids})
        if filters.get("draft_id") is not None:
            history = history.filter(**{source.draft: filters["draft_id"]})
    if filters.get("user_id") is not None:
        history = history.filter(history_user_id=filters["user_id"])
    if filters.get("since") is not None:
        history = history.filter(history_date__gte=filters["since"])
    if filters.get("until") is not None:
        history = history.filter(history_date__lt=filters["until"])
    return history.values(
        source=Cast(Value(source.key), CharField()),
        object_id=Cast("id", BigIntegerField()),
        history_id_=F("history_id"),
        history_date_=F("history_date"),
        history_type_=F("history_type"),
        change_reason=Coalesce("history_change_reason", Value("", output_field=CharField())),
        username=Coalesce("history_user__username", Value("", output_field=CharField())),
        draft_ref=Cast(F(source.draft), BigIntegerField())
        if source.draft
        else Cast(Value(None), BigIntegerField()),
        comment_ref=Cast(F(source.comment), BigIntegerField())
        if source.comment
        else Cast(Value(None), BigIntegerField()),
        detail=Cast(Coalesce(F(source.detail), Value("")), CharField()),
    )


def audit_rows(user, *, model: str = "", filters: dict | None = None):
    """The history rows ``user`` may audit, newest first, as one UNION query."""
    scope = audit_scope(user)
    filters = filters or {}
    sources = [SOURCE_BY_KEY[model]] if model else SOURCES
    parts = [p for p in (_part(s, scope=scope, filters=filters) for s in sources) if p is not None]
    if not parts:
        return Membership.history.model.objects.none().values()
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return query.order_by("-history_date_", "-history_id_")


def _filters_from(form: AuditFilterForm) -> tuple[str, dict, bool]:
    """(model key, filter values, nothing-can-match) from a valid form."""
    data = form.cleaned_data
    filters: dict = {}
    empty = False
    if data.get("user"):
        found = User.objects.filter(username__iexact=data["user"].strip()).values_list(
            "pk", flat=True
        )
        found = list(found[:1])
        if found:
            filters["user_id"] = found[0]
        else:
            empty = True
    if data.get("draft"):
        filters["draft_id"] = Draft.objects.get(slug=data["draft"]).pk
    tz = timezone.get_current_timezone()
    if data.get("since"):
        filters["since"] = timezone.make_aware(
            timezone.datetime.combine(data["since"], timezone.datetime.min.time()), tz
        )
    if data.get("until"):
        filters["until"] = timezone.make_aware(
            timezone.datetime.combine(
                data["until"] + timezone.timedelta(days=1), timezone.datetime.min.time()
            ),
            tz,
        )
    return data.get("model") or "", filters, empty


@dataclass
class Row:
    source: Source
    object_id: int
    history_id: int
    when: object
    action: object
    reason: str
    username: str
    draft: Draft | None
    comment_id: int | None
    detail: str


def _rows(values, drafts_by_id) -> list[Row]:
    return [
        Row(
            source=SOURCE_BY_KEY[v["source"]],
            object_id=v["object_id"],
            history_id=v["history_id_"],
            when=v["history_date_"],
            action=ACTIONS.get(v["history_type_"], v["history_type_"]),
            reason=v["change_reason"],
            username=v["username"],
            draft=drafts_by_id.get(v["draft_ref"]),
            comment_id=v["comment_ref"],
            detail=v["detail"],
        )
        for v in values
    ]


class _Echo:
    def write(self, value):
        return value


@login_required
@require_GET
def audit(request):
    scope = audit_scope(request.user)
    drafts = Draft.objects.order_by("short_title_en")
    if scope.draft_ids is not None:
        drafts = drafts.filter(pk__in=scope.draft_ids)
    drafts = list(drafts)
    drafts_by_id = {d.pk: d for d in drafts}
    form = AuditFilterForm(request.GET or None, drafts=drafts)
    model, filters, empty = "", {}, False
    if form.is_bound and form.is_valid():
        model, filters, empty = _filters_from(form)
    rows = audit_rows(request.user, model=model, filters=filters)
    if empty or (form.is_bound and not form.is_valid()):
        rows = []
    if request.GET.get("format") == "csv" and not (form.is_bound and not form.is_valid()):
        return _csv(rows, drafts_by_id)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    base = query.urlencode()
    return render(
        request,
        "audit/audit.html",
        {
            "form": form,
            "page": page,
            "rows": _rows(page.object_list, drafts_by_id),
            "query": base,
            "csv_url": "?" + (base + "&" if base else "") + "format=csv",
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _csv(rows, drafts_by_id) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
        yield writer.writerow(
            [
                "when",
                "record",
                "record_id",
                "action",
                "changed_by",
                "reason",
                "draft",
                "comment_id",
                "now",
                "history_id",
            ]
        )
        values = rows if isinstance(rows, list) else rows[:EXPORT_LIMIT].iterator(chunk_size=2000)
        for v in values:
            draft = drafts_by_id.get(v["draft_ref"])
            yield writer.writerow(
                [
                    timezone.localtime(v["history_date_"]).isoformat(),
                    v["source"],
                    v["object_id"],
                    {"+": "created", "~": "changed", "-": "deleted"}.get(v["history_type_"], ""),
                    v["username"],
                    _csv_safe(v["change_reason"]),
                    draft.slug if draft else "",
                    v["comment_ref"] or "",
                    _csv_safe(v["detail"]),
                    v["history_id_"],
                ]
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection) in text people typed."""
    value = value or ""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
