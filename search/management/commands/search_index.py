"""``manage.py search_index``: rebuild the search index, here or in the background.

manage.py search_index                      # everything, now, with progress
manage.py search_index --draft it-crimes    # one draft's provisions, comments and responses
manage.py search_index --draft it-crimes --background   # a Celery task; progress in the admin
"""

from django.core.management.base import BaseCommand, CommandError

from drafts.models import Draft
from search import services


class Command(BaseCommand):
    help = "Rebuild the search index (of everything, or of one draft)."

    def add_arguments(self, parser):
        parser.add_argument("--draft", help="the slug of the one draft to rebuild")
        parser.add_argument(
            "--background",
            action="store_true",
            help="hand the rebuild to a Celery worker and return at once",
        )

    def handle(self, *args, draft=None, background=False, **options):
        target = None
        if draft:
            target = Draft.objects.filter(slug=draft).first()
            if target is None:
                raise CommandError(f"No draft with the slug {draft!r}.")
        if background:
            job = services.reindex_request(draft=target)
            self.stdout.write(f"Reindex {job.pk} queued; a worker will run it.")
            return
        last = {"shown": -1}

        def progress(done: int, total: int) -> None:
            percent = int(100 * done / total) if total else 100
            if percent // 10 != last["shown"] // 10 or done == total:
                last["shown"] = percent
                self.stdout.write(f"{done}/{total} ({percent}%)")

        indexed = services.rebuild(draft=target, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Indexed {indexed} objects."))
