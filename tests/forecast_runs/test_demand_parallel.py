"""Past dates replayed side by side (forecast_demand --workers): shares of the work worked out by
hand, the calling process taking the last share, a daemon (a Celery worker's process) doing it
all itself, and the forecast of the committed SSDA903 sample the same to the last value whatever
the number of processes."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from forecast_runs.demand.forecast import forecast_returns
from forecast_runs.demand.parallel import balanced, shares, side_by_side
from forecast_runs.demand.replay import REPLAY_HORIZON, RULES, Replayer
from forecast_runs.demand.series import types_frame
from forecasting.engine.placement_types import DEFAULT_PLACEMENT_TYPES
from placements.ssda903 import default_mapping, read_903_files

SAMPLE = Path(__file__).resolve().parents[1] / "placements" / "fixtures" / "ssda903-sample"


def sample_files() -> list[str]:
    return [str(p) for p in sorted(SAMPLE.glob("*.csv"))]


def sample_replayer() -> Replayer:
    types = types_frame([code for code, _name, _after_18 in DEFAULT_PLACEMENT_TYPES])
    return Replayer(read_903_files(sample_files()), mapping=default_mapping(), types=types)


# --- shares of the work ------------------------------------------------------------------------


def test_equal_costs_are_cut_into_equal_runs_of_neighbours() -> None:
    assert shares([1, 1, 1, 1], 2) == [[0, 1], [2, 3]]
    assert shares([1, 1, 1, 1, 1, 1], 3) == [[0, 1], [2, 3], [4, 5]]


def test_a_costly_position_gets_a_run_of_its_own() -> None:
    # cumulative 1, 2, 3, 12 of 12; middles (cumulative - cost / 2) / 12 x 2 = 0.08, 0.25, 0.42, 1.25
    assert shares([1, 1, 1, 9], 2) == [[0, 1, 2], [3]]
    # the other way round: 9 of 12 at the start, middle 0.75, then 1.58, 1.75, 1.92
    assert shares([9, 1, 1, 1], 2) == [[0], [1, 2, 3]]


def test_never_more_runs_than_positions_and_one_worker_is_one_run() -> None:
    assert shares([5, 5], 4) == [[0], [1]]
    assert shares([5, 5, 5], 1) == [[0, 1, 2]]
    assert shares([], 2) == [[]]


def test_work_that_needs_no_neighbours_is_shared_costliest_first() -> None:
    # 9 (position 1) to the first share, 5 (4) to the second, 4 (2) to the second (5 < 9), 3 (0)
    # to the first (9 = 9: the first of equals), 1 (3) to the second (9 < 12): 12 and 10
    assert balanced([3, 9, 4, 1, 5], 2) == [[0, 1], [2, 3, 4]]
    assert balanced([2, 2, 2], 5) == [[0], [1], [2]]
    assert balanced([4, 1], 1) == [[0, 1]]


# --- side by side ------------------------------------------------------------------------------


def test_results_come_back_in_order_and_this_process_takes_the_last_share() -> None:
    offset = 1000  # set here, read by the forked processes: nothing is sent to them but a number

    def work(share: list[int]) -> tuple[int, list[int]]:
        return os.getpid(), [offset + n for n in share]

    done = side_by_side(work, [[1, 2], [3], [4, 5]])
    assert [values for _pid, values in done] == [[1001, 1002], [1003], [1004, 1005]]
    pids = [pid for pid, _values in done]
    assert pids[-1] == os.getpid()
    assert os.getpid() not in pids[:-1]  # forked processes (one may take both, if it is free first)


def test_what_is_done_meanwhile_is_done_here_before_this_process_s_share() -> None:
    done: list[str] = []

    def work(share: str) -> tuple[int, list[str]]:
        return os.getpid(), list(done)  # what this process had done when the share began

    results = side_by_side(work, ["a", "b"], meanwhile=lambda: done.append("meanwhile"))
    assert results[0][0] != os.getpid() and results[0][1] == []  # forked before it was done
    assert results[1] == (os.getpid(), ["meanwhile"])
    done.clear()
    assert side_by_side(work, ["a"], meanwhile=lambda: done.append("meanwhile")) == [(os.getpid(), ["meanwhile"])]


def test_a_failure_in_a_forked_share_is_raised_here() -> None:
    def work(share: int) -> int:
        if share == 0:
            raise ValueError("the first share failed")
        return share

    with pytest.raises(ValueError, match="the first share failed"):
        side_by_side(work, [0, 1])


def test_a_share_whose_process_dies_is_worked_out_here() -> None:
    here = os.getpid()

    def work(share: int) -> int:
        if share == 0 and os.getpid() != here:
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does to a process out of memory
        return share * 10

    assert side_by_side(work, [0, 1, 2]) == [0, 10, 20]


def _in_a_daemon(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    pids = side_by_side(lambda _share: os.getpid(), [1, 2, 3])
    queue.put((os.getpid(), pids))


def test_a_daemon_process_such_as_a_celery_workers_does_every_share_itself() -> None:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    daemon = context.Process(target=_in_a_daemon, args=(queue,), daemon=True)
    daemon.start()
    pid, pids = queue.get(timeout=60)
    daemon.join(timeout=60)
    assert pids == [pid, pid, pid]


# --- the forecast is the same ------------------------------------------------------------------


def _same_inputs(one: Replayer, other: Replayer, keys: list[tuple[date, str]]) -> None:
    for day, rule in keys:
        a, b = one.inputs(day, rule), other.inputs(day, rule)
        assert list(a) == list(b), (day, rule)
        for name in a:
            assert a[name].dates == b[name].dates
            for part in ("values", "entries", "exits", "committed"):
                np.testing.assert_array_equal(getattr(a[name], part), getattr(b[name], part), err_msg=f"{day} {rule}")


def test_the_month_ends_known_before_cleaning_are_the_dates_the_cleaning_gives() -> None:
    replayer = sample_replayer()
    # the sample's returns begin with the collection year 2017-18: month-ends from 30 April 2017
    ends = replayer.month_ends(date(2019, 6, 15))
    assert (ends[0], ends[1], ends[-2], ends[-1], len(ends)) == (
        date(2017, 4, 30),
        date(2017, 5, 31),
        date(2019, 5, 31),
        date(2019, 6, 15),
        27,
    )
    for as_at in (date(2018, 4, 30), date(2019, 6, 15), date(2020, 2, 29), replayer.data_end):
        assert replayer.month_ends(as_at) == list(replayer.truth(as_at)["total"].index)


def test_every_past_date_replayed_side_by_side_gives_the_numbers_replayed_in_turn() -> None:
    in_turn, side = sample_replayer(), sample_replayer()
    as_at = in_turn.data_end
    in_turn.truth(as_at)
    side.truth(as_at)
    days = [d for d in in_turn.truth(as_at)["total"].index if d < as_at][::3]
    keys = [(d, rule) for d in days for rule in RULES]
    side.replay_side_by_side(keys, workers=2)
    assert all((d, rule, REPLAY_HORIZON) in side._inputs for d, rule in keys)  # worked out by the shares
    _same_inputs(in_turn, side, keys)


@pytest.mark.parametrize(("method", "as_at"), [("flow", None), ("auto", date(2020, 3, 31))])
def test_the_forecast_is_the_same_whatever_the_number_of_processes(method: str, as_at: date | None) -> None:
    results = []
    for workers in (1, 2, 3):
        replayer = sample_replayer()
        day = as_at or replayer.data_end
        results.append(forecast_returns(replayer, day, horizon=12, method=method, workers=workers))
    first = results[0]
    for other in results[1:]:
        pd.testing.assert_frame_equal(other.frame(), first.frame())
        pd.testing.assert_frame_equal(other.backtest, first.backtest)
        assert (other.rule, other.rule_reason) == (first.rule, first.rule_reason)
        assert [s.choice for s in other.series] == [s.choice for s in first.series]


def test_the_command_writes_the_same_file_with_one_process_or_two(tmp_path: Path) -> None:
    common = ["--ssda903", *sample_files(), "--as-at", "2020-09-30", "--horizon", "6", "--method", "flow"]
    call_command("forecast_demand", *common, "--workers", "1", "--output", str(tmp_path / "one.csv"))
    call_command("forecast_demand", *common, "--workers", "2", "--output", str(tmp_path / "two.csv"))
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_the_statistical_library_is_imported_once_before_the_fits_are_shared_out() -> None:
    # A fresh interpreter, as an analyst's command starts: each share of the back-test says
    # whether the library was there when it began; the calling process loads it while the past
    # dates are cleaned, so no forked process imports it again.
    code = (
        "import os, sys, django; django.setup()\n"
        "from datetime import date\n"
        "from forecast_runs.demand import forecast as F\n"
        "from tests.forecast_runs.test_demand_parallel import sample_replayer\n"
        "original = F.backtest\n"
        "def spy(*args, **kwargs):\n"
        "    print('SHARE', os.getpid(), 'statsforecast' in sys.modules, flush=True)\n"
        "    return original(*args, **kwargs)\n"
        "F.backtest = spy\n"
        "F.forecast_returns(sample_replayer(), date(2020, 3, 31), horizon=6, method='auto', workers=2)\n"
        "print('CALLER', os.getpid(), flush=True)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    lines = [line.split() for line in done.stdout.splitlines()]
    caller = next(int(words[1]) for words in lines if words[0] == "CALLER")
    shares_seen = [(int(words[1]), words[2]) for words in lines if words[0] == "SHARE"]
    assert len(shares_seen) == 2, done.stdout + done.stderr
    assert {pid == caller for pid, _loaded in shares_seen} == {True, False}
    assert all(loaded == "True" for _pid, loaded in shares_seen)


@pytest.mark.parametrize("workers", ["0", "65"])
def test_a_number_of_processes_out_of_range_is_refused(tmp_path: Path, workers: str) -> None:
    with pytest.raises(CommandError, match=f"--workers must be between 1 and 64, not {workers}"):
        call_command(
            "forecast_demand", "--ssda903", *sample_files(), "--workers", workers, "--output", str(tmp_path / "o.csv")
        )
