"""forecast_demand itself: the analyst's command, free of Django (DATA_FORMATS.md, Commands).

It reads files and writes one, and touches no database and no app, so ``manage.py
forecast_demand`` runs it without setting Django up (``run_without_setup`` in the Django command,
``forecast_runs/management/commands/forecast_demand.py``): loading the settings and the
project's apps took about 0.6 s of the 1.8 s the command spends on 100,000 episodes with a method
named and no back-test (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from forecast_runs.demand.forecast import DemandResult, forecast_plain_series, forecast_returns
from forecast_runs.demand.parallel import cores_available
from forecast_runs.demand.replay import RULES, Replayer
from forecast_runs.demand.series import SeriesInputs
from forecast_runs.demand.series_file import SeriesFileError, read_series_file
from forecasting.engine.placement_types import DEFAULT_PLACEMENT_TYPES
from placements.ssda903 import Ssda903FileError, default_mapping, parse_dates, read_903_files
from tablereader.limits import Limits
from wording.cells import csv_bytes

HELP = (
    "Forecast numbers of children from SSDA903 returns (by finance placement type and in total) or "
    "from a CSV of counts (series, date, value), with 10-90% intervals; writes series, date, p10, "
    "mid, p90, method. Touches no database."
)
METHOD_CHOICES = ("auto", "naive", "trend", "growth", "flow", "statistical", "drift")
# Rule 8's choices (docs/ssda903.md) as the analyst types them.
OPEN_EPISODE_CHOICES = tuple(rule.replace("_", "-") for rule in RULES)
# Each process's first date is cleaned whole and each holds its own copy of what it changes:
# past four, more processes on a bigger machine add memory faster than they save time.
DEFAULT_MOST_WORKERS = 4
STALE_SHOWN = 20  # children (and disagreements between returns) listed on screen; the count is always given


class DemandCommandError(Exception):
    """What cannot be done, in words for the analyst; the command stops with it (exit code 1)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--ssda903", nargs="+", metavar="FILE", help="SSDA903 header, episodes and UASC files")
    source.add_argument("--series", metavar="FILE", help="a CSV with the columns series, date, value")
    parser.add_argument("--as-at", help="forecast date (default: the latest date the returns cover)")
    parser.add_argument("--horizon", type=int, help="months (default 24) or, for yearly counts, years (3)")
    parser.add_argument("--method", choices=METHOD_CHOICES, default="auto")
    parser.add_argument("--authority", help="the authority (LA) whose rows of regional SSDA903 files to use")
    parser.add_argument(
        "--open-episodes",
        choices=OPEN_EPISODE_CHOICES,
        help="what to do with an open episode missing from a later return (rule 8): keep it open, close it "
        "at the end of its last return, or count it up to each forecast date (default: the one the back-test "
        "of the returns bears out; fixing it cleans the returns once per past date instead of three times)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="processes that replay the past dates side by side (default: the cores this process may use, "
        "at most 4; 1 = all in this process); the forecast is the same whatever the number",
    )
    parser.add_argument(
        "--no-back-test",
        action="store_true",
        help="forecast with the --method named, from the data cleaned once, without replaying past dates: "
        "quicker, but nothing is chosen by evidence (rule 8 keeps open episodes open unless --open-episodes "
        "says otherwise) and every interval is the wide one of a series not back-tested",
    )
    parser.add_argument("--output", required=True, help="the CSV file to write")


def forecast_demand(
    options: Mapping[str, Any], *, limits: Limits, out: Callable[[str], Any], err: Callable[[str], Any]
) -> None:
    """Forecast as the options say, write the CSV, and say on ``out`` what was chosen and what an
    officer should check; ``err`` gets the line naming the file written."""
    _Run(options, limits, out).write(err)


class _Run:
    def __init__(self, options: Mapping[str, Any], limits: Limits, out: Callable[[str], Any]) -> None:
        self.options = options
        self.limits = limits
        self.out = out
        self.disagreements: pd.DataFrame | None = None

    def write(self, err: Callable[[str], Any]) -> None:
        options = self.options
        horizon = options["horizon"]
        if horizon is not None and not 1 <= horizon <= 120:
            raise DemandCommandError(f"--horizon must be between 1 and 120, not {horizon}")
        if options["workers"] is not None and not 1 <= options["workers"] <= 64:
            raise DemandCommandError(f"--workers must be between 1 and 64, not {options['workers']}")
        if options["no_back_test"] and options["method"] == "auto":
            raise DemandCommandError(
                "--no-back-test needs a --method (naive, trend, growth, flow, statistical or drift): "
                "auto is chosen by the back-test"
            )
        try:
            result = self._from_returns() if options["ssda903"] else self._from_series()
        except (Ssda903FileError, SeriesFileError) as error:
            raise DemandCommandError("\n".join(error.errors)) from None
        except OSError as error:
            if error.filename is None:
                raise
            # a file named that is missing, a folder, or not ours to read
            raise DemandCommandError(f"cannot read {error.filename}: {error.strerror}") from None
        frame = _rounded(result.frame())
        try:
            Path(options["output"]).write_bytes(csv_bytes(frame, bom=False))
        except OSError as error:
            raise DemandCommandError(f"cannot write {options['output']}: {error.strerror}") from None
        self._report(result)
        err(f"Wrote {len(frame)} rows to {options['output']}")

    def _from_returns(self) -> DemandResult:
        options = self.options
        files = read_903_files(options["ssda903"], limits=self.limits)
        kinds = {f.kind for f in files.files}
        for kind, columns in (("episodes", "CHILD, DECOM, RNE ..."), ("header", "CHILD, SEX, DOB ...")):
            if kind not in kinds:
                raise DemandCommandError(f"there is no {kind} file ({columns}) among the files")
        try:
            replayer = Replayer(files, mapping=default_mapping(), types=default_types(), la=options["authority"])
            as_at = _as_at(options["as_at"]) or replayer.data_end
            if as_at < date(replayer.first_year, 4, 1):
                raise DemandCommandError(
                    f"the returns begin on 1 April {replayer.first_year}: --as-at {as_at} is before them"
                )
            method = options["method"]
            if method == "drift":
                raise DemandCommandError("the damped drift is for yearly counts (--series with dates a year apart)")
            fixed = options.get("open_episodes")
            rules = (fixed.replace("-", "_"),) if fixed else RULES
            workers = options["workers"] or min(cores_available(), DEFAULT_MOST_WORKERS)
            result = forecast_returns(
                replayer,
                as_at,
                horizon=options["horizon"] or 24,
                method=method,
                rules=rules,
                workers=workers,
                back_test=not options["no_back_test"],
            )
            # The returns as the forecast read them (memoised: not cleaned again).
            self.disagreements = replayer.clean(result.as_at, result.rule).disagreements
            return result
        except ValueError as error:  # several authorities and no --authority, an unknown one
            raise DemandCommandError(str(error)) from None

    def _from_series(self) -> DemandResult:
        options = self.options
        if options["authority"]:
            raise DemandCommandError("--authority is for SSDA903 returns; a file of counts names its own series")
        if options.get("open_episodes"):
            raise DemandCommandError("--open-episodes is for SSDA903 returns; a file of counts has no episodes")
        series = read_series_file(options["series"], limits=self.limits)
        as_at = _as_at(options["as_at"])
        if as_at is not None:
            cut = {k: _cut(s, as_at) for k, s in series.items()}
            series = {k: s for k, s in cut.items() if s is not None}
            if not series:
                raise DemandCommandError(f"no series has a date on or before --as-at {as_at}")
        if options["method"] == "flow":
            raise DemandCommandError(
                "the flow method needs entries and exits, which only SSDA903 returns give (--ssda903)"
            )
        try:
            return forecast_plain_series(
                series, horizon=options["horizon"], method=options["method"], back_test=not options["no_back_test"]
            )
        except ValueError as error:
            raise DemandCommandError(str(error)) from None

    def _report(self, result: DemandResult) -> None:
        if result.rule_reason:
            self.out(f"Open episodes missing from a later return: {result.rule_reason}")
        for s in result.series:
            self.out(f"{s.name}: {s.choice.reason}")
        stale = result.stale_open
        if len(stale):
            self.out(
                f"{len(stale)} child(ren) with an open episode missing from a later return, for an officer to check:"
            )
            for row in stale.head(STALE_SHOWN).itertuples(index=False):
                self.out(f"  child {row.child}: last in the {row.last_return} return ({row.file} row {row.row})")
            if len(stale) > STALE_SHOWN:
                self.out(f"  ... and {len(stale) - STALE_SHOWN} more")
        self._report_disagreements()
        issues = result.issues
        used = issues[issues["action"].isin(["dropped", "ignored"])] if len(issues) else issues
        if len(used):
            counts = used["rule"].value_counts()
            detail = ", ".join(f"{rule} {n}" for rule, n in counts.items())
            self.out(f"{len(used)} episode(s) not used ({detail}); import_data ssda903 lists each one")

    def _report_disagreements(self) -> None:
        """Returns that disagree about an episode's end (docs/ssda903.md, rule 3), listed like
        the children above: the earlier return's file and row, the child, and what was used."""
        found = self.disagreements
        if found is None or not len(found):
            return
        self.out(
            f"{len(found)} time(s) returns disagree about an episode's end (the later return is used), "
            "for an officer to check:"
        )
        for row in found.head(STALE_SHOWN).itertuples(index=False):
            self.out(
                f"  child {row.child} (episode from {row.decom:%d/%m/%Y}): "
                f"DEC {row.value} in {row.file} row {row.row}, "
                f"{_dec_text(row.later_value)} in {row.later_file} row {row.later_row}; "
                f"used {_dec_text(row.used_value)} ({row.used_file} row {row.used_row})"
            )
        if len(found) > STALE_SHOWN:
            self.out(f"  ... and {len(found) - STALE_SHOWN} more")


def default_types() -> pd.DataFrame:
    """The placement types an analyst's returns are forecast by (no authority's own): the
    product's default types, as the engine's types frame (``code``, ``continues_after_18``)."""
    return pd.DataFrame(
        [(code, after_18) for code, _name, after_18 in DEFAULT_PLACEMENT_TYPES],
        columns=["code", "continues_after_18"],
    )


def _dec_text(dec: str) -> str:
    return f"DEC {dec}" if dec else "open"


def _as_at(text: str | None) -> date | None:
    if text is None:
        return None
    parsed = parse_dates(pd.Series([text.strip()]))
    if parsed.isna().iloc[0]:
        raise DemandCommandError(f"--as-at {text!r} is not a date (use 2019-07-31 or 31/07/2019)")
    value: date = parsed.iloc[0].date()
    return value


def _cut(series: SeriesInputs, as_at: date) -> SeriesInputs | None:
    """The series as known on ``as_at``."""
    keep = sum(1 for d in series.dates if d <= as_at)
    if keep == 0:
        return None
    return replace(series, dates=series.dates[:keep], values=series.values[:keep])


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["date"] = [d.isoformat() for d in out["date"]]
    for column in ("p10", "mid", "p90"):
        out[column] = out[column].astype(float).round(1)
    return out
