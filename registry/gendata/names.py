"""Realistic names and valid identifiers, drawn from a seeded ``random.Random``.

Organisation names combine a place, a trade name and a line of business with one of the legal
suffixes; persons take one of the common surnames and a one- or two-character given name.
USCCs and resident IDs carry correct check characters (``core.identifiers``, as GB 32100 and
GB 11643 compute them) and Hunan division codes; plates follow GA 36.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from registry.core.identifiers import USCC_ALPHABET, resident_id_check_digit, uscc_check_character

# (6-digit division code, short place name used in firm names)
DISTRICTS = [
    ("430102", "芙蓉"), ("430103", "天心"), ("430104", "岳麓"), ("430105", "开福"), ("430111", "雨花"),
    ("430121", "长沙"), ("430181", "浏阳"), ("430202", "荷塘"), ("430211", "天元"), ("430281", "醴陵"),
    ("430302", "雨湖"), ("430381", "湘乡"), ("430405", "珠晖"), ("430482", "常宁"), ("430502", "双清"),
    ("430581", "武冈"), ("430602", "岳阳楼"), ("430682", "临湘"), ("430702", "武陵"), ("430781", "津市"),
    ("430802", "永定"), ("430902", "资阳"), ("430981", "沅江"), ("431002", "北湖"), ("431081", "资兴"),
    ("431102", "零陵"), ("431202", "鹤城"), ("431281", "洪江"), ("431302", "娄星"), ("431382", "涟源"),
    ("433101", "吉首"), ("433130", "龙山"),
]
CITY_WORDS = ["湖南", "湘", "长沙", "株洲", "湘潭", "衡阳", "邵阳", "岳阳", "常德", "张家界", "益阳", "郴州",
              "永州", "怀化", "娄底", "湘西"]
TRADE_WORDS = [
    "星沙", "湘江", "洞庭", "华通", "顺达", "宏远", "鑫源", "恒通", "安达", "金桥", "路通", "远航", "畅行",
    "中联", "天成", "盛世", "瑞丰", "永信", "众合", "巨力", "鸿运", "新纪元", "德润", "广源", "隆兴", "平安",
    "东方", "诚信", "利民", "兴业", "博远", "长城", "和顺", "通达", "汇丰", "宏达", "锦程", "嘉诚", "凯旋",
    "三湘", "潇湘", "岳麓", "麓山", "南岳", "橘洲", "芙蓉", "楚天", "湘运", "湘通", "捷运",
]
BUSINESS_WORDS = [
    "物流", "运输", "路桥", "建设", "工程", "港务", "航运", "汽车运输", "客运", "货运", "危险货物运输", "公路工程",
    "水运工程", "交通建设", "桥梁", "隧道工程", "市政工程", "驾驶员培训", "机动车维修", "出租汽车", "公交",
    "供应链", "仓储", "船务", "交通设施",
]
SUFFIXES = ["有限公司"] * 6 + ["有限责任公司"] * 2 + ["股份有限公司", "集团有限公司", "分公司"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红文辉鹏飞斌宇浩凯婷雪琳晨欣怡子涵梓轩俊峰海波"
PLATE_LETTERS = "ABCDEFGHJKLMNU"  # Hunan's issuing offices (湘A 长沙 … 湘U 湘西)


def organisation_name(rng: random.Random) -> str:
    place = rng.choice(CITY_WORDS) if rng.random() < 0.7 else rng.choice(DISTRICTS)[1]
    name = place + rng.choice(TRADE_WORDS) + rng.choice(BUSINESS_WORDS) + rng.choice(SUFFIXES)
    if name.endswith("分公司"):
        name = name[:-3] + "有限公司" + rng.choice(DISTRICTS)[1] + "分公司"
    return name


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def uscc_for(index: int, region: str) -> str:
    """A valid USCC, unique for each ``index`` (``MB`` + 7 characters base 31, then the check)."""
    serial = (index * 7_368_787 + 104_729) % (31 ** 7)  # a permutation of 0 … 31^7-1 (gcd = 1)
    chars = []
    for _ in range(7):
        serial, digit = divmod(serial, 31)
        chars.append(USCC_ALPHABET[digit])
    body = f"91{region}MB" + "".join(reversed(chars))
    return body + uscc_check_character(body)


_EPOCH = date(1955, 1, 1)


def resident_id(rng: random.Random, taken: set[str]) -> str:
    """A valid resident ID of a Hunan district, born 1955–2004, not in ``taken``."""
    while True:
        region = rng.choice(DISTRICTS)[0]
        born = _EPOCH + timedelta(days=rng.randrange(50 * 365))
        body = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = body + resident_id_check_digit(body)
        if number not in taken:
            taken.add(number)
            return number


def plate(rng: random.Random, taken: set[str]) -> str:
    """An ordinary Hunan plate: five digits or letters, at most two of them letters (GA 36).

    Letters past the second become digits rather than being drawn again, so that the generator
    draws as many random numbers as it always has and the rest of a seed's data set stays the same.
    """
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    while True:
        value, letters = "湘" + rng.choice(PLATE_LETTERS), 0
        for char in (rng.choice(alphabet) for _ in range(5)):
            letters += char.isalpha()
            value += str(alphabet.index(char) % 10) if char.isalpha() and letters > 2 else char
        if value not in taken:
            taken.add(value)
            return value
