"""The OpenAPI document's parameter schemas that describe what the registry reads: identifiers and
cursors, each with the pattern of what it accepts (shared by ``openapi`` and ``watch_openapi``)."""

from __future__ import annotations

from registry.core.changes import cursor_pattern

# The forms the registry reads, with separators (spaces, hyphens, dots) anywhere and letters in
# either case: 18 letters and digits (a USCC or a resident ID number), or a plate (province
# character, the office's letter, four to six letters and digits, an optional suffix).  The check
# characters are the server's to verify; full-width forms, which it folds to ASCII, are left out.
_SEP = r"[\s\-·•.・]*"
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
IDENTIFIER_PATTERN = (
    f"^{_SEP}(?:(?:[0-9A-Za-z]{_SEP}){{18}}"
    f"|[{_PROVINCES}]{_SEP}[A-Za-z](?:{_SEP}[0-9A-Za-z]){{4,6}}(?:{_SEP}[挂学警港澳])?{_SEP})$"
)
IDENTIFIER_SCHEMA = {"type": "string", "maxLength": 64, "pattern": IDENTIFIER_PATTERN}
IDENTIFIER = {
    "name": "identifier", "in": "path", "required": True,
    "description": "USCC (18 characters), resident ID number (18) or plate number; spacing and case do not matter. "
    "The pattern gives the forms; a check character that does not match is 400 invalid_identifier.",
    "schema": IDENTIFIER_SCHEMA,
}


def cursor_parameter(name: str, tag: str, description: str) -> dict:
    """A query parameter taking a cursor this API returned (``core.changes.encode_cursor`` with
    ``tag``), or nothing (from the start)."""
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "pattern": cursor_pattern(tag, empty=True)}}
