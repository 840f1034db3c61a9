"""A packet's pieces joined into one PDF, streamed: one piece in memory at a time.

A packet is rendered in parts (``rendering.render_part``), each a tagged PDF of
its own. A PDF library that joins them (pypdf, or qpdf through pikepdf) holds
every object of every part at once; a whole-draft packet has about 3,300 pages
and 550,000 structure elements (WeasyPrint tags every line of text), which took
the finishing worker to 2.9 GB. This module instead reads one piece at a time
with pikepdf, renumbers its objects into the output's numbering, and writes
them out at once, as a PDF 1.5 file with object streams and a compressed
cross-reference stream (as compact as WeasyPrint's own output). What it keeps
between pieces is small: the page numbers, the tag tree's top-level kids, the
parent tree's entries, named destinations, and one union font per face.

What is joined, and how:

- Pages go under one page tree; each page is stamped with an overlay page (the
  running header and footer) drawn as a form XObject between a shared "save
  state" stream and a shared stream that draws it marked as pagination (an
  artifact, outside the reading order); the page's own drawing is not touched.
- The pieces' tag trees go under one Document element; each piece's parent
  tree keys (pages' ``/StructParents``, annotations' ``/StructParent``) are
  shifted past the previous pieces' keys.
- Links whose URI starts with ``contents_scheme`` (the contents' entries) are
  pointed at the page their anchor fell on.
- Each face's font subsets (WeasyPrint keeps glyph ids, see ``pdffonts``) are
  folded into one subset written once.
- Named destinations, the outline, attached files, metadata and the document
  language are written at the end.

Object numbers of a piece are its own plus an offset (pieces' numbers never
overlap), so renumbering is arithmetic; references in an object's text are
rewritten by ``_REFERENCE``, which skips strings (qpdf escapes parentheses in
literal strings, so a string never hides a reference). Values that must point
at objects of the output (a stamp, a page, a union font) are put in the piece
as placeholder names ``/PortalRef<n>`` and become ``n 0 R`` after renumbering.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from . import pdffonts

_REFERENCE = re.compile(rb"\((?:[^\\()]|\\.)*\)|<[0-9A-Fa-f\s]*>|(?<![\w.])(\d+) (\d+) R")
_PLACEHOLDER = re.compile(rb"/PortalRef(\d+)")
_OBJECTS_PER_STREAM = 1000
_STAMP_NAME = "/PortalFolio"


def _placeholder(number: int):
    import pikepdf

    return pikepdf.Name(f"/PortalRef{number}")


def pdf_string(text: str) -> bytes:
    """A text string as PDF syntax (PDFDocEncoding where it can, else UTF-16)."""
    import pikepdf

    return pikepdf.String(text).unparse()


@dataclass
class OutlineItem:
    title: str
    page: int  # 0-based page of the joined document
    level: int
    nests: bool = True  # False: a top-level entry that never holds the entries after it


@dataclass
class JoinSpec:
    """What the joined document gets besides its pieces' pages."""

    language: str
    info: dict[str, str]  # "/Title" etc. → text
    outline: list[OutlineItem] = field(default_factory=list)
    anchors: dict[str, int] = field(default_factory=dict)  # name → 0-based page
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    contents_scheme: str = ""
    file_id: str = ""


