"""Database figures for `make bench`: the large county loaded through the real importers, a whole
forecast run (reading inputs, the engine, writing results) in-process and through a real Celery
worker, placement KPIs over 10 years, and the big imports (100,000 SSDA903 episodes, a 50,000-row
placement register).

Needs PostgreSQL (DATABASE_URL; default the local one) and a broker (CELERY_BROKER_URL; default
the local Redis). It creates and drops its own database, `<name>_bench`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/outturn")
BENCH_URL = BASE_URL.rsplit("/", 1)[0] + "/" + BASE_URL.rsplit("/", 1)[1].split("?")[0] + "_bench"
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Fits are kept in this process's memory, not a shared cache, so the first back-test starts with
# none stored whatever ran before.
os.environ.pop("DJANGO_CACHE_URL", None)


def recreate_database() -> None:
    from bench_database import own_database  # scripts/ is on the path when a script runs

    own_database(BENCH_URL, "create")


def pounds(pence: object) -> str:
    if pence is None or pence != pence:
        return ""
    return f"{int(pence) / 100:.2f}"  # type: ignore[call-overload]


def iso(value: object) -> str:
    return "" if value is None or value != value else value.date().isoformat()  # type: ignore[attr-defined]


def county_files(inputs, folder: Path) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    """The synthetic county written as the files of DATA_FORMATS.md."""
    import pandas as pd

    files = {}
    lines = inputs.budget_lines
    budget = pd.DataFrame(
        {
            "line_code": lines["line_code"],
            "line_name": lines["line_name"],
            "service_area": lines["service_area"],
            "category": lines["category"],
            "placement_type": lines["placement_type"].fillna(""),
            "team": lines["team"].fillna(""),
            "annual_budget": lines["annual_budget"].map(pounds),
            "method": lines["method"].fillna(""),
            "budget_numbers": lines["budget_numbers"].map(lambda v: "" if v != v else f"{v:.2f}"),
        }
    )
    files["budget"] = folder / "budget.csv"
    budget.to_csv(files["budget"], index=False)
    actuals = inputs.actuals.assign(amount=inputs.actuals["amount"].map(pounds))
    files["actuals"] = folder / "actuals.csv"
    actuals.to_csv(files["actuals"], index=False)
    reg = inputs.placements
    # The generator occasionally makes a care leaver of 25 or more; the importer (rightly) refuses
    # those, so the benchmark leaves out every row of such placements.
    too_old = (reg["start_date"] - reg["child_dob"]).dt.days >= 25 * 365.25
    reg = reg[~reg["placement_ref"].isin(reg.loc[too_old, "placement_ref"])]
    register = pd.DataFrame(
        {
            "placement_ref": reg["placement_ref"],
            "child_ref": reg["child_ref"],
            "child_dob": reg["child_dob"].map(iso),
            "placement_type": reg["placement_type"],
            "start_date": reg["start_date"].map(iso),
            "end_date": reg["end_date"].map(iso),
            "planned_end_date": reg["planned_end_date"].map(iso),
            "weekly_cost": reg["weekly_cost"].map(pounds),
            "health_contribution": reg["health_contribution"].map(pounds),
            "education_contribution": reg["education_contribution"].map(pounds),
            "uasc": reg["uasc"].map(lambda v: "Y" if v else "N"),
            "line_code": reg["line_code"].fillna(""),
        }
    )
    files["placements"] = folder / "placements.csv"
    register.to_csv(files["placements"], index=False)
    posts, workers = inputs.posts, inputs.workers
    # Likewise a few generated workers end before they start; the importer refuses them.
    workers = workers[~(workers["end_date"].notna() & (workers["end_date"] < workers["start_date"]))]
    rows = [
        {"record": "post", "team": p.team, "ref": p.post_ref, "fte": p.fte, "annual_cost": pounds(p.annual_cost)}
        for p in posts.itertuples()
    ] + [
        {
            "record": "worker",
            "team": w.team,
            "ref": w.worker_ref,
            "post_ref": w.post_ref or "",
            "fte": w.fte,
            "worker_type": w.worker_type,
            "annual_cost": pounds(w.annual_cost) if w.worker_type == "permanent" else "",
            "weekly_rate": pounds(w.weekly_rate) if w.worker_type == "agency" else "",
            "agency_reason": w.agency_reason or "",
            "absence": w.absence or "",
            "start_date": iso(w.start_date),
            "end_date": iso(w.end_date),
            "caseload": "" if w.caseload != w.caseload else w.caseload,
        }
        for w in workers.itertuples()
    ]
    files["workforce"] = folder / "workforce.csv"
    pd.DataFrame(rows).to_csv(files["workforce"], index=False)
    # Absorbed savings need a programme with a benefit profile, which the generator does not make.
    savings = inputs.savings[inputs.savings["status"] != "absorbed"]
    year = inputs.year.label
    files["savings"] = folder / "savings.csv"
    pd.DataFrame(
        {
            "ref": savings["ref"],
            "title": savings["title"],
            "service_area": savings["line_code"].map(dict(zip(lines["line_code"], lines["service_area"], strict=True))),
            "line_code": savings["line_code"].fillna(""),
            "status": savings["status"],
            year: savings["planned"].map(pounds),
            "forecast_delivery": savings["forecast_delivery"].map(pounds),
        }
    ).to_csv(files["savings"], index=False)
    files["scenarios"] = folder / "scenarios.csv"
    files["scenarios"].write_text(
        "scenario,demand_method,fee_uplift_pct\nmiddle,statistical,\nworst,,3\n", encoding="utf-8"
    )
    return files


def _timed(work) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Wall and CPU seconds of ``work()`` (on a shared machine CPU time is the figure to read)."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def timed_import(authority, kind: str, path: Path, **options: object) -> float:  # type: ignore[no-untyped-def]
    from core.services import import_run

    started = time.perf_counter()
    plan, result = import_run(
        authority=authority,
        kind=kind,
        source=path.name,
        data=path.read_bytes(),
        options={"year": None, "as_at": None, **options},
        user=None,
    )
    seconds = time.perf_counter() - started
    if not plan.ok:
        raise SystemExit(f"{kind} import failed: " + "; ".join(str(p) for p in plan.errors[:5]))
    return seconds


def main() -> None:
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.services import authority_create
    from forecast_runs.dispatch import forecast_run_request
    from forecast_runs.execute import forecast_run_execute
    from forecasting.engine.synthetic import large_county_inputs
    from forecasting.models import FinancialYear, ForecastRun

    inputs = large_county_inputs(seed=1)
    authority = authority_create(code="BIG", name="Large County Council")
    year_label = inputs.year.label
    as_at = inputs.year.as_at_date(inputs.as_at_period).isoformat()
    print(f"Large county into PostgreSQL ({year_label}, as at period {inputs.as_at_period}):")
    with tempfile.TemporaryDirectory() as folder:
        files = county_files(inputs, Path(folder))
        for kind, options in (
            ("budget", {"year": year_label}),
            ("actuals", {"year": year_label}),
            ("placements", {}),
            ("workforce", {"as_at": as_at}),
            ("savings", {"year": year_label}),
            ("scenarios", {}),
        ):
            seconds = timed_import(authority, kind, files[kind], **options)
            extra = f" ({len(inputs.placements):,} rows)" if kind == "placements" else ""
            print(f"  import {kind}{extra}: {seconds:.2f} s")
    year = FinancialYear.objects.get(authority=authority, label=year_label)

    from forecast_runs.backtests import backtest_execute, backtest_request
    from forecasting.models import BacktestReport

    as_at_date = inputs.year.as_at_date(inputs.as_at_period)
    started = time.perf_counter()
    run = forecast_run_request(authority=authority, year=year, period=inputs.as_at_period, user=None)
    requested = time.perf_counter() - started
    # The request asks for the month's back-test (a scenario forecasts new children) and leaves
    # the run waiting for it: the benchmark does the worker's part, that back-test, then the run.
    report = BacktestReport.objects.get(authority=authority, as_at=as_at_date, status=BacktestReport.Status.PENDING)
    backtest_seconds, backtest_cpu = _timed(lambda: backtest_execute(report_id=report.pk))
    started = time.perf_counter()
    status = forecast_run_execute(run_id=run.pk)
    executed = time.perf_counter() - started
    run.refresh_from_db()
    print(
        f"  back-test for the month (8 dates × 6 methods and their combination, once a month), no fit stored: "
        f"{backtest_seconds:.1f} s (CPU {backtest_cpu:.1f} s)"
    )
    # The same back-test again with every fit found in the store and none in this process's own
    # cache, as another worker finds them (and the next quarter's back-test finds seven of its
    # eight dates when the register has not changed before them).
    from forecasting.engine import demand

    demand._fit_statistical.cache_clear()
    again = backtest_request(authority=authority, as_at=as_at_date, user=None)
    warm_seconds, warm_cpu = _timed(lambda: backtest_execute(report_id=again.pk))
    print(f"  the same back-test with every fit stored: {warm_seconds:.1f} s (CPU {warm_cpu:.1f} s)")
    next_month(authority, as_at_date)
    print(
        f"  forecast run in-process: request {requested:.2f} s + execute {executed:.2f} s ({status}); "
        f"stages: "
        + ", ".join(
            f"{k} {v:.2f}"
            for k, v in run.timings.items()
            if k in ("read_inputs", "placements", "total", "write_results", "whole_run")
        )
    )

    # Through a real worker: the whole round trip as a user sees it.
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", "bench", "--loglevel=WARNING"],
        cwd=ROOT,
        env={**os.environ, "OUTTURN_FORECAST_QUEUE": "bench"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from django.conf import settings

        settings.OUTTURN_FORECAST_QUEUE = "bench"
        from forecasting.models import ScenarioAssumption

        ScenarioAssumption.objects.filter(scenario__authority=authority, scenario__name="worst").update(
            fee_uplift_pct=4
        )
        time.sleep(3)  # the worker's start-up (imports) is not part of a run
        warm = forecast_run_request(authority=authority, year=year, period=inputs.as_at_period, user=None)
        deadline = time.monotonic() + 300
        while ForecastRun.objects.get(pk=warm.pk).status not in ("succeeded", "failed") and time.monotonic() < deadline:
            time.sleep(0.2)
        ScenarioAssumption.objects.filter(scenario__authority=authority, scenario__name="worst").update(
            fee_uplift_pct=5
        )
        started = time.perf_counter()
        timed = forecast_run_request(authority=authority, year=year, period=inputs.as_at_period, user=None)
        while (
            ForecastRun.objects.get(pk=timed.pk).status not in ("succeeded", "failed") and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        round_trip = time.perf_counter() - started
        timed.refresh_from_db()
        print(
            f"  forecast run through a Celery worker (button to results stored), second run of the worker: "
            f"{round_trip:.2f} s ({timed.status}; first run of a fresh worker process took "
            f"{ForecastRun.objects.get(pk=warm.pk).timings.get('whole_run', 0):.2f} s inside the task)"
            "   [target < 10 s]"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    kpis(authority)
    imports(authority)


def next_month(authority, as_at_date) -> None:  # type: ignore[no-untyped-def]
    """An authority's second month as the product meets it: its first month's back-test (nothing
    stored), the fits of the next two months' past dates made ahead (what the workers'
    lowest-priority tasks do, `backtests.backtest_fit_ahead`), then the next month-end's
    back-test, with this process's own fits forgotten as another worker would have none. In a
    cache large enough to keep them, as the shared Redis cache is (the local-memory cache keeps
    300 entries)."""
    from django.test.utils import override_settings

    from forecast_runs.backtests import (
        backtest_execute,
        backtest_fit_ahead,
        backtest_fits_ahead_origins,
        backtest_request,
    )
    from forecast_runs.demand.series import add_months, month_end
    from forecasting.engine import demand

    big: dict[str, dict[str, object]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "bench-months",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
    with override_settings(CACHES=big):
        demand._fit_statistical.cache_clear()
        first = backtest_request(authority=authority, as_at=as_at_date, user=None)
        first_seconds, first_cpu = _timed(lambda: backtest_execute(report_id=first.pk))
        first.refresh_from_db()
        origins = backtest_fits_ahead_origins(report_id=first.pk)
        demand._fit_statistical.cache_clear()
        ahead_seconds, ahead_cpu = _timed(
            lambda: [backtest_fit_ahead(report_id=first.pk, origin=origin) for origin in origins]
        )
        demand._fit_statistical.cache_clear()
        later = month_end(add_months(as_at_date, 1))
        second = backtest_request(authority=authority, as_at=later, user=None)
        second_seconds, second_cpu = _timed(lambda: backtest_execute(report_id=second.pk))
        second.refresh_from_db()
    print(
        f"  an authority's first month's back-test ({first.past_fits_made} fits of its past dates): "
        f"{first_seconds:.1f} s (CPU {first_cpu:.1f} s); the next two months' {len(origins)} past dates fitted "
        f"ahead at the lowest priority: {ahead_seconds:.1f} s (CPU {ahead_cpu:.1f} s); the second month's "
        f"back-test, as at {later:%d %B %Y} ({second.past_fits_made} fits of its past dates): "
        f"{second_seconds:.1f} s (CPU {second_cpu:.1f} s)   [target < 5 s]"
    )


def kpis(authority) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from forecasting.engine.placements import placement_kpis
    from placements.selectors import placement_register_frame, placement_types_frame

    started = time.perf_counter()
    register = placement_register_frame(authority=authority)
    read = time.perf_counter() - started
    started = time.perf_counter()
    frame = placement_kpis(register, placement_types_frame(), months_from=date(2010, 4, 1), months_to=date(2020, 3, 1))
    seconds = time.perf_counter() - started
    print(
        f"  placement KPIs by type and month over 10 years ({len(register):,} rows, {len(frame):,} type-months): "
        f"{seconds:.2f} s (+ reading the register {read:.2f} s)   [target < 1 s]"
    )


def imports(authority) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from core.importing import SourceFile
    from core.services import import_run
    from placements.ssda903_synthetic import synthetic_903_files

    files = synthetic_903_files(100_000, seed=7)
    episodes = sum(max(data.count(b"\n") - 1, 0) for name, data in files if "episode" in name.lower())
    started = time.perf_counter()
    plan, result = import_run(
        authority=authority,
        kind="ssda903",
        files=[SourceFile(name, data) for name, data in files],
        options={},
        user=None,
    )
    seconds = time.perf_counter() - started
    print(
        f"  SSDA903 import, {episodes:,} episodes in {len(files)} files: {seconds:.2f} s "
        f"({'written' if result else 'not written: ' + '; '.join(str(p) for p in plan.errors[:2])})   [target < 15 s]"
    )
    from forecasting.engine.synthetic import large_county_inputs

    one = large_county_inputs(seed=2).placements
    copies = []
    for k in range(3):  # three counties' worth of children, each with its own references
        more = one.copy()
        more["placement_ref"] = more["placement_ref"] + f"-{k}"
        more["child_ref"] = more["child_ref"] + f"-{k}"
        copies.append(more)
    big = pd.concat(copies, ignore_index=True).iloc[:50_000]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.csv"
        inputs = replace(large_county_inputs(seed=2), placements=big)
        county_files(inputs, Path(folder))
        path = Path(folder) / "placements.csv"
        from accounts.services import authority_create

        other = authority_create(code="REG", name="Register Test Council")
        from forecasting.services import budget_line_save  # noqa: F401  lines come from the budget file

        timed_import(other, "budget", Path(folder) / "budget.csv", year=inputs.year.label)
        rows = path.read_bytes().count(b"\n") - 1
        seconds = timed_import(other, "placements", path)
        print(f"  placement register import, {rows:,} rows: {seconds:.2f} s   [target < 10 s]")


if __name__ == "__main__":
    main()
