"""Checking a file attached to a comment before anything is stored, and reading its text.

The type comes from the content, never from the name: ``filetype`` reads the
magic bytes, then each accepted type is opened the way a reader would open it
(the PDF parsed, the image decoded, the word-processing file unzipped) so that
a file which only starts like a PDF, a renamed program or a zip bomb dressed as
a DOCX is refused with a clear reason. The text is extracted here too, for the
drafters' preview and for search. A PDF carrying JavaScript is accepted (it may
be a real position paper from a careless tool) but marked: like every
attachment it is only ever downloaded, never shown inline.

Nothing here writes; ``comments.services`` stores what passed. ``attachment_response``
is how the web and the API hand a stored file out.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

import filetype
from django.conf import settings
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from core.errors import DomainError

# What people send to a consultation: position papers and scans.
ACCEPTED = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
}
# Kept text per file: enough for a preview and for search, bounded for the database.
MAX_TEXT = 200_000
# A word-processing file is a zip: these bound what unpacking it may cost.
MAX_ZIP_MEMBERS = 2_000
MAX_COMPRESSION_RATIO = 100
MAX_IMAGE_PIXELS = 60_000_000
_PDF_SCRIPT = re.compile(rb"/(JavaScript|JS)\b")


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed: what it really is, its text, and whether it carries scripts."""

    name: str
    content_type: str
    extension: str
    size: int
    sha256: str
    text: str
    active_content: bool
    data: bytes


def limits() -> tuple[int, int]:
    """(files per comment, bytes per file), from ``PORTAL``."""
    return (
        settings.PORTAL["ATTACHMENT_MAX_FILES"],
        settings.PORTAL["ATTACHMENT_MAX_BYTES"],
    )


def _refuse(name: str, reason: str) -> DomainError:
    return DomainError(
        _("“%(name)s” was not accepted: %(reason)s") % {"name": name, "reason": reason},
        field="attachments",
        code="attachment_refused",
    )


