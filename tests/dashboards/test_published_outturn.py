"""Published forecasts against the outturn, on plain values (no database). Money in pence;
every expected figure is worked out by hand in the comments."""

from __future__ import annotations

from decimal import Decimal

from dashboards.published_outturn import (
    NO_RANGE,
    LineForecast,
    PublishedForecast,
    compare,
    pct_of,
    period_words,
    published_against_outturn,
    range_check,
)


def test_a_forecast_of_10_5m_against_an_outturn_of_10m_is_over_by_500_000_or_5_percent() -> None:
    found = compare("P7", 1_050_000_000, 1_000_000_000)
    # 10,500,000 − 10,000,000 = £500,000; 500,000 / 10,000,000 = 5.0%.
    assert found.difference == 50_000_000
    assert found.difference_pct == Decimal("5.0")
    assert found.difference_words == "over by £500,000"
    assert found.pct_words == "5.0% over"


def test_a_forecast_below_the_outturn_is_under_by_and_never_minus_pounds() -> None:
    found = compare("P3", 980_000_000, 1_000_000_000)
    # 9,800,000 − 10,000,000 = −£200,000; −200,000 / 10,000,000 = −2.0%.
    assert (found.difference, found.difference_pct) == (-20_000_000, Decimal("-2.0"))
    assert found.difference_words == "under by £200,000"
    assert found.pct_words == "2.0% under"
    assert "-£" not in found.difference_words


def test_the_percentage_rounds_half_up_to_one_place_and_is_none_for_an_outturn_of_nothing() -> None:
    # £1,000 of £80,000 = 1.25% → 1.3% (half up); £1 of £3 = 33.33…% → 33.3%.
    assert pct_of(100_000, 8_000_000) == Decimal("1.3")
    assert pct_of(100, 300) == Decimal("33.3")
    # The outturn of income is negative: the percentage is of its size, −£1,000 of −£20,000 = −5.0%.
    assert pct_of(-100_000, -2_000_000) == Decimal("-5.0")
    assert pct_of(5, 0) is None
    assert compare("P1", 0, 0).difference_words == "exactly right"
    assert compare("P1", 5, 0).pct_words == ""


def test_periods_in_the_councils_words() -> None:
    # Period 1 of 2024/25 is April 2024, so period 7 is October 2024 and period 12 March 2025.
    assert period_words("2024/25", 7) == "Period 7, October 2024"
    assert period_words("2024/25", 12) == "Period 12, March 2025"
    assert period_words("2024/25", 0) == "Period 0, before April 2024"
    assert period_words("2019/20", 5, version=2) == "Period 5, August 2019 (version 2)"


def test_the_range_check_includes_its_ends_and_says_when_nothing_was_published() -> None:
    assert range_check(1_000_000_000, 980_000_000, 1_060_000_000) == (
        True,
        "Yes: likely between £9,800,000 and £10,600,000",
    )
    assert range_check(1_060_000_000, 980_000_000, 1_060_000_000)[0] is True
    assert range_check(1_060_000_001, 980_000_000, 1_060_000_000) == (
        False,
        "No: likely between £9,800,000 and £10,600,000",
    )
    assert range_check(1_000_000_000, None, None) == (None, NO_RANGE)


def test_each_published_period_of_a_known_year_is_compared_over_its_own_lines() -> None:
    published = [
        # 2023/24 period 7: lines A and B; A is a placements line forecast at £6,200,000.
        PublishedForecast(
            year="2023/24",
            period=7,
            version=2,
            outturn=1_050_000_000,
            line_codes=("A", "B"),
            likely_low=1_000_000_000,
            likely_high=1_100_000_000,
            placement_lines=(LineForecast("A", "External residential", 620_000_000),),
        ),
        # 2023/24 period 3: line A only, no range in the snapshot.
        PublishedForecast(year="2023/24", period=3, version=1, outturn=590_000_000, line_codes=("A",)),
        # 2024/25 period 5: its year is not complete, so it has no entry in the actuals.
        PublishedForecast(year="2024/25", period=5, version=1, outturn=1_200_000_000, line_codes=("A", "B")),
    ]
    # The 2023/24 actuals: A £6,000,000, B £4,000,000 and C £1,000,000 (C was not forecast).
    actuals = {"2023/24": {"A": 600_000_000, "B": 400_000_000, "C": 100_000_000}}
    found = published_against_outturn(published, actuals)

    assert [c.label for c in found.compared] == ["Period 7, October 2023 (version 2)", "Period 3, June 2023"]
    p7, p3 = found.compared
    # Period 7: A + B = £10,000,000; forecast £10,500,000 → over by £500,000, 5.0%, inside
    # £10,000,000 to £11,000,000.
    assert (p7.outturn, p7.difference, p7.difference_pct) == (1_000_000_000, 50_000_000, Decimal("5.0"))
    assert p7.within_range is True and p7.range_words == "Yes: likely between £10,000,000 and £11,000,000"
    # Its placements line: £6,200,000 against £6,000,000 → over by £200,000, 3.3% (3.33…).
    (line,) = p7.lines
    assert (line.label, line.difference_words, line.pct_words) == (
        "External residential",
        "over by £200,000",
        "3.3% over",
    )
    # Period 3: A only = £6,000,000; forecast £5,900,000 → under by £100,000, 1.7% (1.66…).
    assert (p3.outturn, p3.difference_words, p3.pct_words) == (600_000_000, "under by £100,000", "1.7% under")
    assert (p3.within_range, p3.range_words) == (None, "no range published")

    assert found.awaiting == ["Period 5, August 2024"]


def test_nothing_published_compares_nothing() -> None:
    found = published_against_outturn([], {"2023/24": {"A": 1}})
    assert (found.compared, found.awaiting) == ([], [])
