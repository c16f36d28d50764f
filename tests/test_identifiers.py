"""Identifiers of subjects (SPEC §2): normalisation, validation, messages, masking."""

from __future__ import annotations

import pytest
from stdnum.cn import ric, uscc

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

# An 18-digit number that is both a valid resident ID and a valid USCC (found by search).
AMBIGUOUS = "430102198506120073"
WITH_X = "43010219850612020X"


@pytest.fixture
def english(app):
    """Messages rendered in English, as a user who chose English sees them."""
    with app.test_request_context("/?lang=en"):
        yield


def message(error: InvalidIdentifier) -> str:
    return str(error.message)


def uscc_with(prefix: str, region: str = "430100", serial: int = 1) -> str:
    body = f"{prefix}{region}MA{serial:07d}"[:17]
    return body + uscc.calc_check_digit(body)


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
    assert ric.calc_check_digit(WITH_X[:17]) == "X"
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
    number = body + ric.calc_check_digit(body)  # the check digit is right; the date is not
    with pytest.raises(InvalidIdentifier) as raised:
        normalize_resident_id(number)
    assert "birth date" in message(raised.value)


@pytest.mark.parametrize("text", ["43010219850612123", "4301021985061212345", "43010219850612123Y",
                                  "4301021985061212X4"])
def test_resident_id_of_wrong_shape(english, text):
    with pytest.raises(InvalidIdentifier) as raised:
        normalize_resident_id(text)
    assert "resident ID number" in message(raised.value)


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
        ("43010219990230123" + ric.calc_check_digit("43010219990230123"), "birth date"),
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
    assert mask_resident_id(WITH_X) == "430102********020X"


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
