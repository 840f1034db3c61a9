from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from operations.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Write one archive (tar.gz) with the database, every media file and a manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="where to write it (default: backups/portal-<time>.tar.gz)",
        )

    def handle(self, *args, output=None, **options):
        if not output:
            output = f"backups/portal-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
        try:
            summary = backup_create(output=Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = summary.manifest["counts"]
        self.stdout.write(
            f"{summary.path}: {counts['comments']} comments, {counts['dispositions']} "
            f"dispositions, {counts['packets']} packets, {len(summary.manifest['media'])} files"
        )
