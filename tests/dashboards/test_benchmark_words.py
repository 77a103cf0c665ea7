"""The benchmarks page's sentences, in the style of the councils' own committee reports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from benchmarks.measures import BY_CODE
from dashboards import benchmark_words as words


def test_a_rate_is_compared_with_neighbours_and_england_in_percent_lower_or_higher() -> None:
    # (56 - 72.2) / 72.2 = -22.44%; (56 - 70) / 70 = -20.0%
    assert words.comparison_sentence(
        subject="Kent's rate of children looked after",
        year="2024",
        own=Decimal(56),
        neighbours=Decimal("72.2"),
        england=Decimal(70),
    ) == (
        "In 2024 Kent's rate of children looked after was 22.4% lower than statistical neighbours and 20.0% "
        "lower than England."
    )


def test_a_financial_year_label_reads_without_dfe_s_outturn_mark_and_equal_figures_read_the_same() -> None:
    # (650 - 500) / 500 = +30.0%; 650 against 650 is the same.
    assert words.comparison_sentence(
        subject="Kent's weekly unit cost of fostering",
        year="2023-24 (OT)",
        own=Decimal(650),
        neighbours=Decimal(500),
        england=Decimal(650),
    ) == (
        "In 2023-24 Kent's weekly unit cost of fostering was 30.0% higher than statistical neighbours and the "
        "same as England."
    )


def test_the_agency_rate_sentence_follows_the_seeds() -> None:
    assert words.rate_sentence(
        council="Nottinghamshire",
        what="an agency rate",
        source="the DfE Children's Workforce Return (September 2018)",
        own=Decimal(14),
        england=Decimal("15.4"),
        neighbours=Decimal("11.3"),
        region_name="East Midlands",
        region=Decimal("13.6"),
    ) == (
        "According to the DfE Children's Workforce Return (September 2018), Nottinghamshire has an agency rate of "
        "14.0%, compared with a national rate of 15.4% and a statistical neighbour rate of 11.3%. The East "
        "Midlands rate is 13.6%."
    )


def test_a_missing_figure_gives_no_comparison_rather_than_a_wrong_one() -> None:
    assert words.difference(Decimal(5), None, "England") == ""
    assert words.comparison_sentence(subject="x", year="2024", own=None, neighbours=Decimal(1), england=None) == ""
    assert words.rate_sentence(council="Kent", what="a rate", source="s", own=None, england=None, neighbours=None) == ""


def test_counts_are_set_beside_the_neighbours_average_in_words() -> None:
    assert words.count_sentence(
        council="Kent",
        year="2024",
        what="number of children looked after at 31 March",
        own=Decimal(1960),
        neighbours=Decimal("1053.4"),
        unit="number",
    ) == (
        "In 2024 Kent's number of children looked after at 31 March was 1,960; its statistical neighbours "
        "averaged 1,053."
    )


def test_figures_read_in_the_product_s_formats() -> None:
    assert words.shown(Decimal("595.5"), "weekly_pounds") == "£596"
    assert words.shown(Decimal("25348465"), "pounds") == "£25,348,465"
    assert words.shown(Decimal("22.700000"), "percent") == "22.7%"
    assert words.shown(None, "percent") == ""
    assert words.published_text(date(2025, 11, 3)) == "published 3 November 2025"
    assert words.published_text(date(2025, 5, 1), month_only=True) == "published May 2025"


def test_the_council_s_own_figure_is_set_beside_the_latest_published_one() -> None:
    known = BY_CODE["Work_Force_Agecy_Rate"]
    assert words.own_beside(known, Decimal("12.25"), Decimal("16.5"), "2024") == (
        "Now 12.3%, against 16.5% published for 2024."
    )
    assert words.own_beside(known, None, Decimal("16.5"), "2024") == ""


def test_starts_ceased_and_spend_say_what_the_council_s_own_figure_covers() -> None:
    starts = BY_CODE["LACnum_Start"]
    when = words.own_when("LACnum_Start", year_from=date(2019, 4, 1), as_at=date(2019, 8, 31), spend_of="")
    assert words.own_beside(starts, Decimal(3), Decimal(280), "2024", when=when) == (
        "From 1 April 2019 to 31 August 2019: 3, against 280 published for 2024."
    )
    spend = BY_CODE["TotalLACFinance"]
    when = words.own_when("TotalLACFinance", year_from=None, as_at=date(2019, 8, 31), spend_of="2019/20 period 5")
    assert words.own_beside(spend, Decimal("1234567.89"), None, "", when=when).startswith(
        "Forecast outturn for 2019/20 period 5: £1,234,56"
    )
    assert words.own_when("LAC", year_from=date(2019, 4, 1), as_at=date(2019, 8, 31), spend_of="x") == "Now"
