"""The events this app listens to. Listeners run after commit and only enqueue a task."""

from core.events import listen

from .fanout import HANDLERS
from .tasks import fan_out


def _enqueue(event: str):
    def listener(**payload):
        fan_out.delay(event, payload)

    listener.__name__ = f"notify_on_{event.replace('.', '_')}"
    return listener


LISTENERS = {event: listen(event)(_enqueue(event)) for event in HANDLERS}
