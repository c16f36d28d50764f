"""Identifiers of subjects (PRODUCT §2): normalisation, validation, messages, masking.

Expected values come from the standards (their published examples and tables) and from the
second implementation in ``tests/standards.py``, never from the code under test.
"""

from __future__ import annotations

import random
from datetime import date

import pytest

from registry.core.identifiers import (
    InvalidIdentifier,
    ParsedIdentifier,
    SubjectKind,
    looks_like_identifier,
    mask_resident_id,
    normalize,
    normalize_plate,
    normalize_resident_id,
    normalize_uscc,
    parse_identifier,
    public_identifier,
    region_code,
)
from tests.factories import valid_resident_id, valid_uscc
from tests.standards import (
    GB_T_2260_PROVINCES,
    RIC_WEIGHTS,
    USCC_WEIGHTS_PUBLISHED,
    plate_valid,
    ric_check,
    ric_valid,
    uscc_check,
    uscc_valid,
    uscc_weights,
)

# An 18-digit number that is both a valid resident ID and a valid USCC (found by search with
# tests/standards.py).
AMBIGUOUS = "430102198506120099"
WITH_X = "43010219850612003X"


@pytest.fixture
def english(app):
    """Messages rendered in English, as a user who chose English sees them."""
    with app.test_request_context("/?lang=en"):
        yield


def message(error: InvalidIdentifier) -> str:
    return str(error.message)


def uscc_with(prefix: str, region: str = "430100", serial: int = 1) -> str:
    body = f"{prefix}{region}MA{serial:07d}"[:17]
    return body + uscc_check(body)


def wrong_last(code: str, alphabet: str = "0123456789ABCDEFGHJKLMNPQRTUWXY") -> str:
    return code[:-1] + next(c for c in alphabet if c != code[-1])


# --- USCC ---------------------------------------------------------------------------------


def test_valid_uscc_is_accepted_unchanged():
    code = valid_uscc(42)
    assert normalize_uscc(code) == code
    assert normalize(SubjectKind.ORGANISATION, code) == code


@pytest.mark.parametrize(
    "dressing",
    [str.lower, lambda c: f"  {c[:6]} {c[6:12]} {c[12:]} ", lambda c: f"{c[:4]}-{c[4:10]}-{c[10:]}",
     lambda c: "\t" + " - ".join([c[:9].lower(), c[9:]]) + "\n"],
    ids=["lowercase", "spaces", "hyphens", "mixed"],
)
def test_uscc_lowercase_spaces_and_hyphens_are_normalised(dressing):
    code = uscc_with("91", serial=7)
    assert normalize_uscc(dressing(code)) == code


@pytest.mark.parametrize("prefix", ["N1", "N2", "Y1", "A1", "12", "31", "51"])
def test_uscc_whose_first_characters_are_letters_is_valid(prefix):
    # python-stdnum's validate() rejects these; the standard allows them and the check still applies.
    code = uscc_with(prefix, serial=123)
    assert normalize_uscc(code) == code
    assert normalize_uscc(code.lower()) == code
    with pytest.raises(InvalidIdentifier):
        normalize_uscc(wrong_last(code))


@pytest.mark.parametrize("serial", [1, 2, 99, 1234567])
def test_uscc_with_wrong_check_character_says_so(english, serial):
    code = uscc_with("91", serial=serial)
    with pytest.raises(InvalidIdentifier) as raised:
        normalize_uscc(wrong_last(code))
    assert "check character" in message(raised.value)


def test_uscc_wrong_check_message_in_chinese(app):
    with app.test_request_context("/"):
        with pytest.raises(InvalidIdentifier) as raised:
            normalize_uscc(wrong_last(valid_uscc()))
        assert "校验" in message(raised.value)


@pytest.mark.parametrize("length", [0, 1, 15, 17, 19, 20])
def test_uscc_of_wrong_length_names_the_length(english, length):
    text = (valid_uscc(5) * 2)[:length]
    with pytest.raises(InvalidIdentifier) as raised:
        normalize_uscc(text)
    assert "18 characters" in message(raised.value)
    assert f"has {length}" in message(raised.value)


@pytest.mark.parametrize("letter", list("IOSVZ"))
@pytest.mark.parametrize("position", [0, 9, 17])
def test_uscc_with_an_illegal_letter_is_refused(english, letter, position):
    code = valid_uscc(77)
    bad = code[:position] + letter + code[position + 1:]
    with pytest.raises(InvalidIdentifier) as raised:
        normalize_uscc(bad)
    assert "except I, O, S, V and Z" in message(raised.value)


