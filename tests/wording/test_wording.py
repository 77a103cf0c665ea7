"""The rules people read numbers by (issue 12, point 4), each worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

import wording


@pytest.mark.parametrize(
    ("pence", "places", "expected"),
    [
        (0, 0, "£0"),
        (123_456, 0, "£1,235"),  # £1,234.56 rounds up
        (123_449, 0, "£1,234"),  # £1,234.49 rounds down
        (50, 0, "£1"),  # 50p is half a pound: half up
        (49, 0, "£0"),
        (-50, 0, "(£1)"),  # half away from zero, and in brackets
        (-49, 0, "£0"),  # rounds to nothing: no brackets round £0
        (-123_456_789, 0, "(£1,234,568)"),
        (123_456, 2, "£1,234.56"),
        (-5, 2, "(£0.05)"),
        (None, 0, ""),
    ],
)
def test_money_is_whole_pounds_with_negatives_in_brackets(pence, places, expected) -> None:  # type: ignore[no-untyped-def]
    assert wording.money(pence, places) == expected


@pytest.mark.parametrize(
    ("pence", "expected"),
    [
        (13_045_000_000, "£130.5m"),  # £130,450,000 is exactly half way: up
        (13_044_999_999, "£130.4m"),
        (100_000_000, "£1.0m"),
        (99_950_000, "£1.0m"),  # £999,500 is 999.5 thousand, which rounds to a thousand thousand
        (99_949_999, "£999k"),
        (95_000_000, "£950k"),
        (100_000, "£1k"),
        (99_950, "£1k"),  # £999.50 rounds to £1,000
        (99_949, "£999"),
        (45_600, "£456"),
        (0, "£0"),
        (-120_000_000, "(£1.2m)"),
        (-27_140_300, "(£271k)"),
    ],
)
def test_short_money_is_millions_to_one_place_then_thousands(pence, expected) -> None:  # type: ignore[no-untyped-def]
    assert wording.money_short(pence) == expected


def test_a_variance_is_an_overspend_or_an_underspend_of_a_positive_amount() -> None:
    assert wording.variance_phrase(120_000_000) == "an overspend of £1.2m"
    assert wording.variance_phrase(-5_044_631_500) == "an underspend of £50.4m"
    assert wording.variance_phrase(-5_044_631_500, short=False) == "an underspend of £50,446,315"
    assert wording.variance_phrase(0) == "on budget"
    assert wording.variance_phrase(-49) == "on budget"  # under a pound rounds to nothing
    assert wording.variance_phrase(50) == "an overspend of £1"
    assert wording.change_phrase(-20_000_000) == "£200k less"
    assert wording.change_phrase(20_000_000, up="up", down="down") == "£200k up"
    assert wording.change_phrase(0) == "no change"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.71, "2.7%"),
        (2.75, "2.8%"),  # half up, worked in decimal so 2.75 is not 2.7499…
        (2.7, "2.7%"),
        (3, "3.0%"),
        (-39.72, "-39.7%"),
        (-0.04, "0.0%"),  # no "-0.0%"
        (Decimal("0.05"), "0.1%"),
        (None, ""),
    ],
)
def test_percentages_have_one_decimal_place(value, expected) -> None:  # type: ignore[no-untyped-def]
    assert wording.percent(value) == expected


def test_counts_are_whole_and_part_counts_drop_a_point_nought() -> None:
    assert wording.count(998.0) == "998"
    assert wording.count(1234.5) == "1,235"
    assert wording.count(0.49) == "0"
    assert wording.count(-2.5) == "-3"
    assert wording.decimal_count(12.0) == "12"
    assert wording.decimal_count(12.46) == "12.5"
    assert wording.decimal_count(12.45) == "12.5"
    assert wording.decimal_count(1234.25) == "1,234.3"
    assert wording.decimal_count(0.04) == "0"
    assert wording.decimal_count(float("nan")) == wording.count(float("nan")) == wording.percent(float("nan")) == ""


def test_dates_and_times_read_as_councils_write_them() -> None:
    assert wording.date_text(date(2019, 7, 31)) == "31 July 2019"
    assert wording.date_text(date(2026, 5, 3)) == "3 May 2026"
    assert wording.time_text(time(14, 15)) == "2:15pm"
    assert wording.time_text(time(9, 5)) == "9:05am"
    assert wording.time_text(time(12, 0)) == "12:00pm"
    assert wording.time_text(time(0, 30)) == "12:30am"
    assert wording.datetime_text(datetime(2026, 5, 3, 14, 15)) == "2:15pm on 3 May 2026"
