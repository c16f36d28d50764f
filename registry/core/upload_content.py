"""What an uploaded file *is*: decided by reading it, not by a list of byte patterns.

- A PDF is parsed with pypdf and every object of it is read, its names decoded (``/#4aavaScript``
  is ``/JavaScript``).  It is refused when it carries active content: JavaScript, actions that run
  or open something (launch, submit, import, go to another file, rich media, renditions), an
  action when it is opened other than going to a page, additional actions (``/AA``), embedded
  files and file attachments, XFA forms, rich media, 3D, sound or movie.  Nothing but white space
  may follow its last ``%%EOF``; a PDF that cannot be read, or only with a password, is refused.
- A JPEG or PNG is decoded with Pillow and encoded again: what is stored are its pixels (turned
  upright by its EXIF orientation), without metadata, comments or anything after the image.
- Any file: an archive inside it (a ZIP, RAR or 7z header) or web page markup that a browser or a
  web server would act on (HTML, SVG, script, PHP; in UTF-16 too) refuses it.  These markers are
  long enough that compressed data holds one by chance less than once in tens of gigabytes.

Each check returns the reason of a refusal (a lazy message naming the file) or None.
"""

from __future__ import annotations

import io
import re

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel photo; more is a decompression bomb, not evidence

# --- archives and markup --------------------------------------------------------------------------

_ZIP_LOCAL = re.compile(rb"PK\x03\x04[\x00-\x3f]\x00")  # a local file header (version needed up to 6.3), even cut short
_OTHER_ARCHIVES = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c")
_ZIP_END = b"PK\x05\x06"
_ZIP_TAIL = 65_557  # an end-of-central-directory record sits within this many bytes of the end

# Searched in the lower-cased bytes (ASCII letters only change, in UTF-16 too), each search starting
# with a literal so that it runs at memory speed over a 10 MB file.
_MARKUP_WORDS = ("<script", "<html", "<iframe", "<svg", "<img", "<?php", "javascript:", "onload", "onerror")
_MARKUP_LITERALS = (
    b"<?php", b"<script", b"<html", b"<iframe", b"<svg>", b"javascript:",
    *(word.encode("utf-16-le") for word in _MARKUP_WORDS),
    *(word.encode("utf-16-be") for word in _MARKUP_WORDS),
)
_MARKUP_TAGS = re.compile(rb"<(?:(?:object|body)[\s>]|embed[\s/>]|(?:svg|img)\s+[a-z])")
_MARKUP_HANDLERS = re.compile(rb"on(?:load|error|mouseover|focus|click|begin|toggle)\s*=")


def carries_archive(data: bytes) -> bool:
    """The bytes are or carry an archive: a file starting with ``PK``, a ZIP, RAR or 7z header
    anywhere, or a ZIP's end record near the end (a file with an archive appended opens as both)."""
    return (data.startswith(b"PK") or _ZIP_LOCAL.search(data) is not None
            or any(signature in data for signature in _OTHER_ARCHIVES) or _ZIP_END in data[-_ZIP_TAIL:])


def carries_markup(data: bytes) -> bool:
    """Markup or script that a browser or a web server would act on, anywhere in the bytes (any case)."""
    lowered = data.lower()
    return (any(literal in lowered for literal in _MARKUP_LITERALS) or _MARKUP_TAGS.search(lowered) is not None
            or _MARKUP_HANDLERS.search(lowered) is not None)


# --- PDF --------------------------------------------------------------------------------------

# Dictionary keys whose presence is active content, with what to call it.
_ACTIVE_KEYS = {
    "/JS": "JavaScript", "/JavaScript": "JavaScript", "/AA": "AA (additional actions)",
    "/EmbeddedFiles": "EmbeddedFiles", "/EmbeddedFile": "EmbeddedFile", "/EF": "EmbeddedFile",
    "/XFA": "XFA", "/RichMediaContent": "RichMedia", "/RichMediaSettings": "RichMedia",
}
# Kinds of action (/S) that run something or reach outside the document.
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/RichMediaExecute",
                   "/Rendition", "/Movie", "/Sound", "/GoTo3DView"}
# Annotations and objects that carry files, media or scripts of their own.
_ACTIVE_TYPES = {"/RichMedia", "/FileAttachment", "/Screen", "/3D", "/Movie", "/Sound", "/EmbeddedFile"}
# The same names found in the raw bytes, decoded, for objects a repairing reader may find outside
# the cross-reference table (only names long enough not to occur by chance in compressed data).
_RAW_NAMES = {"JavaScript", "Launch", "EmbeddedFiles", "EmbeddedFile", "RichMedia", "RichMediaContent",
              "RichMediaExecute", "SubmitForm", "ImportData"}
_RAW_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]{6,40})")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PADDING = b"\x00\t\n\x0c\r "  # white space (and NUL, which some writers pad a file to its block size with)