class _Output:
    """Objects written as they come: streams at once, the others in object streams."""

    def __init__(self, file: BinaryIO):
        self.file = file
        self.xref: dict[int, tuple[int, int, int]] = {}
        self.next_number = 1
        self.batch: list[tuple[int, bytes]] = []
        file.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def allocate(self, count: int = 1) -> int:
        """The first of ``count`` new object numbers."""
        first = self.next_number
        self.next_number += count
        return first

    def object(self, number: int, body: bytes) -> None:
        self.batch.append((number, body))
        if len(self.batch) >= _OBJECTS_PER_STREAM:
            self.flush()

    def stream(self, number: int, dictionary: bytes, raw: bytes) -> None:
        self.xref[number] = (1, self.file.tell(), 0)
        self.file.write(b"%d 0 obj\n%s\nstream\n" % (number, dictionary))
        self.file.write(raw)
        self.file.write(b"\nendstream\nendobj\n")

    def compressed_stream(self, number: int, entries: bytes, data: bytes) -> None:
        """A stream of ``data``, Flate-compressed; ``entries`` go in its dictionary."""
        raw = zlib.compress(data, 9)
        self.stream(number, b"<< %s /Filter /FlateDecode /Length %d >>" % (entries, len(raw)), raw)

    def flush(self) -> None:
        if not self.batch:
            return
        number = self.allocate()
        offsets, bodies, position = [], [], 0
        for index, (member, body) in enumerate(self.batch):
            offsets.append(b"%d %d" % (member, position))
            bodies.append(body)
            position += len(body) + 1
            self.xref[member] = (2, number, index)
        head = b" ".join(offsets) + b"\n"
        self.compressed_stream(
            number,
            b"/Type /ObjStm /N %d /First %d" % (len(self.batch), len(head)),
            head + b"\n".join(bodies) + b"\n",
        )
        self.batch = []

    def finish(self, root: int, info: int, file_id: bytes) -> None:
        self.flush()
        number = self.allocate()
        size = self.next_number
        self.xref[number] = (1, self.file.tell(), 0)
        rows = bytearray()
        for entry in range(size):
            kind, first, second = self.xref.get(entry, (0, 0, 65535 if entry == 0 else 0))
            rows += kind.to_bytes(1, "big") + first.to_bytes(4, "big") + second.to_bytes(2, "big")
        raw = zlib.compress(bytes(rows), 9)
        identifier = b"<%s>" % file_id.hex().encode()
        self.file.write(
            b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 4 2 ] /Root %d 0 R /Info %d 0 R "
            b"/ID [ %s %s ] /Filter /FlateDecode /Length %d >>\nstream\n"
            % (number, size, root, info, identifier, identifier, len(raw))
        )
        start = self.xref[number][1]
        self.file.write(raw)
        self.file.write(b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start)


class _Fonts:
    """One union subset per face, built as the pieces go by."""

    def __init__(self, output: _Output):
        self.output = output
        self.faces: dict[str, tuple[int, object]] = {}  # face → (object number, union font)

    def take(self, descriptor) -> int | None:
        """Fold the descriptor's subset into its face's union; its object number, or None."""
        font = pdffonts.read_font(descriptor[pdffonts.FONT_FILE].read_bytes())
        if font is None:
            return None
        face = pdffonts.face_name(font)
        if not face:
            return None
        if face not in self.faces:
            self.faces[face] = (self.output.allocate(), font)
            return self.faces[face][0]
        number, union = self.faces[face]
        if len(font.getGlyphOrder()) > len(union.getGlyphOrder()):
            # The union must reach the highest glyph id: the longer subset becomes the base.
            pdffonts.merge_into(font, union)
            self.faces[face] = (number, font)
        else:
            pdffonts.merge_into(union, font)
        return number

    def write(self) -> None:
        for number, font in self.faces.values():
            out = io.BytesIO()
            font.save(out)
            data = out.getvalue()
            self.output.compressed_stream(number, b"/Length1 %d" % len(data), data)


