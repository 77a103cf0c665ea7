"""The four sign-off guards as rules on plain figures (issue 12, point 2). Every expected figure is
worked out by hand in the comments."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from dashboards.sign_off_checks import (
    ActualChange,
    Check,
    Checks,
    actuals_check,
    commentary_checks,
    movement_check,
    movement_threshold,
    range_check,
)

# The test county's budget: £2,000,000 + £900,000 + £1,000,000 + £260,000 − £294,000 = £3,866,000.
COUNTY_BUDGET = 386_600_000


def test_the_threshold_is_the_smaller_of_two_percent_of_the_budget_and_one_million() -> None:
    # 2% of £3,866,000 is £77,320, below £1m.
    assert movement_threshold(COUNTY_BUDGET) == 7_732_000
    # 2% of £127m is £2.54m: £1m is the smaller.
    assert movement_threshold(12_700_000_000) == 100_000_000
    # Exactly £50m: 2% is £1m, the same as the floor.
    assert movement_threshold(5_000_000_000) == 100_000_000
    # An income budget counts by its size; 2% of 25p is 0.5p, rounded half up to 1p.
    assert movement_threshold(-386_600_000) == 7_732_000
    assert movement_threshold(25) == 1
    # The settings: 5% of £3,866,000 is £193,300; a £150,000 floor is then the smaller.
    assert movement_threshold(COUNTY_BUDGET, pct=Decimal(5), floor=15_000_000) == 15_000_000


def test_a_movement_of_the_threshold_or_more_either_way_needs_a_look() -> None:
    since = "2019/20 period 3"
    # £3,866,000 + £77,320 = £3,943,320: exactly the threshold.
    up = movement_check(before=386_600_000, now=394_332_000, budget=COUNTY_BUDGET, since=since)
    assert up == Check(
        "movement",
        "The forecast outturn has moved up by £77,320 since 2019/20 period 3 (from £3,866,000 to £3,943,320). "
        "Movements of £77,320 or more need a look: the smaller of 2.0% of the £3,866,000 budget and £1,000,000.",
    )
    # One penny less is below it.
    assert movement_check(before=386_600_000, now=394_331_999, budget=COUNTY_BUDGET, since=since) is None
    down = movement_check(before=386_600_000, now=378_868_000, budget=COUNTY_BUDGET, since=since)
    assert down is not None and "moved down by £77,320" in down.words
    # Nothing was published before: nothing to compare.
    assert movement_check(before=None, now=1, budget=COUNTY_BUDGET, since="") is None


def test_the_reviewed_fifty_million_underspend_needs_a_look() -> None:
    # The review's case: a £127m budget forecast £50,446,315 lower than the published period.
    found = movement_check(
        before=12_700_000_000, now=12_700_000_000 - 5_044_631_500, budget=12_700_000_000, since="2024/25 period 6"
    )
    assert found is not None
    assert found.words.startswith("The forecast outturn has moved down by £50,446,315 since 2024/25 period 6")
    assert "-£" not in found.words


def test_each_service_without_commentary_is_named_with_its_variance_in_words() -> None:
    services = [("Children in Care", 1_234_500), ("Legal", 2_800_000), ("Social Work", -150_049), ("Income", 0)]
    found = commentary_checks(services, written={"Children in Care"})
    assert [c.words for c in found] == [
        "Legal has no variance commentary for this period (a £28,000 overspend).",
        # 150,049 pence is £1,500.49, written to the pound: £1,500.
        "Social Work has no variance commentary for this period (a £1,500 underspend).",
        "Income has no variance commentary for this period (no variance).",
    ]
    assert commentary_checks(services, written={"Children in Care", "Legal", "Social Work", "Income"}) == []


def test_actuals_changed_after_the_run_are_named_newest_first() -> None:
    at = datetime(2019, 8, 6, 9, 30, tzinfo=UTC)
    one = [ActualChange("LEG-EXT External legal costs", "Period 2, May 2019", at)]
    found = actuals_check(run_started="5 August 2019 2:15pm", changes=one, when="6 August 2019 10:30am")
    assert found == Check(
        "actuals",
        "Actuals changed after this forecast was run at 5 August 2019 2:15pm: LEG-EXT External legal costs for "
        "Period 2, May 2019 at 6 August 2019 10:30am. The forecast does not include this change; run it again, "
        "or sign off knowing it.",
    )
    three = one + [ActualChange("SW-CP Child protection teams", "Period 1, April 2019", at)] * 2
    many = actuals_check(run_started="5 August 2019 2:15pm", changes=three, when="6 August 2019 10:30am")
    assert (
        many is not None and "at 6 August 2019 10:30am and 2 others. The forecast does not include these" in many.words
    )
    assert actuals_check(run_started="x", changes=[], when="") is None


def test_a_range_wider_than_one_and_a_half_times_the_median_needs_a_look() -> None:
    # Earlier widths £400,000, £500,000, £600,000: median £500,000; 1.5 × £500,000 = £750,000.
    earlier = [40_000_000, 50_000_000, 60_000_000]
    same = range_check(low=100_000_000, high=175_000_000, earlier=earlier)
    assert same == (None, None)  # exactly £750,000 wide is not more than 1.5 times
    found, note = range_check(low=100_000_000, high=175_000_100, earlier=earlier)
    assert note is None and found == Check(
        "range",
        "The likely range of the outturn is £750,001 wide (£1,000,000 to £1,750,001), more than 1.5 times the "
        "usual width of £500,000 (the median of the last 3 published periods).",
    )


def test_the_median_of_an_even_number_of_widths_and_only_the_last_six_count() -> None:
    # £100,000, £200,000, £300,000, £400,000: median (£200,000 + £300,000) / 2 = £250,000; × 1.5 = £375,000.
    four = [10_000_000, 20_000_000, 30_000_000, 40_000_000]
    assert range_check(low=0, high=37_500_000, earlier=four) == (None, None)
    found, _ = range_check(low=0, high=37_500_001, earlier=four)
    assert found is not None and "usual width of £250,000 (the median of the last 4 published periods)" in found.words
    # Seven earlier widths, newest first: the seventh (£10m) is older than the last six and ignored,
    # so the median is £10,000 and a £20,000 range is 2 times it.
    seven = [1_000_000] * 6 + [1_000_000_000]
    found, _ = range_check(low=0, high=2_000_000, earlier=seven)
    assert found is not None and "usual width of £10,000 (the median of the last 6" in found.words


def test_a_range_is_not_compared_without_three_earlier_ranges_and_the_page_says_so() -> None:
    assert range_check(low=0, high=100_000, earlier=[50_000, 50_000]) == (
        None,
        "The likely range (£1,000 wide) was not compared with earlier periods: only 2 earlier published periods "
        "have a range, and 3 are needed.",
    )
    _, one = range_check(low=0, high=100_000, earlier=[50_000])
    assert one is not None and "only 1 earlier published period has a range" in one
    _, none = range_check(low=0, high=100_000, earlier=[])
    assert none is not None and "no earlier published period has a range" in none
    assert range_check(low=None, high=None, earlier=[1, 2, 3]) == (
        None,
        "This forecast gives no 10–90% likely range, so its width was not compared.",
    )


def test_an_acknowledgement_covers_only_the_words_it_was_given_for() -> None:
    before = Check("movement", "The forecast outturn has moved up by £77,320 since 2019/20 period 3.")
    after = Check("movement", "The forecast outturn has moved up by £90,000 since 2019/20 period 3.")
    assert before.key != after.key and before.key.startswith("movement-")
    checks = Checks(items=[after])
    assert checks.missing({before.key}) == [after]
    assert checks.missing({after.key}) == []
