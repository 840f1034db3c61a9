"""Build progress as a code (``stage``) instead of a sentence in the worker's language."""

from django.db import migrations, models

STAGE_OF_STATUS = {"queued": "waiting", "building": "rendering", "ready": "done", "failed": "stopped"}


def stage_from_status(apps, schema_editor):
    # Packet keeps no history: a plain update per status is safe.
    Packet = apps.get_model("packets", "Packet")
    for status, stage in STAGE_OF_STATUS.items():
        Packet.objects.filter(status=status).update(stage=stage)


class Migration(migrations.Migration):
    dependencies = [
        ("packets", "0006_packet_transmissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="packet",
            name="stage",
            field=models.CharField(
                choices=[
                    ("waiting", "Waiting for a worker"),
                    ("rendering", "Rendering the parts"),
                    ("merging", "Putting the parts together"),
                    ("restarting", "Building again: the comments changed during the build"),
                    ("done", "Built"),
                    ("stopped", "Stopped: see the reason"),
                ],
                default="waiting",
                max_length=12,
                verbose_name="stage",
            ),
        ),
        migrations.RunPython(stage_from_status, migrations.RunPython.noop),
        migrations.RemoveField(model_name="packet", name="progress"),
    ]
