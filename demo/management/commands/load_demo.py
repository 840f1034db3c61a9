from django.core.management.base import BaseCommand

from demo.loader import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo consultation on the draft Law on Information Technology Crimes (idempotent)."
    )

    def handle(self, *args, **options):
        report = load_demo()
        if report.skipped_draft:
            self.stdout.write("The demo draft is already loaded; nothing duplicated.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {report.organisations} organisations, {report.users} people "
                    f"and {report.comments} comments."
                )
            )
        self.stdout.write(
            f"Demo accounts (password {DEMO_PASSWORD}): drafter, drafter2, moderator, "
            "official, ngo, embassy, company, khmer."
        )
