"""Identifiers of subjects: USCC (GB 32100-2015), resident ID (GB 11643-1999) and vehicle plates (GA 36-2018).

Each ``normalize_*`` returns the canonical form or raises ``InvalidIdentifier`` with a message
saying what is wrong.  The check characters are computed here, as the standards define them,
rather than by python-stdnum: its ``ric.calc_check_digit`` wants the whole 18-character number
(a 17-character body gives a wrong digit, which once made the registry refuse nine genuine
numbers in ten), and its ``uscc.validate`` rejects codes whose first two characters are letters
(N, Y, ...), which the standard allows.

Every path that takes an identifier (forms, imports, the API, applications, search) comes
through ``_compact``, which folds what people type into the canonical ASCII form: full-width
characters (NFKC) and other scripts' decimal digits (Arabic-Indic ٤٣٠…) become ASCII, so that
``４３０２０３…`` finds the subject ``430203…`` instead of registering a second one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l

from registry.core import clock
from registry.core.errors import ValidationFailed
from registry.core.registry import Registry

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# GB 32100-2015 §5 (ISO 7064 MOD 31-3 style): the weight of position i (0-based) is 3^i mod 31.
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {char: index for index, char in enumerate(USCC_ALPHABET)}
_USCC_RE = re.compile(f"[{USCC_ALPHABET}]{{18}}")
# re.ASCII: ``\d`` would otherwise match every script's digits, which is how ٤٣٠… once got in.
_RIC_RE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_SEPARATORS = re.compile(r"[\s\-·•.・]")


class SubjectKind(StrEnum):
    ORGANISATION = "organisation"
    PERSON = "person"
    VEHICLE = "vehicle"


class InvalidIdentifier(ValidationFailed):
    pass


def _compact(value: str) -> str:
    """``value`` folded to ASCII where it has an ASCII equivalent, without separators, upper-cased.

    NFKC turns full-width letters and digits (and the ideographic space) into ASCII; digits of
    other scripts, which NFKC leaves alone, are replaced by their ASCII value.  Whatever is still
    not ASCII is left for the format checks to refuse.
    """
    text = unicodedata.normalize("NFKC", value or "")
    text = "".join(str(unicodedata.decimal(char)) if char.isdecimal() and not char.isascii() else char
                   for char in text)
    return _SEPARATORS.sub("", text).upper()


# --- USCC ---------------------------------------------------------------------------------


def uscc_check_character(body: str) -> str:
    """The 18th character of a USCC whose first 17 are ``body`` (GB 32100-2015).

    C18 = 31 - (Σ value(Ci) × Wi mod 31), a result of 31 written 0.
    """
    total = sum(_USCC_VALUE[char] * weight for char, weight in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: str) -> str:
    code = _compact(value)
    if len(code) != 18:
        raise InvalidIdentifier(
            _l("A unified social credit code has 18 characters; this one has %(n)d.", n=len(code))
        )
    if not _USCC_RE.fullmatch(code):
        raise InvalidIdentifier(
            _l("A unified social credit code uses only digits and the letters A–Y except I, O, S, V and Z.")
        )
    if uscc_check_character(code[:17]) != code[17]:
        raise InvalidIdentifier(
            _l("The check character of this unified social credit code is wrong: please check the code.")
        )
    return code


# --- resident ID --------------------------------------------------------------------------


def resident_id_check_digit(body: str) -> str:
    """The 18th character of a resident ID number whose first 17 digits are ``body``.

    GB 11643-1999 §7 (ISO 7064 MOD 11-2): digit i (1-based) weighs 2^(18-i) mod 11; the check
    digit is (12 - Σ mod 11) mod 11, 10 written X.
    """
    if len(body) != 17 or not body.isascii() or not body.isdigit():
        raise ValueError("a resident ID body is 17 ASCII digits")
    total = sum(int(digit) * pow(2, 17 - index, 11) for index, digit in enumerate(body))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def resident_id_birth_date(number: str) -> date | None:
    """The birth date a resident ID number carries (digits 7–14), None when it is no real date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


# GB/T 2260 (中华人民共和国行政区划代码), the province level: the first two digits of a resident ID
# number (GB 11643 §5.1, 地址码) name the province of the holder's registration.  71 (台湾), 81
# (香港) and 82 (澳门) are in the standard's table; 83 is not, but the residence permits of Hong
# Kong, Macao and Taiwan residents (《港澳台居民居住证申领发放办法》, 2018) carry resident ID numbers
# whose address codes are 810000, 820000 and 830000.
PROVINCE_CODES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}
RESIDENCE_PERMIT_CODES = {"830000": "台湾居民居住证"}


def resident_region_exists(number: str) -> bool:
    """Whether the address code of a resident ID number names a province of GB/T 2260 (or is a
    residence permit's 830000)."""
    return number[:2] in PROVINCE_CODES or number[:6] in RESIDENCE_PERMIT_CODES


def normalize_resident_id(value: str) -> str:
    number = _compact(value)
    if len(number) != 18:
        raise InvalidIdentifier(_l("A resident ID number has 18 characters; this one has %(n)d.", n=len(number)))
    if not _RIC_RE.fullmatch(number):
        raise InvalidIdentifier(_l("A resident ID number is 17 digits followed by a digit or X."))
    if not resident_region_exists(number):
        raise InvalidIdentifier(_l(
            "The first two digits of this resident ID number (%(code)s) are no province's code: a resident ID "
            "number begins with the code of the region where it was issued (湖南 43).", code=number[:2]))
    born = resident_id_birth_date(number)
    if born is None:
        raise InvalidIdentifier(_l("The birth date inside this resident ID number is not a real date."))
    if born > clock.today():
        raise InvalidIdentifier(_l("The birth date inside this resident ID number is in the future."))
    if resident_id_check_digit(number[:17]) != number[17]:
        raise InvalidIdentifier(_l("The check digit of this resident ID number is wrong: please check the number."))
    return number