class Joiner:
    """Joins pieces given in order; ``finish`` writes the document's own objects."""

    def __init__(self, file: BinaryIO, spec: JoinSpec, page_counts: list[int]):
        self.out = _Output(file)
        self.spec = spec
        self.fonts = _Fonts(self.out)
        self.pages_number = self.out.allocate()
        self.struct_root_number = self.out.allocate()
        self.document_number = self.out.allocate()
        self.save_number = self.out.allocate()
        self.draw_number = self.out.allocate()
        self.out.stream(self.save_number, b"<< /Length 2 >>", b"q\n")
        draw = b"Q\n/Artifact <</Type /Pagination>> BDC\nq %s Do Q\nEMC\n" % _STAMP_NAME.encode()
        self.out.stream(self.draw_number, b"<< /Length %d >>" % len(draw), draw)
        # Every page's object number, known before its piece is read: the
        # contents (the first piece) link to pages of the last.
        self.page_numbers = [self.out.allocate() for _ in range(sum(page_counts))]
        self.page_count = 0
        self.next_key = 0
        self.parent_tree: list[tuple[int, bytes]] = []
        self.document_kids: list[bytes] = []
        self.destinations: dict[str, bytes] = {}

    # -- renumbering -------------------------------------------------------

    @staticmethod
    def _renumberer(numbers: dict[int, int]) -> Callable[[bytes], bytes]:
        def replace(match: re.Match) -> bytes:
            if match.group(1) is None:
                return match.group(0)
            return b"%d 0 R" % numbers.get(int(match.group(1)), 0)

        def renumber(text: bytes) -> bytes:
            return _PLACEHOLDER.sub(rb"\1 0 R", _REFERENCE.sub(replace, text))

        return renumber

    def _numbering(self, pdf, skip: set[int], fixed: dict[int, int]) -> dict[int, int]:
        """The output number of each object of ``pdf`` that is written, and of the fixed ones."""
        import pikepdf

        numbers = dict(fixed)
        for obj in pdf.objects:
            if obj is None or not obj.is_indirect:
                continue
            number = obj.objgen[0]
            if number in skip or number in numbers:
                continue
            if isinstance(obj, pikepdf.Stream) and obj.stream_dict.get("/Type") in (
                "/ObjStm",
                "/XRef",
            ):
                continue
            numbers[number] = self.out.allocate()
        return numbers

    def _write_objects(self, pdf, numbers: dict[int, int], skip: set[int], renumber) -> None:
        import pikepdf

        for obj in pdf.objects:
            if obj is None or not obj.is_indirect:
                continue
            source = obj.objgen[0]
            if source in skip or source not in numbers:
                continue
            number = numbers[source]
            if isinstance(obj, pikepdf.Stream):
                if obj.stream_dict.get("/Type") in ("/ObjStm", "/XRef"):
                    continue
                raw = obj.read_raw_bytes()
                obj.stream_dict.Length = len(raw)
                self.out.stream(number, renumber(obj.stream_dict.unparse(resolved=True)), raw)
            else:
                self.out.object(number, renumber(obj.unparse(resolved=True)))

    def _take_fonts(self, pdf, skip: set[int]) -> None:
        import pikepdf

        for obj in pdf.objects:
            if (
                isinstance(obj, pikepdf.Dictionary)
                and obj.get("/Type") == "/FontDescriptor"
                and pdffonts.FONT_FILE in obj
            ):
                font_file = obj.get(pdffonts.FONT_FILE)
                number = self.fonts.take(obj)
                if number is None:
                    continue
                skip.add(font_file.objgen[0])
                obj[pdffonts.FONT_FILE] = _placeholder(number)
                if "/CIDSet" in obj:  # lists one subset's glyphs: no longer true
                    del obj["/CIDSet"]

    # -- pieces --------------------------------------------------------------

    def add_overlay(self, data: bytes) -> list[int]:
        """An overlay PDF's pages as form XObjects; returns their object numbers."""
        import pikepdf

        forms = []
        with pikepdf.open(io.BytesIO(data)) as pdf:
            skip = {pdf.Root.objgen[0], pdf.Root.Pages.objgen[0]}
            if "/Info" in pdf.trailer and pdf.trailer.Info.is_indirect:
                skip.add(pdf.trailer.Info.objgen[0])
            for page in pdf.pages:
                skip.add(page.obj.objgen[0])
                contents = page.obj.Contents
                for stream in contents if isinstance(contents, pikepdf.Array) else [contents]:
                    skip.add(stream.objgen[0])
            self._take_fonts(pdf, skip)
            numbers = self._numbering(pdf, skip, {})
            renumber = self._renumberer(numbers)
            self._write_objects(pdf, numbers, skip, renumber)
            for page in pdf.pages:
                contents = page.obj.Contents
                streams = contents if isinstance(contents, pikepdf.Array) else [contents]
                drawing = b"\n".join(stream.read_bytes() for stream in streams)
                number = self.out.allocate()
                box = page.obj.MediaBox.unparse(resolved=True)
                resources = renumber(page.obj.Resources.unparse(resolved=True))
                self.out.compressed_stream(
                    number,
                    b"/Type /XObject /Subtype /Form /BBox %s /Resources %s" % (box, resources),
                    drawing,
                )
                forms.append(number)
        return forms

    def add_piece(self, data: bytes, stamps: list[int]) -> None:
        """A tagged piece's pages, tags, links and destinations; ``stamps``: one form per page."""
        import pikepdf

        with pikepdf.open(io.BytesIO(data)) as pdf:
            root = pdf.Root
            skip = {root.objgen[0]}
            fixed = {root.Pages.objgen[0]: self.pages_number}
            for key in ("/Outlines", "/Names", "/Metadata"):
                if key in root and root[key].is_indirect:
                    skip.add(root[key].objgen[0])
            if "/Outlines" in root:
                skip.update(_outline_objects(root.Outlines))
            if "/Info" in pdf.trailer and pdf.trailer.Info.is_indirect:
                skip.add(pdf.trailer.Info.objgen[0])
            key_offset = self.next_key
            tree = root.get("/StructTreeRoot")
            if tree is not None:
                fixed[tree.objgen[0]] = self.struct_root_number
                document = tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K
                # The piece's Document element stands for the joined one.
                fixed[document.objgen[0]] = self.document_number
                if tree.ParentTree.is_indirect:
                    skip.add(tree.ParentTree.objgen[0])
            # The joined document's own page tree, tag tree root and Document
            # element stand for the piece's: references go to them, the piece's are not written.
            skip.update(fixed)
            first_page = self.page_count
            for index, page in enumerate(pdf.pages):
                fixed[page.obj.objgen[0]] = self.page_numbers[first_page + index]
            self._take_fonts(pdf, skip)
            for index, page in enumerate(pdf.pages):
                self._stamp(page.obj, stamps[index])
                if "/StructParents" in page.obj:
                    page.obj.StructParents = int(page.obj.StructParents) + key_offset
                for annotation in page.obj.get("/Annots", []):
                    self._annotation(annotation, key_offset)
            numbers = self._numbering(pdf, skip, fixed)
            renumber = self._renumberer(numbers)
            if tree is not None:
                kids = document.K if isinstance(document.K, pikepdf.Array) else [document.K]
                self.document_kids += [renumber(kid.unparse()) for kid in kids]
                for key, value in _number_tree(tree.ParentTree):
                    self.parent_tree.append((key + key_offset, renumber(value.unparse())))
                    self.next_key = max(self.next_key, key + key_offset + 1)
            if "/Names" in root and "/Dests" in root.Names:
                for name, value in _name_tree(root.Names.Dests):
                    self.destinations.setdefault(name, renumber(value.unparse()))
            self._write_objects(pdf, numbers, skip, renumber)
            self.page_count += len(pdf.pages)

    def _stamp(self, page, form: int) -> None:
        import pikepdf

        resources = page.get("/Resources") or pikepdf.Dictionary()
        # The page gets resources of its own: WeasyPrint shares one resource
        # dictionary between a piece's pages, and each page has its own stamp.
        own = pikepdf.Dictionary(dict(resources.items()))
        xobjects = resources.get("/XObject") or pikepdf.Dictionary()
        own_xobjects = pikepdf.Dictionary(dict(xobjects.items()))
        own_xobjects[_STAMP_NAME] = _placeholder(form)
        own.XObject = own_xobjects
        page.Resources = own
        contents = page.Contents
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        page.Contents = pikepdf.Array(
            [_placeholder(self.save_number), *streams, _placeholder(self.draw_number)]
        )

    def _annotation(self, annotation, key_offset: int) -> None:
        import pikepdf

        if "/StructParent" in annotation:
            annotation.StructParent = int(annotation.StructParent) + key_offset
        action = annotation.get("/A")
        uri = str(action.get("/URI", "")) if action is not None else ""
        if self.spec.contents_scheme and uri.startswith(self.spec.contents_scheme):
            del annotation["/A"]
            page = self.spec.anchors.get(uri[len(self.spec.contents_scheme) :])
            if page is not None:
                annotation.Dest = pikepdf.Array(
                    [_placeholder(self.page_numbers[page]), pikepdf.Name("/Fit")]
                )

    # -- the document's own objects -------------------------------------------

    def finish(self) -> int:
        """Write the page tree, tags, outline, names and catalog; returns the page count."""
        out, spec = self.out, self.spec
        if self.page_count != len(self.page_numbers):
            raise ValueError(
                f"the pieces held {self.page_count} pages, not the {len(self.page_numbers)} planned"
            )
        kids = b" ".join(b"%d 0 R" % number for number in self.page_numbers)
        out.object(
            self.pages_number,
            b"<< /Type /Pages /Kids [ %s ] /Count %d >>" % (kids, len(self.page_numbers)),
        )
        parent_tree = out.allocate()
        nums = b" ".join(b"%d %s" % (key, value) for key, value in sorted(self.parent_tree))
        out.object(parent_tree, b"<< /Nums [ %s ] >>" % nums)
        out.object(
            self.struct_root_number,
            b"<< /Type /StructTreeRoot /K %d 0 R /ParentTree %d 0 R /ParentTreeNextKey %d >>"
            % (self.document_number, parent_tree, self.next_key),
        )
        out.object(
            self.document_number,
            b"<< /Type /StructElem /S /Document /P %d 0 R /K [ %s ] >>"
            % (self.struct_root_number, b" ".join(self.document_kids)),
        )
        for name, page in spec.anchors.items():
            self.destinations.setdefault(name, b"[ %d 0 R /Fit ]" % self.page_numbers[page])
        dests = out.allocate()
        out.object(dests, _flat_name_tree(self.destinations.items()))
        names = b"/Dests %d 0 R" % dests
        if spec.attachments:
            names += b" /EmbeddedFiles %d 0 R" % self._attachments()
        outlines = self._outline()
        self.fonts.write()
        info = out.allocate()
        out.object(
            info,
            b"<< %s >>"
            % b" ".join(
                key.encode() + b" " + pdf_string(value) for key, value in spec.info.items()
            ),
        )
        catalog = out.allocate()
        out.object(
            catalog,
            b"<< /Type /Catalog /Pages %d 0 R /Names << %s >> /Outlines %d 0 R "
            b"/PageMode /UseOutlines /StructTreeRoot %d 0 R /MarkInfo << /Marked true >> "
            b"/Lang %s /ViewerPreferences << /DisplayDocTitle true >> >>"
            % (
                self.pages_number,
                names,
                outlines,
                self.struct_root_number,
                pdf_string(spec.language),
            ),
        )
        file_id = hashlib.md5(spec.file_id.encode(), usedforsecurity=False).digest()
        out.finish(catalog, info, file_id)
        return self.page_count

    def _attachments(self) -> int:
        out = self.out
        entries = []
        for name, data in self.spec.attachments:
            embedded = out.allocate()
            out.compressed_stream(
                embedded, b"/Type /EmbeddedFile /Params << /Size %d >>" % len(data), data
            )
            filespec = out.allocate()
            out.object(
                filespec,
                b"<< /Type /Filespec /F %s /UF %s /EF << /F %d 0 R /UF %d 0 R >> >>"
                % (pdf_string(name), pdf_string(name), embedded, embedded),
            )
            entries.append((name, b"%d 0 R" % filespec))
        tree = out.allocate()
        out.object(tree, _flat_name_tree(entries))
        return tree

    def _outline(self) -> int:
        """The outline as PDF outline items (ISO 32000-1, 12.3.3); returns its root's number."""
        out = self.out
        root = out.allocate()
        items = [(item, out.allocate()) for item in self.spec.outline]
        children: dict[int, list[int]] = {root: []}
        parent_of: dict[int, int] = {}
        stack: list[tuple[int, int]] = []  # (level, number)
        for item, number in items:
            while stack and stack[-1][0] >= item.level:
                stack.pop()
            parent = stack[-1][1] if stack else root
            children.setdefault(parent, []).append(number)
            children.setdefault(number, [])
            parent_of[number] = parent
            if item.nests:
                stack.append((item.level, number))

        def visible(number: int) -> int:
            return sum(1 + visible(kid) for kid in children[number])

        for item, number in items:
            siblings = children[parent_of[number]]
            position = siblings.index(number)
            entries = [
                b"/Title " + pdf_string(item.title),
                b"/Parent %d 0 R" % parent_of[number],
                b"/Dest [ %d 0 R /Fit ]" % self.page_numbers[item.page],
            ]
            if position > 0:
                entries.append(b"/Prev %d 0 R" % siblings[position - 1])
            if position + 1 < len(siblings):
                entries.append(b"/Next %d 0 R" % siblings[position + 1])
            if children[number]:
                entries.append(
                    b"/First %d 0 R /Last %d 0 R /Count %d"
                    % (children[number][0], children[number][-1], visible(number))
                )
            out.object(number, b"<< %s >>" % b" ".join(entries))
        top = children[root]
        entries = b"/Type /Outlines /Count %d" % visible(root)
        if top:
            entries += b" /First %d 0 R /Last %d 0 R" % (top[0], top[-1])
        out.object(root, b"<< %s >>" % entries)
        return root


