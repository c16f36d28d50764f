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


# GB/T 2260-2007, 中华人民共和国行政区划代码, the provinces' codes as its table lists them (and
# as the first two digits of a resident ID number carry them, GB 11643 §5.1): 北京 110000 … 新疆
# 650000, 台湾 710000, 香港 810000, 澳门 820000.
GB_T_2260_PROVINCES = {
    "110000": "北京市", "120000": "天津市", "130000": "河北省", "140000": "山西省", "150000": "内蒙古自治区",
    "210000": "辽宁省", "220000": "吉林省", "230000": "黑龙江省",
    "310000": "上海市", "320000": "江苏省", "330000": "浙江省", "340000": "安徽省", "350000": "福建省",
    "360000": "江西省", "370000": "山东省",
    "410000": "河南省", "420000": "湖北省", "430000": "湖南省", "440000": "广东省", "450000": "广西壮族自治区",
    "460000": "海南省",
    "500000": "重庆市", "510000": "四川省", "520000": "贵州省", "530000": "云南省", "540000": "西藏自治区",
    "610000": "陕西省", "620000": "甘肃省", "630000": "青海省", "640000": "宁夏回族自治区",
    "650000": "新疆维吾尔自治区",
    "710000": "台湾省", "810000": "香港特别行政区", "820000": "澳门特别行政区",
}
# 《港澳台居民居住证申领发放办法》(国办发〔2018〕81号) art. 4: the residence permits of Hong Kong,
# Macao and Taiwan residents carry a 公民身份号码 with the address code 810000, 820000 or 830000.
RESIDENCE_PERMIT_ADDRESS_CODES = {"810000", "820000", "830000"}


def ric_region_known(number: str) -> bool:
    return f"{number[:2]}0000" in GB_T_2260_PROVINCES or number[:6] in RESIDENCE_PERMIT_ADDRESS_CODES


def ric_valid(number: str, today: date | None = None) -> bool:
    """18 ASCII characters, 17 digits and a check code, a province's address code, a real birth
    date not after ``today``."""
    if len(number) != 18 or any(c not in "0123456789" for c in number[:17]) or number[17] not in "0123456789X":
        return False
    if not ric_region_known(number):
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
    if len(serial) == 5 and serial[-1] in "挂学警领试港澳":
        if serial[-1] in "港澳" and plate[:2] != "粤Z":
            return False
        serial = serial[:-1]
    elif len(serial) != 5:
        return False
    letters = sum(c in PLATE_LETTERS for c in serial)
    return all(c in DIGITS | PLATE_LETTERS for c in serial) and letters <= 2
