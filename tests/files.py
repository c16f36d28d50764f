"""Small real files for the upload tests, written byte by byte from the formats' specifications
(ISO 32000 for PDF, RFC 2083 for PNG), without the PDF or image libraries the registry reads them with.

``pdf(catalog=, page=, objects=)`` builds a one-page PDF with a correct cross-reference table;
``PDF`` is an inert one.  ``pdf_with_object_stream`` hides an object in a compressed object
stream (PDF 1.5).  ``png(...)`` builds a PNG (any extra chunks); ``JPEG`` is a baseline JPEG.
"""

from __future__ import annotations

import struct
import zlib

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def pdf(*, catalog: bytes = b"", page: bytes = b"", objects: tuple[bytes, ...] = (), between: bytes = b"",
        tail: bytes = b"") -> bytes:
    """A one-page PDF: object 1 the catalog (with ``catalog`` added), 2 the page tree, 3 the page
    (with ``page`` added), then ``objects`` numbered from 4.  ``between`` goes after the objects
    (outside the cross-reference table), ``tail`` after the final ``%%EOF``."""
    bodies = [b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
              b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
              b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] " + page + b" >>", *objects]
    out = bytearray(HEADER)
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    out += between
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, start)
    return bytes(out) + tail


PDF = pdf()


def incremental_update(original: bytes, number: int, body: bytes) -> bytes:
    """``original`` with an update appended (ISO 32000 §7.5.6): object ``number`` replaced by ``body``."""
    previous = int(original.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    size = int(original.rsplit(b"/Size ", 1)[1].split(b" ", 1)[0])
    out = bytearray(original)
    offset = len(out)
    out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n%d 1\n%010d 00000 n \n" % (number, offset)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (size, previous, start)
    return bytes(out)


def pdf_with_object_stream(hidden: bytes, *, catalog: bytes) -> bytes:
    """A PDF 1.5 whose object 5 (``hidden``) lives only inside a compressed object stream (object 4),
    found through a cross-reference stream (object 6); ``catalog`` may refer to ``5 0 R``."""
    header = b"5 0 "
    inner = zlib.compress(header + hidden)
    bodies = [b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
              b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
              b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
              b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
              % (len(header), len(inner), inner)]
    out = bytearray(HEADER)
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)] + [struct.pack(">BIH", 1, offset, 0) for offset in offsets]
    rows += [struct.pack(">BIH", 2, 4, 0), struct.pack(">BIH", 1, start, 0)]  # 5: in stream 4; 6: this one
    table = zlib.compress(b"".join(rows))
    out += (b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
            b"stream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % (len(table), table, start))
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png(width: int = 4, height: int = 3, *, extra: tuple[tuple[bytes, bytes], ...] = (), tail: bytes = b"",
        idat: bytes | None = None) -> bytes:
    """An 8-bit RGB PNG of grey pixels; ``extra`` chunks go before the image data."""
    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = b"".join(_chunk(kind, data) for kind, data in extra)
    data = zlib.compress(rows) if idat is None else idat
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + body + _chunk(b"IDAT", data) + _chunk(b"IEND", b"") + tail


PNG = png()


def png_chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG, in order; raises if anything follows IEND."""
    assert data.startswith(PNG_SIGNATURE)
    position, kinds = len(PNG_SIGNATURE), []
    while position < len(data):
        length = struct.unpack(">I", data[position:position + 4])[0]
        kinds.append(data[position + 4:position + 8])
        position += 12 + length
        if kinds[-1] == b"IEND":
            assert position == len(data), "data after IEND"
            break
    return kinds


# A 2x2 grey baseline JPEG (JFIF), made once and kept as bytes.
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f"
    "1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080002000201011100ffc4001f0000"
    "010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d010203000411"
    "05122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445"
    "464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9"
    "aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda00080101"
    "00003f002bffd9"
)


def jpeg_segments(data: bytes) -> list[int]:
    """The marker bytes of a JPEG's segments up to the scan (APP1 = 0xE1 is EXIF); checks it ends
    with the end-of-image marker and nothing after."""
    assert data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9")
    position, markers = 2, []
    while position < len(data):
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        position += 2 + struct.unpack(">H", data[position + 2:position + 4])[0]
    return markers


def exif(orientation: int = 1, *, note: bytes = b"") -> bytes:
    """An EXIF block (a big-endian TIFF directory, CIPA DC-008): the Orientation tag (0x0112) and,
    when given, an ImageDescription (0x010E) -- the kind of text a camera or an editor leaves."""
    entries = [struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)]
    if note:
        entries.insert(0, struct.pack(">HHII", 0x010E, 2, len(note), 8 + 2 + 12 * 2 + 4))
    directory = struct.pack(">H", len(entries)) + b"".join(entries) + b"\x00\x00\x00\x00"
    return b"Exif\x00\x00MM\x00*\x00\x00\x00\x08" + directory + note


def with_exif(jpeg: bytes, payload: bytes | None = None) -> bytes:
    """``jpeg`` with an APP1 (EXIF) segment right after its APP0 (JFIF) segment."""
    payload = exif() if payload is None else payload
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:20] + app1 + jpeg[20:]


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame segment."""
    position = 2
    while True:
        marker = data[position + 1]
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return width, height
        position += 2 + length
