"""Review packets become an app of their own: the model, in the migration state only.

The table ``drafts_packet`` already exists (drafts 0001-0003 made it) and keeps
its name, so nothing is done to the database here. ``drafts`` 0004 removes the
old model from the state once every foreign key points here (notifications 0002).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('drafts', '0003_packet_build_token_packet_heartbeat_at_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Packet',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('language', models.CharField(choices=[('en', 'English'), ('km', 'Khmer'), ('both', 'English and Khmer side by side')], max_length=4, verbose_name='language')),
                        ('include_restricted', models.BooleanField(default=False, verbose_name='includes restricted comments')),
                        ('fingerprint', models.CharField(db_index=True, max_length=64, verbose_name='content fingerprint')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('building', 'Building'), ('ready', 'Ready'), ('failed', 'Failed')], db_index=True, default='queued', max_length=10, verbose_name='status')),
                        ('progress', models.CharField(blank=True, max_length=200, verbose_name='progress')),
                        ('error', models.TextField(blank=True, verbose_name='reason for failure')),
                        ('file', models.FileField(blank=True, upload_to='packets/', verbose_name='file')),
                        ('page_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='pages')),
                        ('size_bytes', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='size')),
                        ('attempts', models.PositiveIntegerField(default=0, verbose_name='build attempts')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='requested')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='build started')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='built')),
                        ('build_token', models.CharField(blank=True, editable=False, max_length=32)),
                        ('parts_total', models.PositiveIntegerField(default=0, editable=False)),
                        ('parts_done', models.PositiveIntegerField(default=0, editable=False)),
                        ('heartbeat_at', models.DateTimeField(blank=True, null=True, verbose_name='last progress')),
                        ('compare_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='drafts.draftversion', verbose_name='redline against')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='requested_packets', to=settings.AUTH_USER_MODEL)),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='packets', to='drafts.draftversion')),
                    ],
                    options={
                        'verbose_name': 'review packet',
                        'verbose_name_plural': 'review packets',
                        'ordering': ['-created_at'],
                        'db_table': 'drafts_packet',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
