"""Groupings of comments that an app above keeps, readable by apps beside it.

The drafting desk (``desk``) tags comments and finds campaigns (clusters of the
same letter with small edits); the review packets (``packets``) count both in
their statistics. The two apps are siblings above ``comments``, and neither may
import the other. So the desk registers each grouping here when it starts
(``desk.apps``), and a reader asks this module: it hands over the comments it
may show (a queryset already filtered by its own visibility rule) and gets back
which group each of them is in. A grouping never widens what a reader sees: it
only labels comments the reader already has.

This was chosen over a copy of the groups kept on each comment (an event per
tag, and thousands per clustering run, to keep a denormalised record in step)
because the groups change often and are read rarely, and a registry keeps one
source of truth (the desk's own tables) without a second one to drift.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class Grouping:
    """One way of grouping comments.

    ``members(comments)`` returns (comment id, group label) for the given
    comments that are in a group, ordered by comment id then label; a comment
    may be in several groups (tags) or one (a campaign). ``internal``: the
    team's working labels, not part of the public record.
    """

    key: str
    title: Callable[[], str]
    members: Callable[[QuerySet], Iterable[tuple[int, str]]]
    internal: bool = False


_groupings: dict[str, Grouping] = {}


def register(grouping: Grouping) -> None:
    _groupings[grouping.key] = grouping


def grouping(key: str) -> Grouping | None:
    """The grouping registered under ``key``, or None when no app provides it."""
    return _groupings.get(key)
