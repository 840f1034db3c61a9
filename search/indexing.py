"""What goes into the index for each kind of thing: one function per source.

Each ``*_entries`` function takes one live object and returns the rows that
should stand for it in the index (none when it should not be found: a removed
provision, a response not given yet). ``SOURCES`` lists, for every source, how
to read its objects in bulk and which function turns one into rows; the rebuild
(``search.services``) and the listeners use it, so a new source is one function
and one ``SOURCES`` entry here, plus its visibility rule in
``search.selectors.visible_entries``.

Text is prepared the same way for both databases: Khmer, written without spaces
between words, gets a zero-width space at every word boundary ICU finds
(``core.segment``), which both PostgreSQL's parser and SQLite's FTS5 tokenizer
treat as a separator, while a reader of a snippet sees nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape

from django.db.models import QuerySet
from django.utils import translation

from comments.models import INDIVIDUAL_KIND, Attachment, Comment, Disposition
from comments.selectors import is_mostly_khmer
from core.segment import khmer_break_opportunities
from drafts.models import DraftVersion, Provision
from stakeholders.models import Organisation

from .models import Entry

# Snippets are marked with these two private-use characters, then escaped and
# turned into <mark>; they are taken out of every indexed text so that nobody
# can smuggle a mark (or anything else) into a snippet.
MARK_START, MARK_END = "\ue000", "\ue001"
NO_MARKS = str.maketrans("", "", MARK_START + MARK_END)

KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"
LATIN_DIGITS = "0123456789"
TO_LATIN_DIGITS = str.maketrans(KHMER_DIGITS, LATIN_DIGITS)
TO_KHMER_DIGITS = str.maketrans(LATIN_DIGITS, KHMER_DIGITS)


def prepare(text: str) -> str:
    """Text as it is indexed and shown in snippets: marks removed, HTML's special characters
    escaped, Khmer split into words.

    Escaping keeps PostgreSQL's parser from taking what a person typed for markup
    (it skips the inside of ``<script>``...): every character is text to both
    engines. ``search.selectors.render_marked`` escapes it again for the page.
    """
    if not text:
        return ""
    return khmer_break_opportunities(escape(text.translate(NO_MARKS), quote=False))


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


@dataclass(frozen=True)
class Source:
    """How to index one kind of thing: its objects in bulk, and one object's rows."""

    name: str
    objects: Callable[[], QuerySet]
    entries: Callable[[object], list[Entry]]
    # The foreign key of Entry that points at the object (for deleting its rows).
    entry_field: str
    # The path from the object to its draft, to rebuild one draft only; None: not per draft.
    draft_path: str | None


# --- provisions ---------------------------------------------------------------------------


def _provision_label(provision: Provision, language: str) -> str:
    with translation.override(language):
        kind = str(Provision.Kind(provision.kind).label)
    number = provision.number
    if language == "km":
        number = number.translate(TO_KHMER_DIGITS)
    return f"{kind} {number}".strip()


def provision_entries(provision: Provision) -> list[Entry]:
    """A provision's heading and text, one row per language that has words."""
    if provision.removed_at is not None:
        return []
    version = provision.version
    rows = []
    for language in ("en", "km"):
        heading = getattr(provision, f"heading_{language}")
        text = getattr(provision, f"text_{language}")
        if not heading and not text:
            continue
        title = _provision_label(provision, language)
        if heading:
            title = f"{title} · {heading}"
        rows.append(
            Entry(
                key=f"provision:{provision.pk}:{language}",
                source=Entry.Source.PROVISION,
                language=language,
                provision=provision,
                draft_id=version.draft_id,
                version=version,
                stable_id=provision.stable_id,
                provision_kind=provision.kind,
                provision_number=provision.number,
                date=version.published_at or version.created_at,
                title=prepare(title),
                body=prepare(text),
            )
        )
    return rows


# --- comments and the ministry's responses ----------------------------------------------


def _comment_facets(comment: Comment) -> dict:
    provision = comment.provision
    return {
        "comment": comment,
        "draft_id": comment.version.draft_id,
        "version_id": comment.version_id,
        "organisation_id": comment.organisation_id,
        # A general comment (on the whole draft) has no provision.
        "stable_id": provision.stable_id if provision else "",
        "provision_kind": provision.kind if provision else "",
        "provision_number": provision.number if provision else "",
        "kind": comment.kind,
        "organisation_kind": (
            comment.organisation.kind if comment.organisation_id else INDIVIDUAL_KIND
        ),
        # what the permission module's filters read, under the comment's field names
        "visibility": comment.visibility,
        "state": comment.state,
        "author_id": comment.author_id,
        "thread_organisation_id": comment.thread_organisation_id,
        "thread_author_id": comment.thread_author_id,
    }


def _disposition_of(comment: Comment) -> Disposition | None:
    if comment.parent_id is not None:
        return None
    try:
        return comment.disposition
    except Disposition.DoesNotExist:
        return None


def disposition_status(comment: Comment) -> str:
    """The thread's decision as a comment's rows (its words, its files) carry it."""
    disposition = _disposition_of(comment)
    return disposition.status if disposition else ""


