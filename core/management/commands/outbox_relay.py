"""``manage.py outbox_relay``: deliver the outbox's undispatched events (once, or in a loop)."""

import time

from django.core.management.base import BaseCommand

from core.events import relay_pending


class Command(BaseCommand):
    help = "Deliver undispatched outbox events to their listeners (which enqueue Celery tasks)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep relaying until stopped.")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between runs.")

    def handle(self, *args, loop=False, interval=2.0, **options):
        while True:
            delivered = relay_pending()
            self.stdout.write(f"Delivered {delivered} event(s).")
            if not loop:
                return
            time.sleep(interval)
