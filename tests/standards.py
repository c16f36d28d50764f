"""The identifier standards, implemented a second time for the tests.

Written from the standards' own tables and rules, independently of ``registry.core.identifiers``
(different formulas, no shared code, no python-stdnum), so that a test comparing the two, or
checking generated and demo data, can fail when the registry gets a standard wrong.
"""

from __future__ import annotations

from datetime import date

# GB 11643-1999 §7.2, table 1: the weighting factors Wi of positions 1–17 ...
RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# ... and table 2: the check code for each remainder Y = Σ(ai × Wi) mod 11, Y = 0 … 10.
RIC_CHECK_FOR_REMAINDER = ("1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2")

# GB 32100-2015 §4.2: the 31 code characters (no I, O, S, V, Z) and their values 0 … 30.
USCC_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# §5, table 3: the weighting factors of positions 1–17, as published.
USCC_WEIGHTS_PUBLISHED = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def ric_check(body: str) -> str:
    remainder = sum(int(a) * w for a, w in zip(body, RIC_WEIGHTS, strict=True)) % 11
    return RIC_CHECK_FOR_REMAINDER[remainder]


def ric_valid(number: str, today: date | None = None) -> bool:
    """18 ASCII characters, 17 digits and a check code, a real birth date not after ``today``."""
    if len(number) != 18 or any(c not in "0123456789" for c in number[:17]) or number[17] not in "0123456789X":
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return born <= (today or date.today()) and ric_check(number[:17]) == number[17]


def uscc_weights() -> list[int]:
    """The weights as the standard derives them: 3^(i-1) mod 31 (checked against the table)."""
    return [3 ** i % 31 for i in range(17)]


def uscc_check(body: str) -> str:
    total = 0
    for char, weight in zip(body, uscc_weights(), strict=True):
        total += USCC_CHARACTERS.index(char) * weight
    check = 31 - total % 31
    return USCC_CHARACTERS[0 if check == 31 else check]


def uscc_valid(code: str) -> bool:
    return len(code) == 18 and all(c in USCC_CHARACTERS for c in code) and uscc_check(code[:17]) == code[17]


PROVINCES = set("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
PLATE_LETTERS = set("ABCDEFGHJKLMNPQRSTUVWXYZ")  # the 24 letters of GA 36: no I, no O
DIGITS = set("0123456789")


def plate_valid(plate: str) -> bool:
    """GA 36-2018 as the registry applies it, character by character (see test_identifiers)."""
    if len(plate) < 7 or plate[0] not in PROVINCES or plate[1] not in PLATE_LETTERS:
        return False
    serial = plate[2:]
    if len(serial) == 6:  # new energy: D/F first (small vehicles) or last (large vehicles)
        small = serial[0] in "DF" and serial[1] in DIGITS | PLATE_LETTERS and set(serial[2:]) <= DIGITS
        large = set(serial[:5]) <= DIGITS and serial[5] in "DF"
        return small or large
    if len(serial) == 5 and serial[-1] in "挂学警港澳":
        if serial[-1] in "港澳" and plate[:2] != "粤Z":
            return False
        serial = serial[:-1]
    elif len(serial) != 5:
        return False
    letters = sum(c in PLATE_LETTERS for c in serial)
    return all(c in DIGITS | PLATE_LETTERS for c in serial) and letters <= 2
