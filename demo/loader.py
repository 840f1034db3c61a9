"""Load the demo consultation (demo/data/*.json) through the same services as the web.

The demo tells a whole story: version 1 was consulted on and closed, the
ministry answered most comments and published version 2, which is open now.
Loading is idempotent: organisations and people are matched by slug and
username, and the draft's story is written only when the draft is absent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from comments import services as comment_services
from comments.models import Disposition
from drafts import selectors as draft_selectors
from drafts import services as draft_services
from drafts.models import Draft, DraftVersion, Provision
from stakeholders import services as stakeholder_services
from stakeholders.models import Organisation, User
from stakeholders.policies import can

DEMO_DIR = Path(__file__).resolve().parent / "data"
# Documented in the README; every demo account shares it.
DEMO_PASSWORD = "consult-demo-2026"  # noqa: S105
V1_OPENED_DAYS_AGO = 60
V1_LENGTH_DAYS = 29
V2_OPENED_DAYS_AGO = 10
V2_LENGTH_DAYS = 30


def _read(name: str):
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def _specs(items) -> list[draft_services.ProvisionSpec]:
    return [
        draft_services.ProvisionSpec(
            stable_id=item["stable_id"],
            kind=item["kind"],
            number=item.get("number", ""),
            heading_en=item.get("heading_en", ""),
            heading_km=item.get("heading_km", ""),
            text_en=item.get("text_en", ""),
            text_km=item.get("text_km", ""),
            children=_specs(item.get("children", [])),
        )
        for item in items
    ]


def _flatten(items, parent=None):
    for item in items:
        yield item, parent
        yield from _flatten(item.get("children", []), item)


@dataclass
class DemoReport:
    organisations: int = 0
    users: int = 0
    comments: int = 0
    skipped_draft: bool = False
    notes: list[str] = field(default_factory=list)


def load_organisations_and_people(report: DemoReport) -> dict[str, User]:
    organisations = {}
    for row in _read("organisations.json"):
        organisation, created = Organisation.objects.get_or_create(
            slug=row["key"],
            defaults={
                "name_en": row["name_en"],
                "name_km": row.get("name_km", ""),
                "kind": row["kind"],
                "country": row.get("country", "KH"),
                "verified": row.get("verified", True),
            },
        )
        organisations[row["key"]] = organisation
        report.organisations += created
    users = {}
    for row in _read("users.json"):
        user, created = User.objects.get_or_create(
            username=row["username"],
            defaults={
                "display_name": row["display_name"],
                "email": row.get("email", ""),
                "preferred_language": row.get("language", "en"),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            # The demo's drafter also administers the site, so the admin can be shown.
            user.is_staff = user.is_superuser = row["username"] == "drafter"
            user.save()
            report.users += 1
        stakeholder_services.membership_grant(
            organisation=organisations[row["organisation"]],
            user=user,
            role=row["role"],
            by=None,
            is_org_admin=row.get("org_admin", False),
        )
        users[row["username"]] = user
    return users


def _post_thread(
    node,
    *,
    version,
    provisions,
    users,
    organisations_by_key,
    parent,
    opened_at,
    report,
    applied_version=None,
):
    author = users[node["author"]]
    posted_at = opened_at + timedelta(
        days=node.get("days_after_open", 0),
        hours=9 + report.comments % 8,
        minutes=(report.comments * 7) % 60,
    )
    if parent is None:
        comment = comment_services.comment_create(
            by=author,
            version=version,
            # No provision: a comment on the whole draft.
            provision=provisions[node["provision"]] if node.get("provision") else None,
            body=node["body"],
            kind=node.get("kind", "comment"),
            visibility=node.get("visibility", "public"),
            quote_exact=node.get("quote") or "",
            proposed_text=node.get("proposed_text") or "",
            proposed_text_km=node.get("proposed_text_km") or "",
            posted_at=posted_at,
        )
        for org_key in node.get("endorsements", []):
            endorser = next(
                (
                    u
                    for u in users.values()
                    if u.active_organisation_id == organisations_by_key[org_key].pk
                ),
                None,
            )
            # The data may name an endorser who cannot see a restricted comment; the rules win.
            if endorser is not None and can(endorser, "comment.endorse", comment):
                comment_services.endorsement_create(comment=comment, by=endorser)
        disposition = node.get("disposition")
        if disposition:
            landed = (
                applied_version
                if disposition["status"]
                in (Disposition.Status.ACCEPTED, Disposition.Status.PARTLY_ACCEPTED)
                else None
            )
            comment_services.disposition_record(
                comment=comment,
                by=users[disposition["by"]],
                status=disposition["status"],
                response=disposition["response"],
                applied_in_version=landed,
            )
    else:
        comment = comment_services.comment_reply(
            by=author,
            parent=parent,
            body=node["body"],
            visibility=node.get("visibility", "public"),
            posted_at=posted_at,
        )
    report.comments += 1
    for reply in node.get("replies", []):
        _post_thread(
            reply,
            version=version,
            provisions=provisions,
            users=users,
            organisations_by_key=organisations_by_key,
            parent=comment,
            opened_at=opened_at,
            report=report,
        )
    return comment


def _apply_version_text(*, version: DraftVersion, spec_items, by) -> None:
    """Make a working copy match the next version's text, through the drafting services."""
    wanted = list(_flatten(spec_items))
    wanted_ids = {item["stable_id"] for item, _parent in wanted}
    existing = {
        p.stable_id: p for p in Provision.objects.filter(version=version).select_related("version")
    }
    for stable_id, provision in existing.items():
        if stable_id not in wanted_ids and provision.removed_at is None:
            draft_services.provision_remove(
                provision=provision, by=by, reason="Removed in the demo's version 2"
            )
    previous_sibling: dict[str | None, Provision | None] = {}
    for item, parent_item in wanted:
        parent = existing[parent_item["stable_id"]] if parent_item else None
        parent_key = parent.stable_id if parent else None
        after = previous_sibling.get(parent_key)
        provision = existing.get(item["stable_id"])
        if provision is None:
            provision = draft_services.provision_add(
                version=version,
                by=by,
                kind=item["kind"],
                parent=parent,
                after=after,
                number=item.get("number", ""),
                stable_id=item["stable_id"],
                heading_en=item.get("heading_en", ""),
                heading_km=item.get("heading_km", ""),
                text_en=item.get("text_en", ""),
                text_km=item.get("text_km", ""),
            )
            existing[provision.stable_id] = provision
        else:
            provision.refresh_from_db()
            if provision.parent_id != (parent.pk if parent else None) or not _directly_after(
                provision, after
            ):
                provision = draft_services.provision_move(
                    provision=provision, by=by, parent=parent, after=after
                )
                provision.refresh_from_db()
            fields = {
                name: item.get(name, "")
                for name in ("number", "heading_en", "heading_km", "text_en", "text_km")
            }
            if any(getattr(provision, name) != value for name, value in fields.items()):
                provision = draft_services.provision_edit(
                    provision=provision,
                    by=by,
                    revision=provision.revision,
                    **fields,
                    reason="Revised after the first consultation",
                )
            existing[provision.stable_id] = provision
        previous_sibling[parent_key] = provision