def comment_entries(comment: Comment) -> list[Entry]:
    """A comment or reply: its words and proposed text, the passage it quotes, who wrote it.

    Indexed whatever its state and visibility: who may find it is decided when
    searching, by the permission module's filters on the row's copy of the comment's fields.
    """
    organisation = comment.organisation
    words = _join(comment.body, comment.proposed_text, comment.proposed_text_km)
    return [
        Entry(
            key=f"comment:{comment.pk}:",
            source=Entry.Source.COMMENT,
            language="km" if is_mostly_khmer(words) else "en",
            disposition=disposition_status(comment),
            date=comment.created_at,
            body=prepare(words),
            extra=prepare(
                _join(
                    comment.quote_exact,
                    organisation.name_en if organisation else "",
                    organisation.name_km if organisation else "",
                )
            ),
            **_comment_facets(comment),
        )
    ]


def response_entries(disposition: Disposition) -> list[Entry]:
    """The ministry's answer to a thread, once given."""
    if disposition.status == Disposition.Status.PENDING or not disposition.response.strip():
        return []
    comment = disposition.comment
    return [
        Entry(
            key=f"response:{comment.pk}:",
            source=Entry.Source.RESPONSE,
            language="km" if is_mostly_khmer(disposition.response) else "en",
            disposition=disposition.status,
            date=disposition.responded_at or comment.created_at,
            body=prepare(disposition.response),
            **_comment_facets(comment),
        )
    ]


# --- files attached to comments ------------------------------------------------------------


# PostgreSQL's parser reads "position-paper_v2.pdf" as one token (a file name), so
# a search for "position" would not find it; a zero-width space after each of these
# separators makes every part a word on both engines, and shows as nothing.
FILE_NAME_PARTS = str.maketrans({separator: f"{separator}\u200b" for separator in "._-"})


def attachment_entries(attachment: Attachment) -> list[Entry]:
    """A file attached to a comment: its name and the text read from it when it was attached.

    Found under the comment's rules, like its words (``attachment.download``
    follows ``comment.view`` and, for a hidden comment, ``comment.view_hidden``):
    the row carries the comment's visibility fields and facets. An image has no
    text; its name is still found. The text is what ``comments.attachments`` read
    from the file; a PDF whose text layer leaves out letters (as many Khmer PDFs
    made by shaping engines do for subscript consonants) is found only by the
    words it kept.
    """
    comment = attachment.comment
    disposition = _disposition_of(comment)
    return [
        Entry(
            key=f"attachment:{attachment.pk}:",
            source=Entry.Source.ATTACHMENT,
            attachment=attachment,
            language=(
                "km"
                if is_mostly_khmer(attachment.extracted_text or attachment.original_name)
                else "en"
            ),
            disposition=disposition.status if disposition else "",
            date=attachment.created_at,
            title=prepare(attachment.original_name).translate(FILE_NAME_PARTS),
            body=prepare(attachment.extracted_text),
            **_comment_facets(comment),
        )
    ]


# --- organisations ------------------------------------------------------------------------


def organisation_entries(organisation: Organisation) -> list[Entry]:
    return [
        Entry(
            key=f"organisation:{organisation.pk}:",
            source=Entry.Source.ORGANISATION,
            organisation=organisation,
            organisation_kind=organisation.kind,
            date=organisation.created_at,
            title=prepare(organisation.name_en),
            body=prepare(organisation.name_km),
        )
    ]


SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            name=Entry.Source.PROVISION,
            objects=lambda: Provision.objects.filter(removed_at__isnull=True).select_related(
                "version"
            ),
            entries=provision_entries,
            entry_field="provision",
            draft_path="version__draft",
        ),
        Source(
            name=Entry.Source.COMMENT,
            objects=lambda: Comment.objects.select_related(
                "organisation", "provision", "version", "disposition"
            ),
            entries=comment_entries,
            entry_field="comment",
            draft_path="version__draft",
        ),
        Source(
            name=Entry.Source.RESPONSE,
            objects=lambda: Disposition.objects.exclude(
                status=Disposition.Status.PENDING
            ).select_related("comment__organisation", "comment__provision", "comment__version"),
            entries=response_entries,
            entry_field="comment",
            draft_path="comment__version__draft",
        ),
        Source(
            name=Entry.Source.ATTACHMENT,
            objects=lambda: Attachment.objects.select_related(
                "comment__organisation",
                "comment__provision",
                "comment__version",
                "comment__disposition",
            ),
            entries=attachment_entries,
            entry_field="attachment",
            draft_path="comment__version__draft",
        ),
        Source(
            name=Entry.Source.ORGANISATION,
            objects=lambda: Organisation.objects.all(),
            entries=organisation_entries,
            entry_field="organisation",
            draft_path=None,
        ),
    )
}


def object_key(source: Source, obj) -> object:
    """The value of ``Entry.<entry_field>_id`` for ``obj``'s rows."""
    return obj.comment_id if source.name == Entry.Source.RESPONSE else obj.pk


def entries_for(source_name: str, objects: Iterable) -> list[Entry]:
    source = SOURCES[source_name]
    return [row for obj in objects for row in source.entries(obj)]


def version_provisions(version: DraftVersion) -> QuerySet[Provision]:
    return SOURCES[Entry.Source.PROVISION].objects().filter(version=version)
