"""The forecast accuracy part: each period's forecast against the outturn or latest forecast, from
hand-made runs, publications and totals (pence)."""

from __future__ import annotations

from datetime import datetime

from dashboards.document.accuracy import AccuracyInputs, RunMade, accuracy_chart, accuracy_frame, forecasts_by_period


def _at(day: int) -> datetime:
    return datetime(2019, 9, day, 12, 0)


RUNS = [
    RunMade(run_id=1, year="2019/20", period=3, finished_at=_at(1)),
    RunMade(run_id=2, year="2019/20", period=3, finished_at=_at(2)),  # a later run of period 3
    RunMade(run_id=3, year="2019/20", period=4, finished_at=_at(3)),
    RunMade(run_id=4, year="2019/20", period=5, finished_at=None),  # no finish time: last
]
TOTALS = {1: 100_000_000, 2: 104_000_000, 3: 102_000_000, 4: 101_000_000}


def test_each_period_is_its_published_run_else_its_latest_finished_run() -> None:
    latest = forecasts_by_period(AccuracyInputs(runs=RUNS, totals=TOTALS))
    assert {k: r.run_id for k, r in latest.items()} == {("2019/20", 3): 2, ("2019/20", 4): 3, ("2019/20", 5): 4}
    pinned = forecasts_by_period(AccuracyInputs(runs=RUNS, published={("2019/20", 3): 1}, totals=TOTALS))
    assert pinned[("2019/20", 3)].run_id == 1
    # A run without department figures does not count.
    assert ("2019/20", 5) not in forecasts_by_period(AccuracyInputs(runs=RUNS, totals={1: 1, 2: 2, 3: 3}))


def test_forecasts_are_compared_with_the_latest_forecast_while_the_year_is_open() -> None:
    inputs = AccuracyInputs(runs=RUNS, published={("2019/20", 3): 1}, totals=TOTALS)
    frame = accuracy_frame(inputs)
    assert frame["period"].tolist() == [3, 4, 5]
    assert set(frame["reference_kind"]) == {"latest forecast (P5)"}
    # P3: 100,000,000 − 101,000,000 = −1,000,000p = −0.99% of 101,000,000 (−0.990…);
    # P4: 102,000,000 − 101,000,000 = +1,000,000p = +0.99%.
    assert frame["difference"].tolist() == [-1_000_000, 1_000_000, 0]
    assert frame["difference_pct"].tolist() == [-0.99, 0.99, 0.0]
    chart = accuracy_chart(inputs)
    assert chart is not None
    # Two earlier periods, on average (0.99 + 0.99) / 2 = 0.99% away → "1.0%".
    assert chart["summary"] == (
        "Forecasts of 2019/20 made at 2 earlier periods were on average 1.0% away from the outturn "
        "(or, for a year still open, from its latest forecast)."
    )


def test_a_closed_year_is_compared_with_its_outturn() -> None:
    runs = [
        RunMade(run_id=10, year="2018/19", period=6, finished_at=_at(1)),
        RunMade(run_id=11, year="2018/19", period=12, finished_at=_at(2)),
    ]
    frame = accuracy_frame(AccuracyInputs(runs=runs, totals={10: 90_000_000, 11: 100_000_000}))
    # P6 forecast 90,000,000 against the outturn 100,000,000: −10,000,000p, −10.00%.
    assert frame.to_dict("records")[0] == {
        "year": "2018/19",
        "period": 6,
        "forecast": 90_000_000,
        "reference": 100_000_000,
        "reference_kind": "outturn",
        "difference": -10_000_000,
        "difference_pct": -10.0,
    }


def test_nothing_to_show_until_an_earlier_forecast_can_be_compared() -> None:
    assert accuracy_chart(AccuracyInputs(runs=RUNS[:1], totals=TOTALS)) is None
    # Two years of one period each: no earlier period in either year.
    runs = [RUNS[0], RunMade(run_id=9, year="2018/19", period=12, finished_at=_at(1))]
    assert accuracy_chart(AccuracyInputs(runs=runs, totals={1: 1, 9: 1})) is None