def _directly_after(provision: Provision, after: Provision | None) -> bool:
    siblings = list(
        Provision.objects.filter(
            version_id=provision.version_id, parent_id=provision.parent_id, removed_at__isnull=True
        )
        .order_by("position")
        .values_list("pk", flat=True)
    )
    index = siblings.index(provision.pk)
    if after is None:
        return index == 0
    return index > 0 and siblings[index - 1] == after.pk


def _gaps(version) -> int:
    """The translation gaps the demo's drafter confirms when publishing (as the desk asks).

    The demo's own data is meant to have none; tests/demo checks that it does not.
    """
    return draft_selectors.translation_gaps(Provision.objects.for_reading(version)).total


def load_demo() -> DemoReport:
    report = DemoReport()
    with transaction.atomic():
        users = load_organisations_and_people(report)
        v1_data, v2_data = _read("law_v1.json"), _read("law_v2.json")
        draft_data = v1_data["draft"]
        if Draft.objects.filter(slug=draft_data["slug"]).exists():
            report.skipped_draft = True
            return report
        organisations_by_key = {o.slug: o for o in Organisation.objects.all()}
        drafter = users["drafter"]
        draft = draft_services.draft_create(
            slug=draft_data["slug"],
            title_en=draft_data["title_en"],
            title_km=draft_data["title_km"],
            short_title_en=draft_data["short_title_en"],
            short_title_km=draft_data["short_title_km"],
            summary_en=draft_data.get("summary_en", ""),
            summary_km=draft_data.get("summary_km", ""),
            lead_ministry=organisations_by_key[draft_data["lead_ministry"]],
            by=drafter,
        )
        now = timezone.now()
        v1 = draft.versions.get(number=1)
        draft_services.provisions_import(
            version=v1, specs=_specs(v1_data["provisions"]), by=drafter
        )
        v1_opened = now - timedelta(days=V1_OPENED_DAYS_AGO)
        # Published with its real opening date; held open until the comments are in,
        # then given its real closing date below.
        v1 = draft_services.version_publish(
            version=v1,
            by=drafter,
            opens_at=v1_opened,
            closes_at=now + timedelta(hours=1),
            change_note_en=v1_data["version"].get("change_note_en", ""),
            change_note_km=v1_data["version"].get("change_note_km", ""),
            missing_translations=_gaps(v1),
        )
        comments = _read("comments.json")
        v2 = draft_services.version_start_next(draft=draft, by=drafter)
        v1_provisions = {p.stable_id: p for p in Provision.objects.filter(version=v1)}
        for node in (c for c in comments if c["version"] == 1):
            _post_thread(
                node,
                version=v1,
                provisions=v1_provisions,
                users=users,
                organisations_by_key=organisations_by_key,
                parent=None,
                opened_at=v1_opened,
                report=report,
                applied_version=v2,
            )
        _apply_version_text(version=v2, spec_items=v2_data["provisions"], by=drafter)
        draft_services.version_renumber_articles(version=v2, by=drafter)
        v2_opened = now - timedelta(days=V2_OPENED_DAYS_AGO)
        v2 = draft_services.version_publish(
            version=v2,
            by=drafter,
            opens_at=v2_opened,
            closes_at=v2_opened + timedelta(days=V2_LENGTH_DAYS),
            change_note_en=v2_data["version"].get("change_note_en", ""),
            change_note_km=v2_data["version"].get("change_note_km", ""),
            missing_translations=_gaps(v2),
        )
        v1.refresh_from_db()
        v1.closes_at = v1_opened + timedelta(days=V1_LENGTH_DAYS)
        v1._change_reason = "Consultation dates of the first round"
        v1.save()
        v2_provisions = {p.stable_id: p for p in Provision.objects.filter(version=v2)}
        for node in (c for c in comments if c["version"] == 2):
            _post_thread(
                node,
                version=v2,
                provisions=v2_provisions,
                users=users,
                organisations_by_key=organisations_by_key,
                parent=None,
                opened_at=v2_opened,
                report=report,
            )
    return report
