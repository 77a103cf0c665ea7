"""Engine figures for `make bench`: the large county through run_engine, its memory, where the
time goes, the engine's part of the month's back-test (with no fit stored and with every fit
stored; and as an authority's first four months meet it, with its as-at date's fits and, after a
month that had to fit its own past dates, the next two months' fitted ahead),
and the ratio against a straightforward loop over placements and months.

Run as a script; prints figures (no pass/fail)."""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import resource
import statistics
import sys
import time
import tracemalloc
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecast_runs.demand.register_replay import HORIZON, history_at, origins_ahead, origins_before  # noqa: E402
from forecast_runs.demand.series import TOTAL, add_months  # noqa: E402
from forecast_runs.demand.series import month_end as month_end_of  # noqa: E402
from forecasting.engine.backtest import backtest  # noqa: E402
from forecasting.engine.demand import Fit, _fit_statistical, fits_kept_in, forecast_month_ends  # noqa: E402
from forecasting.engine.placements import project_placements  # noqa: E402
from forecasting.engine.run import run_engine  # noqa: E402
from forecasting.engine.scenarios import PlacementAssumption, Scenario  # noqa: E402
from forecasting.engine.synthetic import large_county_inputs  # noqa: E402


def straightforward_committed_cost(register: Any, year: Any, period: int) -> tuple[dict[Any, int], dict[Any, int]]:
    """What a spreadsheet-minded implementation does: for each placement row and each month, count
    its days one by one and cost them (commitments only). Same rules as the engine."""
    months = []
    for p in range(1, 13):
        start = year.month_start(p)
        end = year.month_end(p) + timedelta(days=1)
        months.append((p, start, end))
    per_line: dict[tuple[str, int], int] = {}
    month_end_numbers: dict[tuple[str, int], int] = {}
    for row in register.itertuples(index=False):
        start = row.start_date.date()
        ends = [d.date() for d in (row.end_date, row.planned_end_date) if not _missing(d)]
        dob = row.child_dob.date()
        try:
            eighteen = dob.replace(year=dob.year + 18)
        except ValueError:
            eighteen = date(dob.year + 18, 3, 1)
        if row.placement_type not in ("staying_put", "leaving_care"):
            ends.append(eighteen)
        end = min(ends) if ends else None
        weekly_net = int(row.weekly_cost) - int(row.health_contribution) - int(row.education_contribution)
        for p, month_start, month_end in months:
            days = 0
            day = month_start
            while day < month_end:
                if start <= day and (end is None or day < end):
                    days += 1
                day += timedelta(days=1)
            if p > period and days:
                pence = int((Decimal(weekly_net) * days / 7).quantize(Decimal(1), rounding=ROUND_HALF_UP))
                per_line[(row.line_code, p)] = per_line.get((row.line_code, p), 0) + pence
            last = month_end - timedelta(days=1)
            if start <= last and (end is None or last < end):
                key = (row.placement_type, p)
                month_end_numbers[key] = month_end_numbers.get(key, 0) + 1
    return per_line, month_end_numbers


