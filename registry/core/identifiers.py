"""Identifiers of subjects: USCC (GB 32100-2015), resident ID (GB 11643) and vehicle plates.

Each ``normalize_*`` returns the canonical form or raises ``InvalidIdentifier`` with a message
saying what is wrong.  python-stdnum computes the check characters; its ``uscc.validate`` is not
used because it rejects codes whose first two characters are letters (N, Y, ...), which the
standard allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from stdnum.cn import ric, uscc

from registry.core.errors import ValidationFailed

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_RE = re.compile(f"^[{USCC_ALPHABET}]{{18}}$")
_RIC_RE = re.compile(r"^\d{17}[\dX]$")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Province character, issuing-office letter, then 5 characters (6 for new-energy plates);
# the last may be one of the special suffixes.
_PLATE_RE = re.compile(f"^[{_PROVINCES}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{4,5}}[A-HJ-NP-Z0-9挂学警港澳]$")
_SEPARATORS = re.compile(r"[\s\-·•.]")


class SubjectKind(StrEnum):
    ORGANISATION = "organisation"
    PERSON = "person"
    VEHICLE = "vehicle"


class InvalidIdentifier(ValidationFailed):
    pass


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", value or "").upper()


def normalize_uscc(value: str) -> str:
    code = _compact(value)
    if len(code) != 18:
        raise InvalidIdentifier(
            _l("A unified social credit code has 18 characters; this one has %(n)d.", n=len(code))
        )
    if not _USCC_RE.match(code):
        raise InvalidIdentifier(
            _l("A unified social credit code uses only digits and the letters A–Y except I, O, S, V and Z.")
        )
    if uscc.calc_check_digit(code[:17]) != code[17]:
        raise InvalidIdentifier(
            _l("The check character of this unified social credit code is wrong: please check the code.")
        )
    return code


def normalize_resident_id(value: str) -> str:
    number = _compact(value)
    if len(number) != 18:
        raise InvalidIdentifier(_l("A resident ID number has 18 characters; this one has %(n)d.", n=len(number)))
    if not _RIC_RE.match(number):
        raise InvalidIdentifier(_l("A resident ID number is 17 digits followed by a digit or X."))
    try:
        ric.get_birth_date(number)
    except Exception:
        raise InvalidIdentifier(_l("The birth date inside this resident ID number is not a real date.")) from None
    if ric.calc_check_digit(number[:17]) != number[17]:
        raise InvalidIdentifier(_l("The check digit of this resident ID number is wrong: please check the number."))
    return number


def normalize_plate(value: str) -> str:
    plate = _compact(value)
    if not _PLATE_RE.match(plate):
        raise InvalidIdentifier(_l("This is not a valid vehicle plate number (for example 湘A12345)."))
    return plate


NORMALIZERS = {
    SubjectKind.ORGANISATION: normalize_uscc,
    SubjectKind.PERSON: normalize_resident_id,
    SubjectKind.VEHICLE: normalize_plate,
}


def normalize(kind: SubjectKind | str, value: str) -> str:
    return NORMALIZERS[SubjectKind(kind)](value)


@dataclass(frozen=True)
class ParsedIdentifier:
    kind: SubjectKind
    value: str


def looks_like_identifier(value: str) -> bool:
    """Whether a search text is meant as an identifier rather than a name."""
    compact = _compact(value)
    if len(compact) == 18 and re.fullmatch(r"[0-9A-Z]{18}", compact):
        return True
    return bool(compact) and compact[0] in _PROVINCES and len(compact) in (7, 8) and compact[1:].isascii()


def parse_identifier(value: str) -> list[ParsedIdentifier]:
    """Every reading of ``value`` as a valid identifier (usually one).

    An all-digit 18-character string can in rare cases be both a valid USCC and a valid resident
    ID; both readings are returned, person first.  Raises ``InvalidIdentifier`` with the most
    helpful message when no reading is valid.
    """
    compact = _compact(value)
    if not compact:
        raise InvalidIdentifier(_l("Enter an identifier."))
    if compact[0] in _PROVINCES:
        return [ParsedIdentifier(SubjectKind.VEHICLE, normalize_plate(compact))]
    readings: list[ParsedIdentifier] = []
    errors: list[InvalidIdentifier] = []
    for kind, normalizer in ((SubjectKind.PERSON, normalize_resident_id), (SubjectKind.ORGANISATION, normalize_uscc)):
        try:
            readings.append(ParsedIdentifier(kind, normalizer(compact)))
        except InvalidIdentifier as error:
            errors.append(error)
    if readings:
        return readings
    # Explain in terms of the kind the text most resembles.
    if _RIC_RE.match(compact):
        raise errors[0]
    if len(compact) == 18:
        raise errors[1]
    raise InvalidIdentifier(
        _l(
            "This is not a valid identifier: enter an 18-character unified social credit code, "
            "an 18-digit resident ID number or a plate number."
        )
    )


def mask_resident_id(number: str) -> str:
    """The public form of a resident ID: first 6 and last 4 characters, the birth date hidden."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) > 10 else "*" * len(number)


def public_identifier(kind: SubjectKind | str, value: str) -> str:
    """What may be shown publicly for an identifier: persons masked, others in full."""
    return mask_resident_id(value) if SubjectKind(kind) is SubjectKind.PERSON else value


# Administrative division codes of Hunan's cities and prefectures (first 4 digits).
HUNAN_CITIES = {
    "4301": "长沙市",
    "4302": "株洲市",
    "4303": "湘潭市",
    "4304": "衡阳市",
    "4305": "邵阳市",
    "4306": "岳阳市",
    "4307": "常德市",
    "4308": "张家界市",
    "4309": "益阳市",
    "4310": "郴州市",
    "4311": "永州市",
    "4312": "怀化市",
    "4313": "娄底市",
    "4331": "湘西土家族苗族自治州",
}


def region_code(kind: SubjectKind | str, value: str) -> str | None:
    """The 6-digit administrative division code an identifier carries, where it carries one."""
    kind = SubjectKind(kind)
    if kind is SubjectKind.PERSON:
        return value[:6]
    if kind is SubjectKind.ORGANISATION and value[2:8].isdigit():
        return value[2:8]
    return None
