# The kind column grows to hold "new_article" (a proposed new article).
#
# On SQLite the column is left as it is: SQLite does not enforce a varchar's length,
# and Django would rebuild the table to change it, dropping the FTS5 triggers of 0002.

from django.db import migrations, models


def widen_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    entry = apps.get_model("search", "Entry")
    old = models.CharField(blank=True, max_length=10)
    old.set_attributes_from_name("kind")
    new = models.CharField(blank=True, max_length=12)
    new.set_attributes_from_name("kind")
    schema_editor.alter_field(entry, old, new)


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0004_entry_attachment"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="entry",
                    name="kind",
                    field=models.CharField(blank=True, max_length=12),
                ),
            ],
            database_operations=[
                migrations.RunPython(widen_on_postgresql, migrations.RunPython.noop),
            ],
        ),
    ]