def test_uscc_with_punctuation_inside_is_refused():
    code = valid_uscc(78)
    with pytest.raises(InvalidIdentifier):
        normalize_uscc(code[:5] + "/" + code[6:])


# --- resident ID --------------------------------------------------------------------------


@pytest.mark.parametrize("serial", [1, 17, 500, 999])
def test_valid_resident_id(serial):
    number = valid_resident_id(serial)
    assert normalize_resident_id(number) == number
    assert normalize(SubjectKind.PERSON, f" {number[:6]} {number[6:14]} {number[14:]} ") == number


def test_resident_id_ending_in_x_in_either_case():
    assert ric_check(WITH_X[:17]) == "X"
    assert normalize_resident_id(WITH_X) == WITH_X
    assert normalize_resident_id(WITH_X.lower()) == WITH_X


def test_resident_id_with_wrong_check_digit_says_so(english):
    number = valid_resident_id(3)
    wrong = number[:-1] + next(c for c in "0123456789X" if c != number[-1])
    with pytest.raises(InvalidIdentifier) as raised:
        normalize_resident_id(wrong)
    assert "check digit" in message(raised.value)


@pytest.mark.parametrize("birth", ["19990230", "19851301", "19850000", "20230229"])
def test_resident_id_with_impossible_birth_date(english, birth):
    body = f"430102{birth}123"
    number = body + ric_check(body)  # the check digit is right; the date is not
    with pytest.raises(InvalidIdentifier) as raised:
        normalize_resident_id(number)
    assert "birth date" in message(raised.value)


@pytest.mark.parametrize("text", ["43010219850612123", "4301021985061212345", "43010219850612123Y",
                                  "4301021985061212X4"])
def test_resident_id_of_wrong_shape(english, text):
    with pytest.raises(InvalidIdentifier) as raised:
        normalize_resident_id(text)
    assert "resident ID number" in message(raised.value)


# --- the address code (GB/T 2260) ---------------------------------------------


def _with_region(region: str, birth: str = "19850612", serial: str = "123") -> str:
    body = f"{region}{birth}{serial}"
    return body + ric_check(body)


@pytest.mark.parametrize("number", ["990101198506121238", "000000198506121237"])
def test_the_issues_numbers_of_no_region_are_refused(english, number):
    # Both carry a right check digit (computed here by the standard's tables) and a real birth
    # date: only their address code (99, 00) is no province's.
    assert ric_check(number[:17]) == number[17]
    with pytest.raises(InvalidIdentifier) as raised:
        normalize_resident_id(number)
    text = message(raised.value)
    assert "resident ID" in text and number[:2] in text
    assert "social credit" not in text and "check character" not in text
    with pytest.raises(InvalidIdentifier) as raised:
        parse_identifier(number)
    assert "social credit" not in message(raised.value)


def test_every_province_of_gb_t_2260_is_accepted_and_nothing_else():
    provinces = {code[:2] for code in GB_T_2260_PROVINCES}
    assert len(provinces) == 34  # 31 mainland provinces, Taiwan, Hong Kong, Macao
    for first_two in (f"{n:02d}" for n in range(100)):
        number = _with_region(f"{first_two}0102")
        if first_two in provinces:
            assert normalize_resident_id(number) == number
        elif first_two != "83":
            with pytest.raises(InvalidIdentifier):
                normalize_resident_id(number)


def test_residence_permits_of_taiwan_residents_are_accepted():
    # 830000: the address code of a Taiwan resident's residence permit (not a GB/T 2260 province).
    number = _with_region("830000")
    assert ric_valid(number)
    assert normalize_resident_id(number) == number
    with pytest.raises(InvalidIdentifier):
        normalize_resident_id(_with_region("830102"))


@pytest.mark.parametrize("text", ["43010219850612123Y", "99010219850612123Y"])
def test_a_mistyped_resident_id_is_explained_as_one(english, text):
    # 17 digits carrying a real birth date and a last character no resident ID number has: the
    # refusal speaks of resident ID numbers, never of a USCC check character.
    with pytest.raises(InvalidIdentifier) as raised:
        parse_identifier(text)
    text = message(raised.value)
    assert "resident ID number" in text and "social credit" not in text


