"""Reads for the notification list: a person's notifications, with bursts folded together."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from .models import Kind, Notification

# A run of this many notifications of one kind about one draft is shown as one
# group: the first sign-in after a busy week should not be a wall of 67 lines.
GROUP_FROM = 4


@dataclass
class NotificationGroup:
    kind: str
    draft: object
    items: list[Notification] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def unread(self) -> int:
        return sum(1 for n in self.items if not n.is_read)

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.items[0].pk}"


def notification_entries(notifications) -> list[Notification | NotificationGroup]:
    """The page's notifications in order; consecutive runs of one kind and draft folded.

    Grouping is per page (the list is paginated newest first), so a group never
    hides notifications on another page and the page's query count is unchanged.
    """
    entries: list[Notification | NotificationGroup] = []
    for (kind, draft_id), run in groupby(notifications, key=lambda n: (n.kind, n.draft_id)):
        run = list(run)
        if len(run) >= GROUP_FROM and draft_id is not None:
            entries.append(NotificationGroup(kind=kind, draft=run[0].draft, items=run))
        else:
            entries.extend(run)
    return entries
