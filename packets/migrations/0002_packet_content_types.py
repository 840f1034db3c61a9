"""Move the content types of packets from ``drafts`` to ``packets``.

Admin log entries and permissions (``drafts.add_packet`` and so on) are tied to
the content type by id; renaming it in place keeps them attached. On a fresh
database there is nothing to rename: the content types are created afterwards.
"""

from django.db import migrations

MODELS = ("packet", "historicalpacket")


def _move(apps, old_label, new_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        if ContentType.objects.filter(app_label=new_label, model=model).exists():
            # Created meanwhile (a migrate interrupted after post_migrate): keep the old
            # row, which is the one permissions and log entries point at.
            ContentType.objects.filter(app_label=new_label, model=model).delete()
        old.app_label = new_label
        old.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    _move(apps, "drafts", "packets")


def backwards(apps, schema_editor):
    _move(apps, "packets", "drafts")


class Migration(migrations.Migration):

    dependencies = [
        ("packets", "0001_initial"),
        ("drafts", "0004_packet_moves_to_packets_app"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