# --- plates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, plate",
    [("湘A12345", "湘A12345"), ("湘AD12345", "湘AD12345"), ("湘A12345D", "湘A12345D"),
     ("湘a 123 45", "湘A12345"), (" 湘b·8k765 ", "湘B8K765"),
     ("湘ad-12345", "湘AD12345"), ("粤B1234挂", "粤B1234挂")],
)
def test_plates_are_normalised(text, plate):
    assert normalize_plate(text) == plate


@pytest.mark.parametrize(
    "text", ["湘A1234", "湘A1234567", "XA12345", "A12345", "湘I12345", "湘A1234O", "湘12345A", ""]
)
def test_invalid_plates_are_refused_with_an_example(english, text):
    with pytest.raises(InvalidIdentifier) as raised:
        normalize_plate(text)
    assert "湘A12345" in message(raised.value)


# --- reading an identifier of unknown kind -----------------------------------------------


@pytest.mark.parametrize(
    "text, kind",
    [(valid_uscc(11), SubjectKind.ORGANISATION),
     (uscc_with("N1", serial=5).lower(), SubjectKind.ORGANISATION),
     (valid_resident_id(12), SubjectKind.PERSON), (WITH_X.lower(), SubjectKind.PERSON),
     ("湘 a 12345", SubjectKind.VEHICLE)],
)
def test_parse_identifier_recognises_the_kind(text, kind):
    (reading,) = parse_identifier(text)
    assert reading.kind is kind
    assert reading.value == normalize(kind, text)


def test_parse_identifier_returns_both_readings_of_an_ambiguous_number_person_first():
    assert normalize_uscc(AMBIGUOUS) == AMBIGUOUS and normalize_resident_id(AMBIGUOUS) == AMBIGUOUS
    assert parse_identifier(f" {AMBIGUOUS} ") == [
        ParsedIdentifier(SubjectKind.PERSON, AMBIGUOUS),
        ParsedIdentifier(SubjectKind.ORGANISATION, AMBIGUOUS),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "Enter an identifier"),
        ("   ", "Enter an identifier"),
        (wrong_last(valid_resident_id(21), "0123456789"), "check digit of this resident ID"),
        ("43010219990230123" + ric_check("43010219990230123"), "birth date"),
        (wrong_last(uscc_with("91", serial=22)), "check character"),
        (wrong_last(uscc_with("N1", serial=23)), "check character"),
        ("湘A1234", "plate number"),
        ("hello", "not a valid identifier"),
        ("12345", "not a valid identifier"),
    ],
)
def test_parse_identifier_explains_in_terms_of_the_closest_kind(english, text, expected):
    with pytest.raises(InvalidIdentifier) as raised:
        parse_identifier(text)
    assert expected in message(raised.value)


@pytest.mark.parametrize(
    "text, expected",
    [(valid_uscc(31), True), (valid_resident_id(32).lower(), True), ("湘A12345", True), ("湘 AD 12345", True),
     ("长沙市通达公路工程有限公司", False), ("湘潭", False), ("王建军", False), ("", False)],
)
def test_looks_like_identifier(text, expected):
    assert looks_like_identifier(text) is expected


# --- masking and regions ------------------------------------------------------------------


def test_mask_resident_id_keeps_first_six_and_last_four():
    assert mask_resident_id("430102198506121234") == "430102********1234"
    assert mask_resident_id(WITH_X) == "430102********003X"


def test_public_identifier_masks_persons_only():
    person, firm = valid_resident_id(41), valid_uscc(41)
    assert public_identifier(SubjectKind.PERSON, person) == mask_resident_id(person)
    assert person[6:14] not in public_identifier("person", person)
    assert public_identifier(SubjectKind.ORGANISATION, firm) == firm
    assert public_identifier(SubjectKind.VEHICLE, "湘A12345") == "湘A12345"


@pytest.mark.parametrize(
    "kind, value, region",
    [
        (SubjectKind.PERSON, valid_resident_id(1, region="431202"), "431202"),
        (SubjectKind.ORGANISATION, uscc_with("91", region="430600"), "430600"),
        (SubjectKind.ORGANISATION, uscc_with("N1", region="433100"), "433100"),
        (SubjectKind.VEHICLE, "湘A12345", None),
    ],
)
def test_region_code(kind, value, region):
    assert region_code(kind, value) == region