def _median_times(work: Any, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `runs` calls (CPU time is the figure to compare on a
    shared machine)."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _loop_agrees(projection: Any, per_line: dict[Any, int], month_ends: dict[Any, int], period: int) -> bool:
    """Whether the loop and the engine give the same committed cost of each line after the
    as-at period and the same month-end numbers of each type (so the two do the same work)."""
    remaining: dict[str, int] = {}
    for (line, _), pence in per_line.items():
        code = "" if line is None or line != line else str(line)  # the engine reads a blank line as ""
        remaining[code] = remaining.get(code, 0) + pence
    engine_lines = {
        str(line): int(pence)
        for line, pence in zip(projection.by_line["line_code"], projection.by_line["committed_remaining"], strict=True)
        if pence
    }
    frame = projection.by_type_month
    engine_numbers = {
        (str(t), int(p)): int(n)
        for t, p, n in zip(frame["placement_type"], frame["period"], frame["committed_month_end_number"], strict=True)
        if n
    }
    loop_lines = {line: pence for line, pence in remaining.items() if pence}
    return engine_lines == loop_lines and engine_numbers == {k: v for k, v in month_ends.items() if v}


class MemoryStore(dict[str, Fit]):
    """A fit store in this process's memory, standing in for the shared cache a worker uses."""

    def set(self, key: str, fit: Fit) -> None:
        self[key] = fit


def _timed(work: Any) -> tuple[float, float]:
    """Wall and CPU seconds of ``work()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def _with_store(store: MemoryStore, work: Any) -> Any:
    with fits_kept_in(store):
        return work()


def _missing(value: Any) -> bool:
    return value is None or value != value  # NaT != NaT


def main() -> None:
    baseline_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    inputs = large_county_inputs(seed=1)
    statistical = [
        Scenario(name="middle", placements={"*": PlacementAssumption(demand_method="statistical")}),
        Scenario(name="best"),
        Scenario(name="worst", placements={"*": PlacementAssumption(fee_uplift_pct=3.0)}),
    ]
    inputs = replace(inputs, scenarios=statistical)
    print(
        f"Large county: {len(inputs.placements):,} placement rows, "
        f"{inputs.placements['child_ref'].nunique():,} children, "
        f"{len(inputs.budget_lines)} budget lines, {len(inputs.workers)} workers, {len(inputs.savings)} savings, "
        f"{len(inputs.scenarios)} scenarios (statistical demand on every type in the middle scenario)"
    )
    started = time.perf_counter()
    from forecasting.engine.demand import statistical_forecast

    statistical_forecast([3.0, 4.0, 5.0, 4.0] * 6, 2)  # what a Celery worker does when it starts
    print(f"  loading the statistical library (once, when a worker starts): {time.perf_counter() - started:.2f} s")
    store = MemoryStore()
    started, cpu = time.perf_counter(), time.process_time()
    with fits_kept_in(store):
        result = run_engine(inputs)
    first, first_cpu = time.perf_counter() - started, time.process_time() - cpu
    warm, warm_cpu = _timed(lambda: run_engine(inputs))
    # A first run in another worker process of the same month: its own cache is empty, every fit
    # is in the shared store (the first run of the month made them).
    _fit_statistical.cache_clear()
    stored, stored_cpu = _timed(lambda: _with_store(store, lambda: run_engine(inputs)))
    as_at = inputs.year.as_at_date(inputs.as_at_period)
    origins = origins_before(as_at)  # the back-test's 8 quarter-ends

    def month_backtest() -> Any:
        return backtest(inputs.placements, inputs.placement_types, origins=origins, actuals_up_to=as_at, horizon=12)

    _fit_statistical.cache_clear()
    cold_bt, cold_bt_cpu = _timed(lambda: _with_store(store, month_backtest))
    _fit_statistical.cache_clear()
    warm_bt, warm_bt_cpu = _timed(lambda: _with_store(store, month_backtest))

    # The month's back-test as an authority meets it, month by month from its first: each month
    # also fits its as-at date's history, as the product's back-test does for the month's runs,
    # and then (in the queue's idle time, not waited for) the past dates of the next two
    # months' back-tests, as `backtests.backtest_fit_ahead` does. From the fourth month on the
    # fits of the back-test three months before are found as well.
    def month_of(day: date, store: MemoryStore) -> int:
        """The month's back-test in ``store``; the number of its past dates' fits it had to make."""
        kept = len(store)
        backtest(inputs.placements, inputs.placement_types, origins=origins_before(day), actuals_up_to=day, horizon=12)
        made = len(store) - kept
        history = history_at(inputs.placements, inputs.placement_types, day)
        for name, values in history.items():
            if name != TOTAL:
                forecast_month_ends("statistical", history=values, horizon=HORIZON)
        return made

    def ahead_of(day: date) -> None:
        for origin in origins_ahead(day):
            backtest(
                inputs.placements,
                inputs.placement_types,
                origins=[origin],
                actuals_up_to=day,
                horizon=12,
                methods=("statistical",),
            )

    months = [month_end_of(add_months(as_at, -back)) for back in (3, 2, 1, 0)]
    months_store = MemoryStore()
    # day, wall, CPU, CPU of the fits made ahead after it (None: the product sends none, the
    # month having found every fit of its past dates)
    by_month: list[tuple[date, float, float, float | None]] = []
    for day in months:
        _fit_statistical.cache_clear()
        made: list[int] = []
        wall, cpu = _timed(
            lambda day=day, made=made: made.append(_with_store(months_store, lambda: month_of(day, months_store)))
        )
        ahead_cpu = None
        if made[0]:
            _fit_statistical.cache_clear()
            _, ahead_cpu = _timed(lambda day=day: _with_store(months_store, lambda: ahead_of(day)))
        by_month.append((day, wall, cpu, ahead_cpu))
    _fit_statistical.cache_clear()
    fresh = MemoryStore()
    first_month, first_month_cpu = _timed(lambda: _with_store(fresh, lambda: month_of(as_at, fresh)))
    # Memory on its own run (tracing allocations slows Python down, so it is not timed).
    _fit_statistical.cache_clear()
    tracemalloc.start()
    run_engine(inputs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"  engine, first run in the process: {first:.2f} s (CPU {first_cpu:.2f} s); again (models cached): "
        f"{warm:.2f} s (CPU {warm_cpu:.2f} s); first run of another process, the fits stored: {stored:.2f} s "
        f"(CPU {stored_cpu:.2f} s)   [target < 1.5 s]"
    )
    print(
        f"  engine's part of the month's back-test ({len(origins)} dates), no fit stored: {cold_bt:.2f} s "
        f"(CPU {cold_bt_cpu:.2f} s); every fit stored: {warm_bt:.2f} s (CPU {warm_bt_cpu:.2f} s)"
    )
    print(
        f"  the month's back-test with its as-at date's fits, as at {as_at:%d %B %Y} with nothing kept: "
        f"{first_month:.2f} s (CPU {first_month_cpu:.2f} s); month by month from an authority's first, "
        "the next two months' past dates fitted ahead after a month that had to fit its own:"
    )
    for number, (day, wall, cpu, ahead_cpu) in enumerate(by_month, start=1):
        ahead = "nothing to fit ahead" if ahead_cpu is None else f"then fitted ahead: CPU {ahead_cpu:.2f} s"
        print(f"    month {number}, as at {day:%d %B %Y}: {wall:.2f} s (CPU {cpu:.2f} s)   [target < 5 s]; {ahead}")
    print(
        f"  engine memory: peak Python allocations {peak / 1e6:.0f} MB; process peak RSS {rss / 1024:.0f} MB "
        f"(after loading: {baseline_rss / 1024:.0f} MB)   [target < 500 MB]"
    )
    print("  where the time goes (first run): " + ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items()))

    profiler = cProfile.Profile()
    profiler.enable()
    run_engine(inputs)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(12)
    lines = [line for line in out.getvalue().splitlines() if "forecasting/engine" in line][:8]
    print("  profile, engine functions by cumulative time:")
    for line in lines:
        print("    " + " ".join(line.split()[3:5]) + "  " + line.split()[-1].split("forecasting/engine/")[-1])

    commitments = {code: PlacementAssumption(demand_method="commitments") for code in inputs.placement_types["code"]}

    def engine_once() -> Any:
        return project_placements(
            inputs.placements, inputs.placement_types, inputs.year, inputs.as_at_period, commitments
        )

    projection = engine_once()  # the first call pays for imports and caches of numpy and pandas
    vectorised_wall, vectorised_cpu = _median_times(engine_once, 7)
    per_line, month_ends = straightforward_committed_cost(inputs.placements, inputs.year, inputs.as_at_period)
    looped_wall, looped_cpu = _median_times(
        lambda: straightforward_committed_cost(inputs.placements, inputs.year, inputs.as_at_period), 3
    )
    agree = _loop_agrees(projection, per_line, month_ends, inputs.as_at_period)
    print(
        f"  placements (commitments, one scenario), median CPU time (wall): engine {vectorised_cpu:.3f} s "
        f"({vectorised_wall:.3f} s) of 7 runs; straightforward loop over rows, months and days "
        f"{looped_cpu:.2f} s ({looped_wall:.2f} s) of 3; ratio {looped_cpu / vectorised_cpu:.0f}× in CPU time "
        f"({looped_wall / vectorised_wall:.0f}× wall)   [target ≥ 50×]"
    )
    print(f"  the loop's committed cost by line and numbers by type agree with the engine's: {agree}")
    print(f"  measured on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
