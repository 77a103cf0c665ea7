"""The back-test behind the forecast's methods and intervals (FORECAST.md, Accuracy), as its
own task.

Fitting the statistical model at a couple of dozen past dates takes longer than a forecast run,
so it runs once a month per authority (before the first run of a new as-at date) and the runs
use its choices and calibrated intervals. Naive here means "numbers stay as they are" (net
change 0).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from django.db.models import Q
from django.utils import timezone

from accounts.models import Authority, User
from core.models import ImportBatch
from core.tabular import reading_limits
from forecast_runs.demand.forecast import replay_backtest
from forecast_runs.demand.methods import LABELS
from forecast_runs.demand.register_choice import RegisterChoice, choose_from_register, records_from_engine
from forecast_runs.demand.register_replay import HORIZON, history_at, origins_ahead, origins_before, totals_of
from forecast_runs.demand.replay import Replayer
from forecast_runs.demand.reported import IN_CARE, REPORTED
from forecast_runs.demand.selection import RULE_WORDS
from forecast_runs.demand.series import TOTAL, FloatArray
from forecast_runs.fit_store import CacheFitStore
from forecast_runs.heartbeat import beating, stale_before
from forecasting.engine.backtest import BacktestResult, backtest
from forecasting.engine.demand import fits_kept_in, forecast_month_ends
from forecasting.engine.scenarios import FORECAST_METHODS, ChosenDemand
from forecasting.models import BacktestReport, ScenarioAssumption
from placements.selectors import (
    StoredReturns,
    code_mapping_frame,
    history_start,
    placement_register_frame,
    placement_types_frame,
    ssda903_returns,
)
from placements.ssda903 import DEFAULT_STALE_OPEN, MappingError, Ssda903FileError, read_903_files
from placements.ssda903_import import authority_in_files

SHOWN_HORIZONS = (1, 3, 6, 12)  # months ahead on the back-test page


def backtest_origins(as_at: date, *, months: int = 24, step: int = 3) -> list[date]:
    """Quarter-ends over the two years before the as-at date (8 forecasting dates)."""
    return origins_before(as_at, months=months, step=step)


def backtest_wanted(*, authority: Authority) -> bool:
    """Whether runs need the back-test: every demand method takes its interval from it (and
    best and worst their numbers), and ``auto`` its method. A scenario that only counts the
    children already placed, with no interval of its own, does not."""
    return (
        ScenarioAssumption.objects.filter(scenario__authority=authority)
        .exclude(demand_method__in=("", "commitments"))
        .exists()
    )


def backtest_for(*, authority: Authority, as_at: date) -> BacktestReport | None:
    """The latest finished report made at or before `as_at`."""
    return (
        BacktestReport.objects.filter(authority=authority, status=BacktestReport.Status.SUCCEEDED, as_at__lte=as_at)
        .order_by("-as_at", "-finished_at")
        .first()
    )


# The back-test's names for the methods, as the engine knows them; a type with no placements
# ("zero") is no change from nothing, which stays at zero.
_TOTALS = (TOTAL, IN_CARE)  # reported by a run, never forecast by it
_ENGINE_METHOD = {"naive": "net_change", "zero": "net_change"}


def chosen_demand(report: BacktestReport) -> ChosenDemand:
    """What the back-test of ``report`` means in a run: each type's chosen method (``auto``),
    its interval ratios by horizon, those of every method scored, and how the total is reported
    (the total is not forecast by a run: where the back-test chose to, the types' paths are
    scaled to every type forecast by one method and added up)."""
    reported = (report.choices or {}).get(TOTAL, {}).get("reported") or {}
    scaled_to = reported.get("scaled_to")
    return ChosenDemand(
        total_method=_ENGINE_METHOD.get(scaled_to, scaled_to) if scaled_to else None,
        total_types=tuple(reported.get("types") or ()),
        methods={
            code: _ENGINE_METHOD.get(str(c["method"]), str(c["method"]))
            for code, c in (report.choices or {}).items()
            if code != TOTAL
        },
        intervals={code: _bands(bands) for code, bands in (report.intervals or {}).items() if code not in _TOTALS},
        method_intervals={
            code: {_ENGINE_METHOD.get(method, method): _bands(bands) for method, bands in by_method.items()}
            for code, by_method in (report.method_intervals or {}).items()
            if code not in _TOTALS
        },
    )


def reported_bands(report: BacktestReport) -> dict[str, dict[str, list[float]]]:
    """The interval ratios by horizon of the totals a run reports (every child, children in
    care), calibrated from the sum of the types' chosen forecasts; a total without enough
    back-test errors is left out."""
    return {
        group: dict(by_method[REPORTED])
        for group, by_method in (report.method_intervals or {}).items()
        if group in _TOTALS and REPORTED in by_method
    }


def _bands(bands: dict[str, list[float]]) -> dict[int, tuple[float, float]]:
    return {int(h): (float(band[0]), float(band[1])) for h, band in bands.items()}


def backtest_in_progress(*, authority: Authority, as_at: date) -> bool:
    """Whether a back-test for exactly this as-at date is waiting or running (a running one
    whose worker died included: the recovery sweep finishes it). A run of that date waits for
    it rather than use an older calibration."""
    return BacktestReport.objects.filter(
        authority=authority,
        as_at=as_at,
        status__in=(BacktestReport.Status.PENDING, BacktestReport.Status.RUNNING),
    ).exists()


def backtest_request(*, authority: Authority, as_at: date, user: User | None) -> BacktestReport:
    return BacktestReport.objects.create(authority=authority, as_at=as_at, requested_by=user)


def _clean(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value.item() if hasattr(value, "item") else value


def backtest_execute(*, report_id: int) -> str:
    """Back-test the authority's history as at the report's date: its raw SSDA903 returns
    replayed as they stood on each past date when the register was built from them alone
    (``replay_backtest``: cut, cleaned again, rule 8 chosen), else its register cut with
    ``known_at``. Either way the same choice and calibration code sets methods and intervals."""
    if not backtest_claim(report_id=report_id):
        return "not claimed"
    report = BacktestReport.objects.select_related("authority").get(pk=report_id)
    started = time.perf_counter()
    store = CacheFitStore()
    with beating(BacktestReport, report_id), fits_kept_in(store):
        returns = ssda903_returns(authority=report.authority)
        from_returns = _from_returns(report, returns) if returns is not None else None
        outcome = from_returns if from_returns is not None else _from_register(report)
        past_fits_made = store.made  # before the as-at date's own, which are new each month
        if not isinstance(outcome, str):
            _fit_for_the_runs(outcome.history)
    if isinstance(outcome, str):
        BacktestReport.objects.filter(pk=report_id).update(
            status=BacktestReport.Status.FAILED, finished_at=timezone.now(), error=outcome
        )
        return BacktestReport.Status.FAILED
    BacktestReport.objects.filter(pk=report_id).update(
        status=BacktestReport.Status.SUCCEEDED,
        finished_at=timezone.now(),
        origins=[d.isoformat() for d in outcome.origins],
        summary=outcome.summary,
        replay=outcome.replay,
        **_choice_fields(outcome.chosen),
        seconds=round(time.perf_counter() - started, 2),
        past_fits_made=past_fits_made,
    )
    return BacktestReport.Status.SUCCEEDED


def backtest_claim(*, report_id: int) -> bool:
    """Compare-and-swap: pending -> running, or take over a report whose worker went silent."""
    now = timezone.now()
    stale = stale_before(now)
    claimed = (
        BacktestReport.objects.filter(pk=report_id)
        .filter(
            Q(status=BacktestReport.Status.PENDING)
            | Q(status=BacktestReport.Status.RUNNING, heartbeat_at__lt=stale)
            | Q(status=BacktestReport.Status.RUNNING, heartbeat_at__isnull=True, created_at__lt=stale)
        )
        .update(status=BacktestReport.Status.RUNNING, heartbeat_at=now, error="")
    )
    return claimed == 1


@dataclass(frozen=True)
class _Outcome:
    origins: list[date]
    summary: list[dict[str, Any]]
    chosen: RegisterChoice
    replay: dict[str, Any]
    history: dict[str, FloatArray]  # month-ends up to the as-at date, by type and in total


def _from_register(report: BacktestReport) -> _Outcome | str:
    """The register cut with ``known_at`` at quarter-ends over two years (the engine's back-test)."""
    register = placement_register_frame(authority=report.authority)
    origins = backtest_origins(report.as_at)
    if register.empty or not origins:
        return "There is no placement history to test forecasts against."
    start = history_start(authority=report.authority, as_at=report.as_at).day
    result = _register_backtest(register, origins, as_at=report.as_at, history_from=start)
    summary = [
        {k: _clean(v) for k, v in row.items()} | {"method_name": LABELS.get(str(row["method"]), row["method"])}
        for row in result.summary.to_dict("records")
    ]
    history = _history(register, report.as_at, start)
    chosen = choose_from_register(records_from_engine(result.forecasts), history, reported_groups(history))
    return _Outcome(origins, summary, chosen, {"source": "register"}, history)


def _register_backtest(
    register: pd.DataFrame,
    origins: list[date],
    *,
    as_at: date,
    history_from: date | None,
    methods: tuple[str, ...] = FORECAST_METHODS,
) -> BacktestResult:
    """The engine's back-test of the register, as the month's back-test and the fits made ahead
    for later months call it: the same arguments give the same series, so the same fits."""
    return backtest(
        register,
        placement_types_frame(),
        origins=origins,
        actuals_up_to=as_at,
        horizon=12,
        history_from=history_from,
        methods=methods,
    )


def backtest_fits_ahead_origins(*, report_id: int) -> list[date]:
    """The past dates the next two months' back-tests of the report's authority will forecast
    from (``origins_ahead``), when the report is a back-test of the register that succeeded and
    had to fit some of its own past dates: an authority's first month, a register changed
    before those dates, or a store that lost them. Otherwise the fits kept from the months
    before are whole, and the next two months find theirs. None for a back-test of SSDA903
    returns (replayed on other dates, under a rule chosen each month)."""
    report = (
        BacktestReport.objects.filter(pk=report_id, status=BacktestReport.Status.SUCCEEDED, past_fits_made__gt=0)
        .values("as_at", "replay")
        .first()
    )
    if report is None or (report["replay"] or {}).get("source") != "register":
        return []
    return origins_ahead(report["as_at"])


def backtest_fit_ahead(*, report_id: int, origin: date) -> int:
    """Fit the statistical models a later back-test of the report's authority will fit on
    ``origin``, and keep them in the shared store: the same back-test of the register as it is
    now, on that date with the statistical method alone. Where the register up to that date is
    the same when the later back-test runs (no late entry or correction), it finds every fit,
    and what it shows is what it would have shown having fitted them itself. Returns the number
    of placement types forecast (0 when the report or the register is gone)."""
    report = BacktestReport.objects.select_related("authority").filter(pk=report_id).first()
    if report is None:
        return 0
    register = placement_register_frame(authority=report.authority)
    if register.empty:
        return 0
    start = history_start(authority=report.authority, as_at=report.as_at).day
    with fits_kept_in(CacheFitStore()):
        result = _register_backtest(
            register, [origin], as_at=report.as_at, history_from=start, methods=("statistical",)
        )
    return int(result.forecasts["placement_type"].nunique())


def _from_returns(report: BacktestReport, returns: StoredReturns) -> _Outcome | None:
    """The raw returns as they stood on each quarter-end before the as-at date; None when they
    cannot be replayed (then the register is)."""
    authority = report.authority
    try:
        files = read_903_files(returns.files, limits=reading_limits())
        la = str(returns.options.get("la") or "") or authority_in_files(files.episodes, authority)
        replayer = Replayer(
            files,
            mapping=code_mapping_frame(authority=authority),
            types=placement_types_frame(),
            la=la,
            today=report.as_at,
        )
        replayed = replay_backtest(replayer, report.as_at)
    except (Ssda903FileError, MappingError, ValueError):
        return None
    inputs = replayer.inputs(report.as_at, replayed.rule, HORIZON)
    history = {name: series.values for name, series in inputs.items()}
    chosen = choose_from_register(replayed.records, history, reported_groups(history))
    replay = {
        "source": "returns",
        "rule": replayed.rule,
        "rule_reason": replayed.rule_reason,
        "files": len(returns.files),
        "imported_at": returns.imported_at.isoformat(),
    }
    return _Outcome(replayed.origins, _summary_of(replayed.records), chosen, replay, history)


def _fit_for_the_runs(history: Mapping[str, FloatArray]) -> None:
    """Fit the statistical model to each type's month-ends up to the as-at date, as a run of that
    date fits them, and keep the fits (``fits_kept_in``): the month's runs, in any worker, then
    find them instead of fitting while the user waits, and next month's back-test, which
    forecasts from this date too, finds them as well."""
    for name, values in history.items():
        if name not in _TOTALS:
            forecast_month_ends("statistical", history=values, horizon=HORIZON)


def _summary_of(records: pd.DataFrame) -> list[dict[str, Any]]:
    """Per method and horizon over every placement type (not the total): the mean error and
    how many forecasts were scored, as the register's back-test reports them."""
    scored = records[(records["series"] != TOTAL) & records["ape"].notna()]
    table = scored.groupby(["method", "horizon"], sort=True)["ape"].agg(mape="mean", forecasts="size").reset_index()
    return [
        {
            "method": str(row.method),
            "horizon": int(row.horizon),
            "mape": round(float(row.mape), 4),
            "coverage": None,
            "forecasts": int(row.forecasts),
            "with_interval": 0,
            "method_name": LABELS.get(str(row.method), str(row.method)),
        }
        for row in table.itertuples(index=False)
    ]


def reported_groups(history: Mapping[str, FloatArray]) -> dict[str, list[str]]:
    """The totals a run reports, by the types in ``history``: every type, and the children in
    care (the types that stop at 18)."""
    return totals_of(dict(history), placement_types_frame())


def _history(register: pd.DataFrame, as_at: date, start: date | None) -> dict[str, FloatArray]:
    """Month-end numbers from ``start`` up to the as-at date of each type in the register, and
    their total."""
    return history_at(register, placement_types_frame(), as_at, from_date=start)


def _choice_fields(chosen: RegisterChoice) -> dict[str, Any]:
    """The report's ``choices``, ``intervals`` and ``interval_coverage`` (JSON). The total's
    choice also holds how a run reports the totals (``reported``: ``scaled_to``, ``types``,
    ``reason``)."""
    fields = _choice_json(chosen)
    if TOTAL in fields["choices"]:
        fields["choices"][TOTAL]["reported"] = {
            "scaled_to": chosen.scaled_to,
            "types": list(chosen.scaled_types),
            "reason": chosen.reported_reason,
        }
    return fields


def _choice_json(chosen: RegisterChoice) -> dict[str, Any]:
    return {
        "choices": {
            name: {
                "method": c.method,
                "reason": c.reason,
                "average": None if c.average is None else round(c.average, 2),
                "errors": {
                    method: {str(h): round(mape, 2) for h, mape in by_h.items() if h in SHOWN_HORIZONS}
                    for method, by_h in chosen.errors.get(name, {}).items()
                },
            }
            for name, c in chosen.choices.items()
        },
        "intervals": {name: _bands_json(bands) for name, bands in chosen.ratios.items()},
        "method_intervals": {
            name: {method: _bands_json(bands) for method, bands in by_method.items()}
            for name, by_method in chosen.method_ratios.items()
        },
        "interval_coverage": chosen.coverage,
    }


def _bands_json(bands: list[tuple[float, float]]) -> dict[str, list[float]]:
    return {str(h): [round(lo, 4), round(hi, 4)] for h, (lo, hi) in enumerate(bands, start=1)}


def replay_words(report: BacktestReport) -> dict[str, Any] | None:
    """What the report replayed, for its page: the source, and for returns the rule chosen in
    words, and whether the register was imported with another rule."""
    replay = dict(report.replay or {})
    if not replay:
        return None
    if replay.get("source") != "returns":
        return replay
    imported = (
        ImportBatch.objects.filter(authority=report.authority, kind="ssda903", status=ImportBatch.Status.APPLIED)
        .order_by("-created_at")
        .values_list("summary", flat=True)
        .first()
    )
    used = (imported or {}).get("stale_open_rule", DEFAULT_STALE_OPEN)
    return replay | {
        "imported_at": date.fromisoformat(str(replay["imported_at"])),
        "rule_words": RULE_WORDS.get(str(replay["rule"]), str(replay["rule"])),
        "import_differs": used != replay["rule"],
        "import_words": RULE_WORDS.get(str(used), str(used)),
    }
