"""Write the open data of every draft (or of one) now, as the task does after an event."""

from django.core.management.base import BaseCommand, CommandError

from drafts.models import Draft
from public import services


class Command(BaseCommand):
    help = "Write the open-data files of every draft, or of --draft SLUG; unchanged data is kept."

    def add_arguments(self, parser):
        parser.add_argument("--draft", help="the draft's slug")

    def handle(self, *args, draft=None, **options):
        drafts = Draft.objects.select_related("lead_ministry").order_by("pk")
        if draft:
            drafts = drafts.filter(slug=draft)
            if not drafts.exists():
                raise CommandError(f"No draft {draft!r}.")
        for each in drafts:
            release = services.open_data_publish(draft=each)
            self.stdout.write(
                f"{each.slug}: {release.digest[:12]} ({release.comment_count} comments)"
            )