def _outline_objects(outlines) -> set[int]:
    """The object numbers of a piece's outline items (WeasyPrint's, replaced by the packet's)."""
    found: set[int] = set()
    pending = [outlines.get("/First")]
    while pending:
        item = pending.pop()
        while item is not None and item.is_indirect and item.objgen[0] not in found:
            found.add(item.objgen[0])
            pending.append(item.get("/First"))
            item = item.get("/Next")
    return found


def _tree_entries(node, array: str) -> Iterable[tuple[object, object]]:
    """The (key, value) pairs of a number tree (``/Nums``) or name tree (``/Names``), in order."""
    if array in node:
        flat = node[array]
        for index in range(0, len(flat), 2):
            yield flat[index], flat[index + 1]
    for kid in node.get("/Kids", []):
        yield from _tree_entries(kid, array)


def _number_tree(node) -> Iterable[tuple[int, object]]:
    return ((int(key), value) for key, value in _tree_entries(node, "/Nums"))


def _name_tree(node) -> Iterable[tuple[str, object]]:
    return ((str(key), value) for key, value in _tree_entries(node, "/Names"))


def _flat_name_tree(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """One name tree node, its names in order and each once (ISO 32000-1, 7.9.6)."""
    pairs = sorted(dict(entries).items())
    return b"<< /Names [ %s ] >>" % b" ".join(
        pdf_string(name) + b" " + value for name, value in pairs
    )