# --- the standards' own vectors -----------------------------------------------------------


def test_the_second_implementation_agrees_with_the_standards_tables():
    # GB 11643: Wi = 2^(18-i) mod 11 for i = 1 … 17 (table 1 lists the same numbers).
    assert list(RIC_WEIGHTS) == [2 ** (17 - i) % 11 for i in range(17)]
    # GB 32100: Wi = 3^(i-1) mod 31 (table 3 lists the same numbers).
    assert uscc_weights() == list(USCC_WEIGHTS_PUBLISHED)


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_the_examples_printed_in_gb_11643_are_accepted(number):
    # The two worked examples of GB 11643-1999 (Beijing Chaoyang 1949-12-31, Guangdong Jieyang 1880-01-01);
    # ric_valid recomputes them by the standard's tables, so a mistyped vector fails here first.
    assert ric_valid(number)
    assert normalize_resident_id(number) == number
    assert normalize_resident_id(number.lower()) == number
    for wrong in "0123456789X":
        if wrong != number[-1]:
            with pytest.raises(InvalidIdentifier):
                normalize_resident_id(number[:-1] + wrong)


def test_resident_id_check_digit_agrees_with_the_standard_on_random_numbers():
    """3,000 numbers of random districts of the provinces and random dates: the right digit accepted,
    the ten wrong ones refused."""
    rng = random.Random(11643)
    provinces = sorted(code[:2] for code in GB_T_2260_PROVINCES)
    for _ in range(3000):
        born = date(1930, 1, 1).toordinal() + rng.randrange(90 * 365)
        district = f"{rng.choice(provinces)}{rng.randrange(10000):04d}"
        body = f"{district}{date.fromordinal(born):%Y%m%d}{rng.randrange(1000):03d}"
        right = ric_check(body)
        assert normalize_resident_id(body + right) == body + right
        wrong = rng.choice([c for c in "0123456789X" if c != right])
        with pytest.raises(InvalidIdentifier):
            normalize_resident_id(body + wrong)


def test_resident_id_born_in_the_future_is_refused(english, frozen):
    body = "43010220261128123"
    number = body + ric_check(body)
    with frozen(date(2026, 11, 28)):
        assert normalize_resident_id(number) == number  # born today
    with frozen(date(2026, 11, 27)), pytest.raises(InvalidIdentifier) as raised:
        normalize_resident_id(number)
    assert "in the future" in message(raised.value)


# Codes printed on the business licences of well-known companies (华为技术有限公司, 小米科技有限责任公司,
# 深圳市腾讯计算机系统有限公司, …); uscc_valid recomputes each by the standard's weights, so
# a vector copied wrongly fails in the test, not silently.
PUBLISHED_USCCS = ["91110000600037341L", "914403001922038216", "91110108551385082Q", "91440300708461136T",
                   "9144030071526726XG", "91330100799655058B", "11100000000013127D", "91110000802100433B"]


@pytest.mark.parametrize("code", PUBLISHED_USCCS)
def test_published_usccs_are_accepted_and_each_altered_check_refused(code):
    assert uscc_valid(code)
    assert normalize_uscc(code) == code
    assert normalize_uscc(code.lower()) == code
    for wrong in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if wrong != code[-1]:
            with pytest.raises(InvalidIdentifier):
                normalize_uscc(code[:-1] + wrong)


def test_uscc_check_character_agrees_with_the_standard_on_random_codes():
    rng = random.Random(32100)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(2000):
        body = "".join(rng.choice(alphabet) for _ in range(17))
        assert normalize_uscc(body + uscc_check(body)) == body + uscc_check(body)
        with pytest.raises(InvalidIdentifier):
            normalize_uscc(wrong_last(body + uscc_check(body)))


def test_uscc_whose_check_is_31_is_written_0():
    body = next(b for b in (f"91430100MA{n:07d}" for n in range(10000)) if uscc_check(b) == "0")
    assert normalize_uscc(body + "0") == body + "0"


# --- plates (GA 36-2018) -------------------------------------------------------------------