def clean_name(name: str) -> str:
    """The file's own name without any folder, control characters or excess length."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "attachment"
    return name[-150:]


def check_files(files) -> list[CheckedFile]:
    """Check every file of one comment, or raise ``DomainError`` naming the first refused."""
    max_files, max_bytes = limits()
    files = [f for f in files if f is not None]
    if len(files) > max_files:
        raise DomainError(
            _("At most %(count)s files may be attached to one comment.") % {"count": max_files},
            field="attachments",
            code="too_many_files",
        )
    return [check_file(f, max_bytes=max_bytes) for f in files]


def check_file(upload, *, max_bytes: int) -> CheckedFile:
    name = clean_name(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _refuse(name, _too_large(max_bytes))
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _refuse(name, _too_large(max_bytes))
    if not data:
        raise _refuse(name, _("the file is empty."))
    kind = filetype.guess(data[:8192])
    content_type = kind.mime if kind is not None else None
    if content_type not in ACCEPTED:
        raise _refuse(
            name,
            _(
                "only PDF, Word (DOCX), OpenDocument text (ODT) and image files (PNG, JPEG, GIF, WebP) may be attached, judged by their content, not their name."
            ),
        )
    active = False
    if content_type == "application/pdf":
        text, active = _read_pdf(name, data)
    elif content_type.startswith("image/"):
        text = _check_image(name, data)
    else:
        text = _read_word_processing(name, data, content_type)
    return CheckedFile(
        name=name,
        content_type=content_type,
        extension=ACCEPTED[content_type],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        text=text[:MAX_TEXT],
        active_content=active,
        data=data,
    )


def _too_large(max_bytes: int) -> str:
    return _("it is larger than %(size)s MB.") % {"size": round(max_bytes / 1_000_000, 1)}


# --- PDF ---------------------------------------------------------------------------


def _read_pdf(name: str, data: bytes) -> tuple[str, bool]:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _refuse(name, _("the PDF is protected by a password."))
        active = bool(_PDF_SCRIPT.search(data)) or _pdf_has_script(reader)
        parts, length = [], 0
        for page in reader.pages:
            page_text = page.extract_text() or ""
            parts.append(page_text)
            length += len(page_text)
            if length > MAX_TEXT:
                break
    except DomainError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise _refuse(name, _("it is not a readable PDF.")) from None
    return "\n".join(parts), active


def _pdf_has_script(reader: PdfReader) -> bool:
    """Document-level JavaScript, an opening action, or actions on pages and annotations.

    Scripts inside compressed object streams do not show in the raw bytes, so the
    parsed structure is read as well.
    """
    root = reader.trailer["/Root"]
    names = root.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        return True
    if root.get("/AA") is not None or _is_script(root.get("/OpenAction")):
        return True
    for page in reader.pages:
        if page.get("/AA") is not None:
            return True
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if _is_script(annotation.get("/A")) or annotation.get("/AA") is not None:
                return True
    return False


def _is_script(action) -> bool:
    if action is None:
        return False
    action = action.get_object()
    return hasattr(action, "get") and action.get("/S") in ("/JavaScript", "/Launch")


# --- images ------------------------------------------------------------------------


def _check_image(name: str, data: bytes) -> str:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _refuse(name, _("the image is too large to open safely."))
            image.verify()
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse(name, _("it is not a readable image.")) from None
    return ""


# --- DOCX and ODT (zip files of XML) ---------------------------------------------------


def _read_word_processing(name: str, data: bytes, content_type: str) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(name, _("it is not a readable document.")) from None
    _refuse_zip_bomb(name, archive, members, compressed_size=len(data))
    is_docx = content_type.endswith("wordprocessingml.document")
    main = "word/document.xml" if is_docx else "content.xml"
    if main not in archive.namelist():
        raise _refuse(name, _("it is not a readable document."))
    try:
        xml = archive.read(main)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        raise _refuse(name, _("it is not a readable document.")) from None
    # Real documents never declare a DTD; one here can only be an entity expansion attack.
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise _refuse(name, _("the document contains declarations that are not allowed."))
    try:
        tree = ElementTree.fromstring(xml)  # noqa: S314 - no DTD (checked above), size bounded
    except ElementTree.ParseError:
        raise _refuse(name, _("it is not a readable document.")) from None
    return _docx_text(tree) if is_docx else _odt_text(tree)


def _refuse_zip_bomb(name, archive, members, *, compressed_size: int) -> None:
    _max_files, max_bytes = limits()
    unpacked_limit = settings.PORTAL["ATTACHMENT_MAX_UNPACKED_BYTES"]
    if len(members) > MAX_ZIP_MEMBERS:
        raise _refuse(name, _("the document holds too many parts."))
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > unpacked_limit or ratio > MAX_COMPRESSION_RATIO:
            raise _refuse(name, _("the document unpacks to far more than its size (a zip bomb)."))
    if compressed_size > max_bytes:  # already refused earlier; kept for direct callers
        raise _refuse(name, _too_large(max_bytes))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _docx_text(tree) -> str:
    paragraphs = []
    for paragraph in tree.iter(f"{_W}p"):
        words = [node.text or "" for node in paragraph.iter(f"{_W}t")]
        paragraphs.append("".join(words))
    return "\n".join(p for p in paragraphs if p.strip())


def _odt_text(tree) -> str:
    blocks = (f"{_TEXT_NS}p", f"{_TEXT_NS}h")
    paragraphs = ["".join(node.itertext()) for node in tree.iter() if node.tag in blocks]
    return "\n".join(p for p in paragraphs if p.strip())


# --- handing a file out ---------------------------------------------------------------


def attachment_response(attachment) -> FileResponse:
    """The file as a download with the type read from its content, never sniffed or run."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Opened by mistake in the browser, a file still may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
