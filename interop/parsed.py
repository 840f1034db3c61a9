"""What an import found in a document: a provision tree in both languages, and what it could not place.

Both readers (Akoma Ntoso and Word) produce a ``ParsedDocument``. It is stored as
JSON on the upload, shown to the drafter as a preview, and turned into the drafting
services' ``ProvisionSpec`` tree only when the drafter confirms.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

KINDS = ("part", "chapter", "section", "article")
STABLE_ID_PREFIX = {"part": "part", "chapter": "chp", "section": "sec", "article": "art"}


@dataclass
class ParsedProvision:
    kind: str
    number: str = ""
    heading_en: str = ""
    heading_km: str = ""
    text_en: str = ""
    text_km: str = ""
    # The identifier the document gave it (an Akoma Ntoso eId), if any.
    source_id: str = ""
    children: list[ParsedProvision] = field(default_factory=list)
    # Filled when matched against the draft: the stable id it gets, and how it was found.
    stable_id: str = ""
    matched: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> ParsedProvision:
        data = dict(data)
        children = [cls.from_dict(child) for child in data.pop("children", [])]
        return cls(**data, children=children)


@dataclass
class Problem:
    """Something in the document that the import did not understand or could not keep.

    ``where`` names the provision it sits in (its label), or is empty before the first one.
    """

    message: str
    excerpt: str = ""
    where: str = ""


@dataclass
class ParsedDocument:
    source_format: str  # "akn" or "docx"
    title_en: str = ""
    title_km: str = ""
    languages: list[str] = field(default_factory=list)
    provisions: list[ParsedProvision] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def walk(self):
        """Every provision with its depth, in document order."""

        def visit(items, depth):
            for item in items:
                yield item, depth
                yield from visit(item.children, depth + 1)

        yield from visit(self.provisions, 0)

    def count(self, kind: str) -> int:
        return sum(1 for item, _depth in self.walk() if item.kind == kind)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ParsedDocument:
        return cls(
            source_format=data["source_format"],
            title_en=data.get("title_en", ""),
            title_km=data.get("title_km", ""),
            languages=list(data.get("languages", [])),
            provisions=[ParsedProvision.from_dict(p) for p in data.get("provisions", [])],
            problems=[Problem(**p) for p in data.get("problems", [])],
        )


def label(kind: str, number: str) -> str:
    """A language-neutral label for a problem's ``where`` ("article 12")."""
    return f"{kind} {number}".strip()
