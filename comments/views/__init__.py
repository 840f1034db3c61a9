"""The consultation's pages: reading a draft, an article's threads, acting on comments,
and the moderators' queue. Each family lives in a module of its own."""

from . import attachments
from .changes import article_changes, version_changes
from .general import general, new_article
from .moderation import moderate, queue
from .reading import draft_list, read, read_version
from .threads import (
    ACTIONS,
    article,
    comment_action,
    create,
    draft_action,
    drafts,
    endorse,
    history,
    participation,
    permalink,
    preview,
    receipt,
    version_comments,
)

__all__ = [
    "ACTIONS",
    "article",
    "article_changes",
    "attachments",
    "comment_action",
    "create",
    "draft_action",
    "draft_list",
    "drafts",
    "endorse",
    "general",
    "history",
    "moderate",
    "new_article",
    "participation",
    "permalink",
    "preview",
    "queue",
    "read",
    "read_version",
    "receipt",
    "version_changes",
    "version_comments",
]
