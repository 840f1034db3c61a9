from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty database and the media storage, "
        "then check the manifest's counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a file written by `manage.py backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace what a non-empty database holds (the default refuses)",
        )

    def handle(self, *args, archive, force=False, **options):
        try:
            summary = backup_restore(archive=Path(archive), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = summary.manifest["counts"]
        self.stdout.write(
            f"restored {archive}: {counts['comments']} comments, {counts['dispositions']} "
            f"dispositions, {counts['packets']} packets, {len(summary.manifest['media'])} files "
            "(checked). Run `manage.py migrate` if this code is newer than the backup."
        )
