"""A PDF whose text layer carries Khmer exactly, made by hand for the attachment tests.

A PDF made by a shaping engine (WeasyPrint, a browser) often has no text
mapping for the glyphs of subscript consonants, so the Khmer read back from it
lacks letters; that is the PDF's fault, not search's. This one maps every code
it draws to one character (a ToUnicode map, as word processors write), so what
``comments.attachments`` reads back is the text as it was written.
"""


def pdf_with_text_layer(lines: list[str]) -> bytes:
    chars = sorted({ch for line in lines for ch in line})
    code = {ch: index + 1 for index, ch in enumerate(chars)}
    mapping = "\n".join(
        f"<{code[ch]:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for ch in chars
    )
    to_unicode = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{len(chars)} beginbfchar\n{mapping}\nendbfchar\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    )
    drawn = "\n".join("<" + "".join(f"{code[ch]:04X}" for ch in line) + "> Tj T*" for line in lines)
    content = f"BT /F1 12 Tf 14 TL 50 780 Td\n{drawn}\nET"

    def stream(data: str) -> str:
        return f"<< /Length {len(data.encode())} >>\nstream\n{data}\nendstream"

    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 7 0 R >>",
        "<< /Type /Font /Subtype /Type0 /BaseFont /NotoSansKhmer /Encoding /Identity-H "
        "/DescendantFonts [5 0 R] /ToUnicode 6 0 R >>",
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NotoSansKhmer "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 600 >>",
        stream(to_unicode),
        stream(content),
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)
