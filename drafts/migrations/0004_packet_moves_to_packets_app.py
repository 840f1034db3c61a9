"""Review packets moved to the ``packets`` app: forget the model here, keep the table.

State only: the table ``drafts_packet`` and its rows stay as they are and now
belong to ``packets.Packet`` (packets 0001). This runs after notifications 0002,
so that no foreign key in the state still points at ``drafts.Packet``.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('drafts', '0003_packet_build_token_packet_heartbeat_at_and_more'),
        ('packets', '0001_initial'),
        ('notifications', '0002_notification_packet_moves_to_packets_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Packet'),
            ],
            database_operations=[],
        ),
    ]
