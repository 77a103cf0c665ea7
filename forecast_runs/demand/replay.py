"""The SSDA903 returns as they stood on a past date, cleaned again: the honest replay.

On a past forecast date D the product would have held the returns of the collection years
finished by D (a collection year runs 1 April to 31 March) and, for the year under way, the
episodes started by D, with any end date (DEC), reason for leaving (REC) and reason for a change
of placement after D not known yet. ``Replayer.cut`` rebuilds exactly that from the raw files and
``Replayer.inputs`` cleans it with the same code the import uses (``clean_episodes`` with
``today`` = D) into month-end numbers from 1 April of the earliest collection year the cut holds.
Nothing cleaned with later knowledge is used: the cut is made from the raw rows, never from the
cleaned register.

Which collection year a return describes is read from its own dates (the latest DECOM, or DEC
less a day), as the cleaner does for rule 3: file names say the year differently (the sample's
``2017-episodes.csv`` is 2017/18; a regional ``YEAR`` may name the year a return ends). Header and
UASC files carry no such dates; they take the year of the episodes files with the same year in
their name (or ``YEAR``), and are always kept when they have none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from forecast_runs.demand.series import TOTAL, SeriesInputs, placement_series
from placements.ssda903 import (
    ISSUE_COLUMNS,
    PLACEMENT_COLUMNS,
    CleaningState,
    CleanResult,
    Ssda903Files,
    finish_cleaning,
    parse_dates,
    prepare_cleaning,
)
from placements.ssda903.history_steps import DEFAULT_STALE_OPEN, STALE_OPEN_RULES
from placements.ssda903.returns import return_order, select_authority

# What happened is read from every return, cleaned as the import cleans them today: an open
# episode whose child is missing from every later return is closed at the end of its last one.
TRUTH_RULE = DEFAULT_STALE_OPEN
RULES = STALE_OPEN_RULES
# Months of forecast kept for each replayed date: scored at 1..12 and at 24 where data allow.
REPLAY_HORIZON = 24
# A return whose latest date is this close to 31 March covers the whole year.
_YEAR_END_SLACK = timedelta(days=31)


def episode_years(
    files: Ssda903Files, today: date, decom: pd.Series | None = None, dec: pd.Series | None = None
) -> pd.Series:
    """The collection year (its April's calendar year) of the return each episode row comes
    from, -1 for a return without a single date; aligned with ``files.episodes`` (whose DECOM
    and DEC, parsed, may be given)."""
    ep = files.episodes
    work = pd.DataFrame(
        {
            "_ret": ep.groupby(["_src", "LA", "YEAR"], sort=False).ngroup(),
            "_decom": parse_dates(ep["DECOM"]) if decom is None else decom,
            "_dec": parse_dates(ep["DEC"]) if dec is None else dec,
            "_year_hint": ep["_year_hint"],
            "_src": ep["_src"],
        },
        index=ep.index,
    )
    order = return_order(work, pd.Timestamp(today))
    return work["_ret"].map(order["fy"]).fillna(-1).astype("int64")


def _hint_offset(files: Ssda903Files, years: pd.Series) -> int:
    """How the year in the file names (or YEAR) relates to the collection year: 0 when it names
    the year's start (2017 for 2017/18), 1 when it names its end."""
    hint = files.episodes["_year_hint"]
    known = hint.notna() & (years >= 0)
    if not known.any():
        return 0
    return int((years[known] - hint[known].astype("int64")).mode().iloc[0])


class Replayer:
    """The raw returns of one authority, cut back to past dates and cleaned again (memoised:
    a date and rule are cleaned once, whoever asks)."""

    def __init__(
        self,
        files: Ssda903Files,
        *,
        mapping: pd.DataFrame,
        types: pd.DataFrame,
        la: str | None = None,
        today: date | None = None,
    ) -> None:
        # One authority's returns (regional files hold several): child references are only
        # unique within one council. Raises ValueError naming them when ``la`` is needed.
        episodes, header, uasc, _others = select_authority(files.episodes, files.header, files.uasc, la)
        files = replace(files, episodes=episodes.reset_index(drop=True), header=header, uasc=uasc)
        self.files, self.mapping, self.types, self.la = files, mapping, types, la
        self.today = today or date.today()
        # Parsed once: every date cut below reads them (each distinct text parsed once, as ever).
        self._decom = parse_dates(files.episodes["DECOM"])
        self._dec = parse_dates(files.episodes["DEC"])
        self._duc = parse_dates(files.uasc["DUC"])
        self.years = episode_years(files, self.today, self._decom, self._dec)
        offset = _hint_offset(files, self.years)
        self.header_years = files.header["_year_hint"] + offset
        self.uasc_years = files.uasc["_year_hint"] + offset
        known = self.years[self.years >= 0]
        if known.empty:
            raise ValueError("the returns hold no episode with a start or end date")
        self.first_year = int(known.min())
        self.data_end = self._data_end(int(known.max()))
        self._cleaned: dict[tuple[date, str], CleanResult] = {}
        self._inputs: dict[tuple[date, str, int], dict[str, SeriesInputs]] = {}
        self._last_prepared: tuple[date, CleaningState | None] | None = None

    def _data_end(self, last_year: int) -> date:
        """The latest date the returns cover: the end of the latest collection year, or, for a
        year still under way, the latest date its return holds."""
        decom = self._decom
        dec = self._dec - pd.Timedelta(days=1)
        seen = pd.concat([decom, dec]).dropna()
        latest = seen[seen <= pd.Timestamp(self.today)].max()
        year_end = date(last_year + 1, 3, 31)
        if pd.isna(latest):
            return min(year_end, self.today)
        day: date = pd.Timestamp(latest).date()
        return min(year_end, self.today) if day >= year_end - _YEAR_END_SLACK else day

    def history_from(self, as_at: date) -> date:
        """1 April of the earliest collection year the returns known on ``as_at`` cover: the
        history a model learns from starts where the data is complete."""
        known = self.years[(self.years >= 0) & (self.years <= _collection_year(as_at))]
        return date(int(known.min()) if len(known) else _collection_year(as_at), 4, 1)

    def cut(self, as_at: date) -> Ssda903Files:
        """The returns as they stood on ``as_at`` (see the module's docstring)."""
        ep = self.files.episodes
        now = _collection_year(as_at)
        finished = (self.years < now) | ((self.years == now) & (as_at >= date(now + 1, 3, 31)))
        # a DECOM that is not a date is kept: the cleaner reports it
        current = (self.years == now) & ~(self._decom > pd.Timestamp(as_at))
        keep = (finished | current).to_numpy()
        kept = ep[keep].copy()
        later = (self._dec[keep] > pd.Timestamp(as_at)).to_numpy()
        kept.loc[later, ["DEC", "REC", "REASON_PLACE_CHANGE"]] = ""
        header = self.files.header[~(self.header_years > now)]
        keep_uasc = (~(self.uasc_years > now)).to_numpy()
        uasc = self.files.uasc[keep_uasc].copy()
        ceased_later = (self._duc[keep_uasc] > pd.Timestamp(as_at)).to_numpy()
        uasc.loc[ceased_later, "DUC"] = ""
        return replace(self.files, episodes=kept, header=header, uasc=uasc)

    def clean(self, as_at: date, rule: str) -> CleanResult:
        key = (as_at, rule)
        if key not in self._cleaned:
            prepared = self._prepared(as_at)
            if prepared is None:  # before the first return: nothing to clean (or to trip on)
                empty = pd.DataFrame({c: pd.Series(dtype=object) for c in PLACEMENT_COLUMNS})
                self._cleaned[key] = CleanResult(empty, pd.DataFrame(columns=ISSUE_COLUMNS), {})
            else:
                self._cleaned[key] = finish_cleaning(prepared, rule)
        return self._cleaned[key]

    def _prepared(self, as_at: date) -> CleaningState | None:
        """The cleaning steps before rule 8 on the returns cut at ``as_at`` (None when the cut
        holds no episode), kept for the date last asked: every rule 8 of a date is cleaned in a
        row, and the cut and the steps before it are the same for each."""
        if self._last_prepared is None or self._last_prepared[0] != as_at:
            cut = self.cut(as_at)
            state = None if cut.episodes.empty else prepare_cleaning(cut, mapping=self.mapping, la=self.la, today=as_at)
            self._last_prepared = (as_at, state)
        return self._last_prepared[1]

    def inputs(self, as_at: date, rule: str, horizon: int = REPLAY_HORIZON) -> dict[str, SeriesInputs]:
        """Month-end numbers by type and in total as known on ``as_at`` with ``rule`` for open
        episodes missing from a later return, and the children still placed ``horizon`` months
        on."""
        key = (as_at, rule, horizon)
        if key not in self._inputs:
            placements = self.clean(as_at, rule).placements
            self._inputs[key] = placement_series(
                placements, self.types, as_at=as_at, history_from=self.history_from(as_at), horizon=horizon
            )
        return self._inputs[key]

    def truth(self, as_at: date, rule: str = TRUTH_RULE) -> dict[str, pd.Series]:
        """What the returns known on ``as_at`` say the numbers were, by date (month-ends)."""
        return series_truth(self.inputs(as_at, rule))

    def starting_levels(self, origins: Sequence[date], as_at: date, rules: Sequence[str] = RULES) -> pd.DataFrame:
        """The number of children on each past date as replayed under each rule (``level``)
        against the number the returns known on ``as_at`` give for that date (``actual``, read
        with today's rule). Only dates of the years a later return known on ``as_at`` covers
        (``settled_until``): until a later return exists, whether an open episode went on is
        what the rule itself says, not evidence."""
        settled = [d for d in origins if d <= settled_until(as_at)]
        actual = self.truth(as_at)[TOTAL]
        rows = [
            (d, rule, float(self.inputs(d, rule)[TOTAL].values[-1]), float(actual.get(d, np.nan)))
            for d in settled
            for rule in rules
        ]
        return pd.DataFrame(rows, columns=["origin", "rule", "level", "actual"])


def series_truth(inputs: Mapping[str, SeriesInputs]) -> dict[str, pd.Series]:
    """Each series' numbers indexed by date: what the back-test scores against."""
    return {
        name: pd.Series(np.asarray(s.values, dtype=np.float64), index=pd.Index(s.dates, name="date"))
        for name, s in inputs.items()
    }


def settled_until(as_at: date) -> date:
    """The end of the latest collection year that a later return known on ``as_at`` can check:
    the year before the one ``as_at`` falls in. On 31 March the year just ended is complete, but
    no later return exists yet to say whether its open episodes go on."""
    return date(_collection_year(as_at), 3, 31)


def _collection_year(day: date) -> int:
    return day.year - (1 if day.month < 4 else 0)
