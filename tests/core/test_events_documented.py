"""core/events.py lists every event, its payload and who listens; this keeps the list true."""

import re
from pathlib import Path

from django.conf import settings

from core import events

ROOT = Path(settings.BASE_DIR)
APPS = [p for p in ROOT.iterdir() if (p / "apps.py").exists() or p.name == "core"]


def _documented() -> set[str]:
    listing = events.__doc__.split("Events, their payloads and who listens", 1)[1]
    return set(re.findall(r"``([a-z_]+\.[a-z_]+)``", listing))


def _emitted() -> set[str]:
    found = set()
    for app in APPS:
        for path in app.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found.update(re.findall(r'\bemit\(\s*"([a-z_]+\.[a-z_]+)"', path.read_text()))
    return found


def test_every_emitted_event_is_documented_and_heard():
    emitted = _emitted()
    assert emitted, "the scan found no emit() calls"
    heard = set(events._listeners) | set(events._in_transaction)
    assert emitted - _documented() == set()
    assert emitted - heard == set(), "an event nobody listens to should not be emitted"


def test_the_list_names_no_event_that_is_gone():
    assert _documented() - _emitted() == set()