# Each vector with the rule that makes it valid or invalid; plate_valid (tests/standards.py)
# states the rules a second time, character by character.
PLATES = [
    ("湘A12345", True, "ordinary: province, office letter, five digits"),
    ("湘A8K765", True, "ordinary: one letter among the five"),
    ("湘AB8K76", True, "ordinary: two letters among the five"),
    ("京NAB2C3", False, "ordinary: three letters among the five"),
    ("湘AAAAAA", False, "ordinary: five letters"),
    ("湘A123456", False, "six digits: neither ordinary nor new energy"),
    ("湘A1234I", False, "I is never used"),
    ("湘O12345", False, "O is not an office letter"),
    ("湘AD12345", True, "new energy, small: D first"),
    ("粤BF12345", True, "new energy, small: F first"),
    ("沪ADA1234", True, "new energy, small: the second may be a letter"),
    ("湘AD1A234", False, "new energy, small: the last four are digits"),
    ("湘A12345D", True, "new energy, large: D last"),
    ("湘A12345F", True, "new energy, large: F last"),
    ("湘A1234AD", False, "new energy, large: the first five are digits"),
    ("湘AA12345", False, "six characters, neither D nor F first or last"),
    ("粤B1234挂", True, "trailer: four characters and 挂"),
    ("湘A0K23挂", True, "trailer: a letter among the four"),
    ("湘A12345挂", False, "trailer: five characters before 挂"),
    ("湘A1234学", True, "driving-school car"),
    ("湘A0123警", True, "police"),
    ("粤Z1234港", True, "Hong Kong vehicle: 粤Z"),
    ("粤Z1A23澳", True, "Macao vehicle: 粤Z"),
    ("湘A1234港", False, "港 only after 粤Z"),
    ("沪A1234领", True, "consular vehicle: four characters and 领"),
    ("湘A1234试", True, "test vehicle: four characters and 试"),
    ("湘A0K23试", True, "test vehicle: a letter among the four"),
    ("湘A12345试", False, "test vehicle: five characters before 试"),
    ("湘A12345领", False, "consular vehicle: five characters before 领"),
    ("使123456", False, "embassy plates are not accepted"),
    ("XA12345", False, "no province"),
]


@pytest.mark.parametrize("plate, valid, rule", PLATES, ids=[rule for _p, _v, rule in PLATES])
def test_plate_numbers_as_ga_36_defines_them(english, plate, valid, rule):
    assert plate_valid(plate) is valid, "the vector contradicts the rule it states"
    if valid:
        assert normalize_plate(plate) == plate
        assert normalize_plate(f" {plate[:2].lower()}·{plate[2:].lower()} ") == plate
    else:
        with pytest.raises(InvalidIdentifier) as raised:
            normalize_plate(plate)
        text = message(raised.value)
        assert "湘A12345" in text and "湘AD12345" in text and "湘A1234挂" in text  # what a plate looks like


def test_suffixed_plates_are_looked_up_as_identifiers():
    assert looks_like_identifier("粤B1234挂") and looks_like_identifier("粤Z1234港")
    assert not looks_like_identifier("湘江航运")


# --- identifiers typed in other scripts -------------------------------------


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _arabic_indic(text: str) -> str:
    return "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in text)


def _devanagari(text: str) -> str:
    return "".join(chr(0x0966 + int(c)) if c.isdigit() else c for c in text)


@pytest.mark.parametrize("dress", [_full_width, _arabic_indic, _devanagari, lambda t: _full_width(t[:9]) + t[9:],
                                   lambda t: "\u3000" + _full_width(t) + "\u3000"],
                         ids=["full-width", "arabic-indic", "devanagari", "half-full-width", "ideographic-spaces"])
def test_identifiers_typed_in_other_digits_become_ascii(dress):
    person, firm = "11010519491231002X", "91110000600037341L"
    assert dress(person) != person
    assert normalize_resident_id(dress(person)) == person
    assert normalize_uscc(dress(firm)) == firm
    assert parse_identifier(dress(person))[0].value == person
    assert parse_identifier(dress(firm)) == [ParsedIdentifier(SubjectKind.ORGANISATION, firm)]
    assert normalize_plate(dress("湘A12345")) == "湘A12345"


@pytest.mark.parametrize("text", [
    "11010519491231002Х",   # Cyrillic Ha, not X
    "91110000600037341Λ",  # Greek Lambda, not L
    "91110000600037341\u200bL",  # a zero-width space inside
    "湘Α12345",  # Greek Alpha
])
def test_identifiers_with_characters_that_are_not_ascii_after_folding_are_refused(text):
    with pytest.raises(InvalidIdentifier):
        parse_identifier(text)
