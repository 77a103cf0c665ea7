"""forecast_demand with a method named (``--method``): its back-test scores it against no change
and calibrates its interval; ``--no-back-test`` forecasts with it from the data cleaned once,
with the wide interval of a series not back-tested, and says so."""

from __future__ import annotations

import math
import re
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from forecast_runs.demand import forecast as forecast_module
from forecast_runs.demand.replay import Replayer
from placements.ssda903 import CleanResult
from tests.forecast_runs.test_forecast_demand import monthly_counts, sample_files


def _run(*args: str, tmp_path: Path, name: str = "out.csv") -> tuple[pd.DataFrame, list[str]]:
    out = tmp_path / name
    shown = StringIO()
    call_command("forecast_demand", *args, "--output", str(out), stdout=shown)
    return pd.read_csv(out), shown.getvalue().splitlines()


def test_a_method_asked_for_is_scored_against_no_change_and_its_interval_calibrated(tmp_path: Path) -> None:
    counts = monthly_counts(tmp_path)  # north: 100, 101, ... 129 at month-ends; south: 50 throughout
    trend, said = _run("--series", counts, "--method", "trend", tmp_path=tmp_path)
    naive, said_naive = _run("--series", counts, "--method", "naive", tmp_path=tmp_path, name="naive.csv")
    # The yardstick trend is read against is no change's own figure on the same back-test.
    found = re.fullmatch(r"north: no change \(asked for\): ([\d.]+)% average error over 1 to 12 months", said_naive[0])
    assert found is not None
    naive_error = found.group(1)
    assert said[0] == (
        f"north: trend (asked for): 0.0% average error over 1 to 12 months, against {naive_error}% for no change"
    )
    # A straight line is forecast exactly by trend at every past date: every ratio actual /
    # forecast is 1, so the calibrated interval is the forecast itself (before, with no change not
    # scored, nothing was read from the back-test and the interval was the wide one of a short series).
    north = trend[trend["series"] == "north"]
    assert north["mid"].tolist() == [float(130 + h) for h in range(12)]
    assert north["p10"].tolist() == north["mid"].tolist()
    assert north["p90"].tolist() == north["mid"].tolist()
    # No change misses the line's rise, so its interval is wider than a point.
    north_naive = naive[naive["series"] == "north"]
    assert (north_naive["p90"] > north_naive["mid"]).all()


def test_without_the_back_test_the_interval_is_the_wide_one_of_a_series_not_back_tested(tmp_path: Path) -> None:
    counts = monthly_counts(tmp_path)
    frame, said = _run("--series", counts, "--method", "trend", "--no-back-test", tmp_path=tmp_path)
    north = frame[frame["series"] == "north"].reset_index(drop=True)
    # Its largest monthly move is 101/100, under the least spread of 10%: at h months the
    # interval is the forecast times exp(-0.1 sqrt(h)) and exp(0.1 sqrt(h)).
    for h in (1, 4, 9):
        mid = 129.0 + h
        assert north.loc[h - 1, "mid"] == mid
        assert north.loc[h - 1, "p10"] == pytest.approx(round(mid * math.exp(-0.1 * math.sqrt(h)), 1))
        assert north.loc[h - 1, "p90"] == pytest.approx(round(mid * math.exp(0.1 * math.sqrt(h)), 1))
    assert said[0] == (
        "north: trend (asked for), not back-tested: the interval is the wide one of a series with no "
        "back-test, from its own largest monthly move"
    )


def test_yearly_counts_without_the_back_test_say_their_interval_comes_from_a_yearly_move(tmp_path: Path) -> None:
    # 100, 110, 121 at 31 March: the largest yearly move is log(1.1) = 0.0953, under the least
    # spread of 10%, so a year ahead the interval is the forecast times exp(-0.1) and exp(0.1).
    lines = "".join(f"county,{year}-03-31,{value}\n" for year, value in ((2019, 100), (2020, 110), (2021, 121)))
    counts = tmp_path / "yearly.csv"
    counts.write_text("series,date,value\n" + lines, encoding="utf-8")
    frame, said = _run("--series", str(counts), "--method", "naive", "--no-back-test", tmp_path=tmp_path)
    assert frame["mid"].tolist() == [121.0, 121.0, 121.0]
    assert frame.loc[0, "p10"] == pytest.approx(round(121 * math.exp(-0.1), 1))
    assert frame.loc[0, "p90"] == pytest.approx(round(121 * math.exp(0.1), 1))
    assert said[0].endswith("from its own largest yearly move")


def test_auto_needs_the_back_test(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--no-back-test needs a --method"):
        _run("--series", monthly_counts(tmp_path), "--no-back-test", tmp_path=tmp_path)


def test_returns_without_the_back_test_give_the_same_numbers_from_one_cleaning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked, _ = _run(
        "--ssda903", *sample_files(), "--method", "flow", "--open-episodes", "keep-open", tmp_path=tmp_path
    )
    replayed: list[date] = []
    real = forecast_module.replay_backtest

    def replay(replayer: Replayer, as_at: date, **options: Any) -> object:
        replayed.append(as_at)
        return real(replayer, as_at, **options)

    monkeypatch.setattr(forecast_module, "replay_backtest", replay)
    cleaned: list[tuple[date, str]] = []
    real_clean = Replayer.clean

    def clean(self: Replayer, as_at: date, rule: str) -> CleanResult:
        cleaned.append((as_at, rule))
        return real_clean(self, as_at, rule)

    monkeypatch.setattr(Replayer, "clean", clean)
    quick, said = _run(
        "--ssda903", *sample_files(), "--method", "flow", "--no-back-test", tmp_path=tmp_path, name="quick.csv"
    )
    assert replayed == []
    assert {d for d, _rule in cleaned} == {date(2022, 3, 31)}  # the as-at date only
    assert {rule for _d, rule in cleaned} == {"keep_open"}
    # The same forecast as with the back-test under the same rule; only the intervals differ.
    pd.testing.assert_frame_equal(
        quick[["series", "date", "mid", "method"]], checked[["series", "date", "mid", "method"]]
    )
    assert said[0] == "Open episodes missing from a later return: kept open (not checked: no back-test)"
    typed = [line for line in said[1:] if line.startswith("total: ")]
    assert typed == [
        "total: entries and exits (asked for), not back-tested: the interval is the wide one of a series with "
        "no back-test, from its own largest monthly move"
    ]
    # The children an officer should check are listed all the same.
    assert any("with an open episode missing from a later return" in line for line in said)
