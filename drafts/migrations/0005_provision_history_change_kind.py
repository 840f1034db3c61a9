"""Provision history rows record the kind of change and the comment that caused it.

Existing rows are filled once from the English reasons the services used to
write; from now on the services set the fields and nobody parses reasons.
"""

import re

from django.db import migrations, models

_COMMENT_REF = re.compile(r"#(\d+)")
_BY_REASON = {
    "Imported": "imported",
    "Added": "added",
    "Edited": "edited",
    "Moved": "moved",
    "Renumbered": "renumbered",
    "Resequenced": "resequenced",
    "Removed": "removed",
}


def _kind_of(row) -> tuple[str, int | None]:
    """What the services used to say in English, read once into data."""
    reason = row.history_change_reason or ""
    found = _COMMENT_REF.search(reason)
    comment_id = int(found.group(1)) if found else None
    if reason.startswith("Applied amendment #"):
        return "amendment_applied", comment_id
    if reason.startswith("Copied from version"):
        return "carried_forward", None
    if reason in _BY_REASON:
        return _BY_REASON[reason], None
    if row.history_type == "+":
        return "added", None
    if row.removed_at is not None:
        return "removed", None  # a removed provision cannot be edited: a removal with a reason
    return "edited", comment_id  # a drafter's own reason, e.g. "answers comment #12"


def fill_change_kind(apps, schema_editor):
    HistoricalProvision = apps.get_model("drafts", "HistoricalProvision")
    batch = []
    for row in HistoricalProvision.objects.filter(change_kind="").iterator(chunk_size=2000):
        row.change_kind, row.caused_by_comment_id = _kind_of(row)
        batch.append(row)
        if len(batch) >= 2000:
            HistoricalProvision.objects.bulk_update(batch, ["change_kind", "caused_by_comment_id"])
            batch = []
    if batch:
        HistoricalProvision.objects.bulk_update(batch, ["change_kind", "caused_by_comment_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("drafts", "0004_packet_moves_to_packets_app"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalprovision",
            name="caused_by_comment_id",
            field=models.PositiveBigIntegerField(
                blank=True, null=True, verbose_name="caused by comment"
            ),
        ),
        migrations.AddField(
            model_name="historicalprovision",
            name="change_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("imported", "Imported"),
                    ("added", "Added"),
                    ("edited", "Edited"),
                    ("moved", "Moved"),
                    ("renumbered", "Renumbered"),
                    ("resequenced", "Resequenced"),
                    ("removed", "Removed"),
                    ("carried_forward", "Carried into a new version"),
                    ("amendment_applied", "Amendment applied"),
                ],
                max_length=20,
                verbose_name="kind of change",
            ),
        ),
        migrations.RunPython(fill_change_kind, migrations.RunPython.noop),
    ]