def _damaged(name: str):
    return _l("The file %(name)s is not accepted: it could not be read as a PDF (it may be damaged). Save or "
              "export it as PDF again and upload that.", name=name)


def _encrypted(name: str):
    return _l("The file %(name)s is not accepted: it is protected by a password, so its content cannot be "
              "checked. Upload it without the password.", name=name)


def _trailing(name: str):
    return _l("The file %(name)s is not accepted: other data follows the end of the PDF. Save or export it as "
              "PDF again and upload that.", name=name)


def _active(name: str, what: str):
    return _l("The file %(name)s is not accepted: the PDF carries active content (%(what)s) that a PDF reader "
              "would run or open. Print it to a new PDF, or scan the paper, and upload that.", name=name, what=what)


def pdf_problem(data: bytes, name: str):
    """Why this PDF is refused (a lazy message), or None when it is an inert, readable PDF."""
    if not data.rstrip(_PADDING).endswith(b"%%EOF"):
        return _trailing(name) if b"%%EOF" in data else _damaged(name)
    raw = _raw_active_name(data)
    if raw:
        return _active(name, raw)
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not _opens_without_password(reader):
            return _encrypted(name)
        what = _active_in_objects(reader)
    except (FileNotDecryptedError, DependencyError):
        return _encrypted(name)
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, OSError):
        return _damaged(name)
    return _active(name, what) if what else None


def _opens_without_password(reader) -> bool:
    """An owner password only (printing or copying restricted): the content reads without one."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # pypdf raises several kinds for an unsupported or damaged encryption
        return False


def _raw_active_name(data: bytes) -> str | None:
    for match in _RAW_NAME.finditer(data):
        token = match.group(1)
        name = _HEX_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), token) if b"#" in token else token
        if name.decode("latin-1") in _RAW_NAMES:
            return name.decode("latin-1")
    return None


def _active_in_objects(reader) -> str | None:
    """The first active content among every object of the file: those its cross-reference table
    lists (reachable or not) and everything they refer to."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    pending = [reader.trailer]
    for generation, table in reader.xref.items():
        pending += [IndirectObject(number, generation, reader) for number in table]
    pending += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    seen: set[tuple[int, int]] = set()
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = reader.get_object(item)
        if isinstance(item, DictionaryObject):
            what = _active_dictionary(item)
            if what:
                return what
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return None


def _active_dictionary(item) -> str | None:
    from pypdf.generic import ArrayObject, DictionaryObject

    for key in item:
        if key in _ACTIVE_KEYS:
            return _ACTIVE_KEYS[key]
    kind = item.get("/S")
    if kind in _ACTIVE_ACTIONS:
        return str(kind)[1:]
    for name in (item.get("/Type"), item.get("/Subtype")):
        if name in _ACTIVE_TYPES:
            return str(name)[1:]
    uri = item.get("/URI")
    if isinstance(uri, (str, bytes)) and _is_script_uri(uri):
        return "JavaScript"
    opening = item.get("/OpenAction")
    if opening is not None:
        opening = opening.get_object()
        is_destination = isinstance(opening, ArrayObject)
        goes_to_a_page = isinstance(opening, DictionaryObject) and opening.get("/S") == "/GoTo"
        if not (is_destination or goes_to_a_page):
            return "OpenAction"
    return None


def _is_script_uri(uri) -> bool:
    text = uri.decode("latin-1") if isinstance(uri, bytes) else str(uri)
    return "".join(char for char in text if char.isprintable() and not char.isspace()).lower().startswith(
        ("javascript:", "vbscript:", "data:", "file:"))


# --- images -----------------------------------------------------------------------------------


def _image_damaged(name: str):
    return _l("The file %(name)s is not accepted: it could not be read as a JPEG or PNG image (it may be damaged).",
              name=name)


def reencoded_image(data: bytes, content_type: str, name: str):
    """``(new bytes, None)``: the image decoded and encoded again; or ``(None, refusal)``."""
    kind = "JPEG" if content_type == JPEG else "PNG"
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return None, _l("The file %(name)s is not accepted: the image has more than %(n)d million pixels.",
                                name=name, n=MAX_IMAGE_PIXELS // 1_000_000)
            image.load()
            upright = ImageOps.exif_transpose(image)
            return _encoded(upright, kind), None
    except Image.DecompressionBombError:
        return None, _l("The file %(name)s is not accepted: the image has more than %(n)d million pixels.",
                        name=name, n=MAX_IMAGE_PIXELS // 1_000_000)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return None, _image_damaged(name)


def _encoded(image, kind: str) -> bytes:
    """The pixels only: no EXIF, ICC profile, comments or text chunks are carried over."""
    buffer = io.BytesIO()
    if kind == "JPEG":
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(buffer, "JPEG", quality=92)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()
