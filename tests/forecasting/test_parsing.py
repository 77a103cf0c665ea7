"""One parser per kind of value (forecasting/parsing.py, and the engine's pounds_to_pence under
it): hand-worked values, every refusal with its words, and the bounds at exactly the limit and
one unit beyond. The register's whole-column money parser gives the same value or the same
message for every case."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from forecasting.engine.money import MAX_AMOUNT_PENCE, MoneyError, pounds_to_pence
from forecasting.models import BudgetLine, ScenarioAssumption
from forecasting.parsing import (
    decimal_bounds,
    field_length,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_money,
    parse_text,
    text_parser,
)
from placements import vparse
from workforce.models import Post

MONEY_GOOD = [
    ("£1,234.56", 123_456),
    ("1234.56", 123_456),
    ("-45", -4_500),
    ("-£45", -4_500),
    ("£-45", -4_500),
    ("0.5", 50),
    (".05", 5),
    ("12.", 1_200),
    ("1 234", 123_400),  # a space between thousands
    ("1\u00a0234.50", 123_450),  # a non-breaking space, as some exports write
    ("  £7  ", 700),
    ("0", 0),
    ("007", 700),
    # Exactly £1bn either way is the most a row holds.
    ("1000000000", 100_000_000_000),
    ("£1,000,000,000.00", 100_000_000_000),
    ("-1,000,000,000", -100_000_000_000),
]

MONEY_BAD = [
    ("1e3", "'1e3' is written as a power of ten; write the amount in full, e.g. 1000 or 1,000.00"),
    ("1E3", "'1E3' is written as a power of ten; write the amount in full, e.g. 1000 or 1,000.00"),
    ("1.23E+07", "'1.23E+07' is written as a power of ten; write the amount in full, e.g. 1000 or 1,000.00"),
    ("1e30", "'1e30' is written as a power of ten; write the amount in full, e.g. 1000 or 1,000.00"),
    ("+45", "'+45' has a plus sign; write amounts without one (e.g. 45), and a negative amount with a minus (-45)"),
    ("(12.00)", "'(12.00)' is in brackets; write a negative amount with a minus sign (e.g. -12.00)"),
    ("12.345", "'12.345' has more than 2 decimal places"),
    ("1,23", "'1,23' has its commas in the wrong places; write thousands as 1,234,567 or 1234567"),
    ("12,34,567", "'12,34,567' has its commas in the wrong places; write thousands as 1,234,567 or 1234567"),
    # One penny over £1bn, either way.
    ("1000000000.01", "'1000000000.01' is more than £1,000,000,000 (£1bn) either way, the most one row may hold"),
    ("-1000000000.01", "'-1000000000.01' is more than £1,000,000,000 (£1bn) either way, the most one row may hold"),
    (
        "99999999999999999",
        "'99999999999999999' is more than £1,000,000,000 (£1bn) either way, the most one row may hold",
    ),
    ("9" * 400, f"'{'9' * 400}' is more than £1,000,000,000 (£1bn) either way, the most one row may hold"),
    ("NaN", "'NaN' is not an amount of money in pounds"),
    ("Infinity", "'Infinity' is not an amount of money in pounds"),
    ("12k", "'12k' is not an amount of money in pounds"),
    ("--5", "'--5' is not an amount of money in pounds"),
    ("-£-5", "'-£-5' is not an amount of money in pounds"),
    ("£", "'£' is not an amount of money in pounds"),
    (".", "'.' is not an amount of money in pounds"),
    ("\\N", "'\\N' is not an amount of money in pounds"),
    ("", "is empty; expected an amount in pounds"),
]


@pytest.mark.parametrize(("text", "pence"), MONEY_GOOD)
def test_money_in_pounds_becomes_pence(text: str, pence: int) -> None:
    assert parse_money(text) == pence
    assert pounds_to_pence(text) == pence


@pytest.mark.parametrize(("text", "message"), MONEY_BAD)
def test_money_that_is_not_money_is_refused_in_words(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_money(text)
    assert str(caught.value) == message
    with pytest.raises(MoneyError):
        pounds_to_pence(text)


def test_the_bound_is_one_billion_pounds() -> None:
    assert MAX_AMOUNT_PENCE == 1_000_000_000 * 100


def test_the_engine_refuses_numbers_that_are_not_text_the_same_way() -> None:
    assert pounds_to_pence(Decimal("12.50")) == 1_250
    assert pounds_to_pence(45) == 4_500
    for value in (1e30, float("nan"), float("inf"), Decimal("1E+3")):
        with pytest.raises(MoneyError):
            pounds_to_pence(value)


def test_the_whole_column_money_parser_agrees_with_the_one_cell_parser() -> None:
    texts = [t for t, _ in MONEY_GOOD] + [t for t, _ in MONEY_BAD if t]
    values, messages = vparse.parse_money(pd.Series(texts, dtype=object))
    expected_values = [p for _, p in MONEY_GOOD] + [None] * (len(texts) - len(MONEY_GOOD))
    expected_messages = [None] * len(MONEY_GOOD) + [m for t, m in MONEY_BAD if t]
    assert [None if pd.isna(v) else int(v) for v in values] == expected_values
    assert [None if pd.isna(m) else m for m in messages] == expected_messages


@pytest.mark.parametrize(
    ("text", "low", "high", "expected"),
    [("12", 1, 12, 12), ("1", 1, 12, 1), ("1,200", 0, 10_000, 1_200), ("12.0", 1, 12, 12), ("-3", -5, 5, -3)],
)
def test_whole_numbers(text: str, low: int, high: int, expected: int) -> None:
    assert parse_int(text, low=low, high=high) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("13", "'13' is outside 1–12"),
        ("0", "'0' is outside 1–12"),
        ("1e1", "'1e1' is written as a power of ten; write a period in full, e.g. 1000"),
        ("+4", "'+4' has a plus sign; write a period without one, and a negative with a minus (-4)"),
        ("(4)", "'(4)' is in brackets; write a negative with a minus sign (-4)"),
        ("4.5", "'4.5' is not a period"),
        ("four", "'four' is not a period"),
        ("9" * 30, f"'{'9' * 30}' is far too large for a period"),
    ],
)
def test_whole_numbers_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_int(text, low=1, high=12, what="a period")
    assert str(caught.value) == message


def test_decimals_with_places_and_bounds() -> None:
    assert parse_decimal("0.88", low=Decimal("0.01"), high=Decimal("1.5"), places=3) == Decimal("0.88")
    assert parse_decimal("1,234.5", low=None, high=None) == Decimal("1234.5")
    assert parse_decimal("-10000", low=Decimal(-10_000), high=Decimal(10_000)) == Decimal(-10_000)
    with pytest.raises(ValueError, match=r"^'0.8855' has more than 3 decimal places$"):
        parse_decimal("0.8855", low=None, high=None, places=3)
    with pytest.raises(ValueError, match=r"^'10000.01' is outside -10,000–10,000$"):
        parse_decimal("10000.01", low=Decimal(-10_000), high=Decimal(10_000))
    with pytest.raises(ValueError, match=r"power of ten"):
        parse_decimal("1.5E+2", low=None, high=None)
    with pytest.raises(ValueError, match=r"^'NaN' is not a number$"):
        parse_decimal("NaN", low=None, high=None)


def test_a_decimal_columns_bound_is_read_from_the_model() -> None:
    # net_change is max_digits=9, decimal_places=2: up to 9,999,999.99.
    assert decimal_bounds(ScenarioAssumption, "net_change") == (Decimal("9999999.99"), 2)
    # billable_factor is max_digits=5, decimal_places=3: up to 99.999.
    assert decimal_bounds(ScenarioAssumption, "billable_factor") == (Decimal("99.999"), 3)
    # A post's FTE is max_digits=4, decimal_places=2.
    assert decimal_bounds(Post, "fte") == (Decimal("99.99"), 2)


def test_text_is_bounded_by_the_models_field_length() -> None:
    assert field_length(BudgetLine, "code") == 40
    parse = text_parser(BudgetLine, "code")
    assert parse("  CIC-FOS-IFA ") == "CIC-FOS-IFA"
    assert parse("X" * 40) == "X" * 40
    with pytest.raises(ValueError) as caught:
        parse("X" * 41)
    assert str(caught.value) == f"'{'X' * 40}...' is 41 characters long; at most 40 fit, so shorten it"


def test_text_with_a_control_character_is_refused_but_tabs_and_line_breaks_are_kept() -> None:
    assert parse_text("Tab\there\nand there") == "Tab\there\nand there"
    assert parse_text("\\N") == "\\N"
    with pytest.raises(ValueError, match=r"^contains a control character \(U\+0000\) that cannot be stored"):
        parse_text("nul\x00here")


def test_dates_booleans_and_choices() -> None:
    assert parse_date("31/07/2019") == parse_date("2019-07-31")
    with pytest.raises(ValueError, match="is not a real date"):
        parse_date("31/02/2019")
    with pytest.raises(ValueError, match="is not a date"):
        parse_date("\\N")
    assert parse_bool(" Yes ") is True and parse_bool("0") is False
    with pytest.raises(ValueError, match="is not yes or no"):
        parse_bool("maybe")
    assert parse_choice(" Spot ", ("spot", "framework")) == "spot"
    with pytest.raises(ValueError) as caught:
        parse_choice("x" * 100, ("spot", "framework"))
    assert str(caught.value) == f"'{'x' * 57}...' is not one of: spot, framework"
