"""The packet a notification is about is now ``packets.Packet`` (same table, same column).

State only: the foreign key constraint already points at ``drafts_packet``.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_initial'),
        ('packets', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='notification',
                    name='packet',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='packets.packet'),
                ),
            ],
            database_operations=[],
        ),
    ]