# --- plates -------------------------------------------------------------------------------

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# GA 36-2018 leaves I and O out of plates (they read as 1 and 0), both as the issuing office's
# letter (发牌机关代号) and in the serial (序号).
_LETTER = "A-HJ-NP-Z"
_SERIAL = f"[0-9{_LETTER}]"
# The suffixed plates of GA 36-2018 with four serial characters before the suffix: 挂 trailers
# (on the overloading list with their tractor), 学 driving-school cars (a road transport trade),
# 警 police vehicles, 领 consular vehicles (领馆汽车号牌), 试 test vehicles (试验汽车号牌: they run
# on public roads and can be weighed, fined and listed like any other), and 港/澳 for vehicles of
# Hong Kong and Macao, issued only as 粤Z.  Not accepted: 使 (embassy plates, no province
# character), 应急 (fire and rescue), military and armed-police plates, which no transport credit
# record is about.
PLATE_SUFFIXES = "挂学警领试港澳"
_PLATE_FORMS = [
    # Ordinary plate: province, office letter, five digits or letters.
    re.compile(f"[{_PROVINCES}][{_LETTER}]{_SERIAL}{{5}}"),
    # New-energy plates (GA 36-2018, 新能源汽车号牌): six serial characters; D (battery
    # electric) or F (other new energy) first for small vehicles, the second a digit or a letter
    # and the last four digits; for large vehicles five digits, then D or F.
    re.compile(f"[{_PROVINCES}][{_LETTER}][DF]{_SERIAL}[0-9]{{4}}"),
    re.compile(f"[{_PROVINCES}][{_LETTER}][0-9]{{5}}[DF]"),
    re.compile(f"[{_PROVINCES}][{_LETTER}]{_SERIAL}{{4}}[挂学警领试]"),
    re.compile(f"粤Z{_SERIAL}{{4}}[港澳]"),
]
# GA 36's serial rule (序号编码规则) allows at most two letters among the serial characters of
# an ordinary or suffixed plate (湘A8K765 and 湘AB8K76 are plates, 湘AAAAAA is not); the
# new-energy forms above fix where their letters may stand.
MAX_SERIAL_LETTERS = 2


def _plate_form_ok(plate: str) -> bool:
    for index, form in enumerate(_PLATE_FORMS):
        if form.fullmatch(plate):
            if index in (1, 2):
                return True
            return sum(char.isalpha() and char.isascii() for char in plate[2:]) <= MAX_SERIAL_LETTERS
    return False


def normalize_plate(value: str) -> str:
    plate = _compact(value)
    if not _plate_form_ok(plate):
        raise InvalidIdentifier(_l(
            "This is not a plate number. A plate is a province character, the issuing office's letter "
            "and five digits or letters, at most two of them letters and never I or O (湘A12345, "
            "湘A8K765); new-energy plates have six, with D or F first for small vehicles (湘AD12345) "
            "or last for large ones (湘A12345D); trailer, driving-school, police, consular and test-vehicle "
            "plates have four followed by 挂, 学, 警, 领 or 试 (湘A1234挂); Hong Kong and Macao vehicles: "
            "粤Z1234港, 粤Z1234澳."
        ))
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
    return (bool(compact) and compact[0] in _PROVINCES and len(compact) in (7, 8)
            and compact[1:-1].isascii() and (compact[-1].isascii() or compact[-1] in PLATE_SUFFIXES))


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
    # Explain in terms of the kind the text most resembles: a resident ID number's refusal never
    # speaks of a USCC (17 digits carrying a real birth date are a resident ID number mistyped).
    if _RIC_RE.fullmatch(compact) or (len(compact) == 18 and compact[:17].isascii() and compact[:17].isdigit()
                                      and resident_id_birth_date(compact) is not None):
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


# --- identifiers stored in the database ---------------------------------------------------


@dataclass(frozen=True, eq=False)  # its columns compare as SQL, not as values
class StoredIdentifiers:
    """A column that stores identifiers, checked by ``flask subjects check-identifiers``.

    ``kind`` is a fixed ``SubjectKind`` or the mapped column holding the row's kind, which
    ``kind_of`` turns into a ``SubjectKind``.
    """

    name: str
    row_id: Any
    value: Any
    kind: Any
    kind_of: Callable[[Any], SubjectKind] = SubjectKind


# A domain package registers its identifier columns next to its models, so that the check
# knows every one of them without importing the packages above subjects.
STORED_IDENTIFIERS: Registry[StoredIdentifiers] = Registry("stored identifier column")


def register_stored_identifiers(name: str, *, row_id, value, kind, kind_of=SubjectKind) -> None:
    STORED_IDENTIFIERS.add(StoredIdentifiers(name, row_id, value, kind, kind_of))


def identifier_problem(kind: SubjectKind | str, value: str) -> str | None:
    """Why a stored identifier is wrong (invalid, or valid but not in its canonical form); None if right."""
    try:
        canonical = normalize(kind, value)
    except InvalidIdentifier as invalid:
        return str(invalid.message)
    if canonical != value:
        return str(_l("Not stored in its canonical form %(value)s.", value=public_identifier(kind, canonical)))
    return None
