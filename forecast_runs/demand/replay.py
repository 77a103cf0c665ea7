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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from forecast_runs.demand.parallel import shares, side_by_side
from forecast_runs.demand.return_years import collection_year, episode_years, hint_offset, settled_until
from forecast_runs.demand.series import TOTAL, SeriesInputs, month_end, placement_series
from placements.ssda903 import (
    ISSUE_COLUMNS,
    PLACEMENT_COLUMNS,
    CleaningState,
    CleanResult,
    MappingError,
    Ssda903Files,
    finish_cleaning,
    finish_placements,
    parse_dates,
    prepare_cleaning,
)
from placements.ssda903.episode_steps import return_numbers
from placements.ssda903.history_steps import DEFAULT_STALE_OPEN, STALE_OPEN_RULES
from placements.ssda903.returns import numbered_from_zero, return_order, select_authority

# What happened is read from every return, cleaned as the import cleans them today: an open
# episode whose child is missing from every later return is closed at the end of its last one.
TRUTH_RULE = DEFAULT_STALE_OPEN
RULES = STALE_OPEN_RULES
# Months of forecast kept for each replayed date: scored at 1..12 and at 24 where data allow.
REPLAY_HORIZON = 24
# A return whose latest date is this close to 31 March covers the whole year.
_YEAR_END_SLACK = timedelta(days=31)
# What the cut blanks in an episode whose DEC is after the date.
_LATER_COLUMNS = ["DEC", "REC", "REASON_PLACE_CHANGE"]
# Rule 8's choice that reads the date itself (an open episode is counted up to it).
_UP_TO_THE_DATE = "close_at_last_known"


@dataclass(frozen=True, eq=False)
class _Known:
    """What the returns cut at ``as_at`` hold, row by row of the raw files: what tells which
    children a cut at another date holds differently."""

    as_at: pd.Timestamp
    episodes: np.ndarray  # per episode row: 0 not known, 1 known, 2 known with its DEC blanked
    header: np.ndarray  # per header row: known
    uasc: np.ndarray  # per UASC row: 0 not known, 1 known, 2 known with its DUC blanked
    open: np.ndarray  # per episode row: known without an end (DEC blank, or blanked)
    ret: pd.Series  # the return number the cleaner gives each known episode row
    returns: pd.DataFrame  # the order of the returns the cleaner finds (index: that number)
    by_return: pd.DataFrame  # its fy and rank by each return's own number in the raw files


@dataclass(frozen=True, eq=False)
class _Placed:
    """The placements cleaned from a cut, with each one's child as a number."""

    placements: pd.DataFrame
    children: np.ndarray


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
        incremental: bool = True,
    ) -> None:
        # One authority's returns (regional files hold several): child references are only
        # unique within one council. Raises ValueError naming them when ``la`` is needed.
        episodes, header, uasc, _others = select_authority(files.episodes, files.header, files.uasc, la)
        files = replace(files, episodes=numbered_from_zero(episodes), header=header, uasc=uasc)
        self.files, self.mapping, self.types, self.la = files, mapping, types, la
        self.today = today or date.today()
        # Parsed once: every date cut below reads them (each distinct text parsed once, as ever).
        self._decom = parse_dates(files.episodes["DECOM"])
        self._dec = parse_dates(files.episodes["DEC"])
        self._duc = parse_dates(files.uasc["DUC"])
        self.years = episode_years(files, self.today, self._decom, self._dec)
        offset = hint_offset(files, self.years)
        self.header_years = files.header["_year_hint"] + offset
        self.uasc_years = files.uasc["_year_hint"] + offset
        known = self.years[self.years >= 0]
        if known.empty:
            raise ValueError("the returns hold no episode with a start or end date")
        self.first_year = int(known.min())
        self.data_end = self._data_end(int(known.max()))
        self._cleaned: dict[tuple[date, str], CleanResult] = {}
        self._inputs: dict[tuple[date, str, int], dict[str, SeriesInputs]] = {}
        # The steps before rule 8 of the last two dates cleaned whole (the as-at date's stays
        # while the first past date is cleaned whole too; every rule 8 of it then costs only
        # its own steps).
        self._prepared_on: dict[date, CleaningState | None] = {}
        # For cleaning a date again only where the returns differ (``placements``): each row's
        # child as a number, in the order of the references (the order placements come in),
        # its return as a number, and the dates each comparison with the date itself reads.
        self.incremental = incremental
        self._known: dict[date, _Known] = {}
        self._placed: dict[tuple[date, str], _Placed] = {}
        children = pd.concat([files.episodes["CHILD"], files.header["CHILD"], files.uasc["CHILD"]], ignore_index=True)
        codes, names = pd.factorize(children, sort=True)
        self._children = pd.Index(names)
        n_episodes, n_header = len(files.episodes), len(files.header)
        self._episode_child = codes[:n_episodes]
        self._header_child = codes[n_episodes : n_episodes + n_header]
        self._uasc_child = codes[n_episodes + n_header :]
        self._return_id = return_numbers(files.episodes).to_numpy()
        # What the order of the returns reads of each row (``_return_order``).
        self._decom_array = self._decom.to_numpy(dtype="datetime64[ns]")
        self._dec_array = self._dec.to_numpy(dtype="datetime64[ns]")
        self._latest_of_row = np.fmax(self._decom_array, self._dec_array - np.timedelta64(1, "D"))
        ep = files.episodes
        self._countable = ((ep["CHILD"] != "") & (ep["DECOM"] != "")).to_numpy() & ~np.isnat(self._decom_array)
        self._year_hint = ep["_year_hint"].to_numpy(dtype=np.float64)
        self._source = ep["_src"].to_numpy()
        self._dob = parse_dates(files.header["DOB"])
        # The same as arrays, carried into each cut for the cleaner (none parsed again).
        self._duc_array = self._duc.to_numpy(dtype="datetime64[ns]")
        self._dob_array = self._dob.to_numpy(dtype="datetime64[ns]")
        self._year_array = self.years.to_numpy()
        self._header_year_array = self.header_years.to_numpy(dtype=np.float64)
        self._uasc_year_array = self.uasc_years.to_numpy(dtype=np.float64)

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
        known = self.years[(self.years >= 0) & (self.years <= collection_year(as_at))]
        return date(int(known.min()) if len(known) else collection_year(as_at), 4, 1)

    def cut(self, as_at: date) -> Ssda903Files:
        """The returns as they stood on ``as_at`` (see the module's docstring)."""
        return self._cut_files(self._known_on(as_at))

    def _known_on(self, as_at: date) -> _Known:
        """Which rows the returns held on ``as_at`` and which of their dates were not known yet,
        with the returns' order as the cleaner finds it on them (kept for every date asked)."""
        if as_at in self._known:
            return self._known[as_at]
        moment = pd.Timestamp(as_at)
        instant = moment.to_datetime64()
        now = collection_year(as_at)
        # On arrays (NaT and NaN compare false, as in pandas): a few comparisons of every row.
        years = self._year_array
        finished = (years < now) | ((years == now) & (as_at >= date(now + 1, 3, 31)))
        # a DECOM that is not a date is kept: the cleaner reports it
        current = (years == now) & ~(self._decom_array > instant)
        keep = finished | current
        later = keep & (self._dec_array > instant)
        header = ~(self._header_year_array > now)
        keep_uasc = ~(self._uasc_year_array > now)
        ceased_later = keep_uasc & (self._duc_array > instant)
        at = np.flatnonzero(keep)
        ret = pd.Series(_in_turn(self._return_id[at]))
        returns = self._return_order(at, later, ret.to_numpy(), moment)
        # The cleaner numbers the returns a cut holds in turn; the raw files' own numbers are
        # what compare two dates.
        own = pd.Series(self._return_id[at]).groupby(ret.to_numpy()).first()
        by_return = returns[["fy", "rank"]].set_axis(own.reindex(returns.index).to_numpy())
        known = _Known(
            as_at=moment,
            episodes=np.where(keep, np.where(later, 2, 1), 0).astype(np.int8),
            header=header,
            uasc=np.where(keep_uasc, np.where(ceased_later, 2, 1), 0).astype(np.int8),
            open=keep & (later | np.isnat(self._dec_array)),
            ret=ret,
            returns=returns,
            by_return=by_return,
        )
        self._known[as_at] = known
        return known

    def _return_order(
        self, at: np.ndarray, later: np.ndarray, numbers: np.ndarray, moment: pd.Timestamp
    ) -> pd.DataFrame:
        """``returns_of(...)[1]`` for the cut holding rows ``at`` (``later``: their DEC blanked;
        ``numbers``: their returns numbered in turn), from one row per return: the order of the
        returns reads only each one's latest date, first year in its name and first file, so
        those are found here with numpy rather than by the cleaner's frame of every row."""
        start = self._decom_array[at]
        counted = self._countable[at] & ~(start > moment.to_datetime64())
        # A row's latest date is its DECOM, or its DEC less a day if later; none after the date.
        last = np.where(later[at], start, self._latest_of_row[at])[counted]
        last[last > moment.to_datetime64()] = np.datetime64("NaT")
        keys = numbers[counted]
        hints, sources = self._year_hint[at][counted], self._source[at][counted]
        found = np.unique(keys)
        latest = np.empty(len(found), dtype=np.int64)
        hint = np.full(len(found), np.nan)
        first = np.empty(len(found), dtype=np.int64)
        for i, number in enumerate(found):  # a loop over the returns (a dozen), never over rows
            mine = keys == number
            latest[i] = last[mine].view(np.int64).max()  # NaT is below any date: the latest date, if any
            first[i] = np.argmax(mine)
            named = hints[mine][~np.isnan(hints[mine])]
            if len(named):
                hint[i] = named[0]
        one_row_each = pd.DataFrame(
            {
                "_ret": found,
                "_decom": latest.view("datetime64[ns]"),
                "_dec": np.full(len(found), np.datetime64("NaT"), dtype="datetime64[ns]"),
                "_year_hint": hint,
                "_src": sources[first],
            }
        )
        return return_order(one_row_each, moment)

    def _cut_files(self, known: _Known, children: np.ndarray | None = None) -> Ssda903Files:
        """The returns ``known`` holds, only the rows of ``children`` (a mask by child number)
        if given, with each episode's return number as the cleaner gives it (``_ret``) then, and
        without the versions of an episode that a later return repeats (``_superseded``)."""
        rows = known.episodes > 0
        header_rows = known.header
        uasc_rows = known.uasc > 0
        if children is not None:
            rows = rows & children[self._episode_child]
            rows &= ~self._superseded(known, rows)
            header_rows = header_rows & children[self._header_child]
            uasc_rows = uasc_rows & children[self._uasc_child]
        # ``take``: a new frame whose columns can be set (a mask and a copy cost twice as much).
        kept = self.files.episodes.take(np.flatnonzero(rows))
        kept.index = pd.RangeIndex(len(kept))  # as the cleaner numbers them (no copy to renumber)
        blanked = known.episodes[rows] == 2
        _blank(kept, blanked, _LATER_COLUMNS)
        # The dates parsed once, as the cleaner would parse the cut's text (a blanked one: NaT).
        kept["_decom"] = self._decom_array[rows]
        kept["_dec"] = np.where(blanked, np.datetime64("NaT"), self._dec_array[rows])
        if children is not None:
            kept["_ret"] = known.ret.to_numpy()[np.flatnonzero(rows[known.episodes > 0])]
        uasc = self.files.uasc.take(np.flatnonzero(uasc_rows))
        ceased_later = known.uasc[uasc_rows] == 2
        _blank(uasc, ceased_later, ["DUC"])
        uasc["_duc"] = np.where(ceased_later, np.datetime64("NaT"), self._duc_array[uasc_rows])
        header = self.files.header.take(np.flatnonzero(header_rows))
        header["_dob"] = self._dob_array[header_rows]
        return replace(self.files, episodes=kept, header=header, uasc=uasc)

    def _superseded(self, known: _Known, rows: np.ndarray) -> np.ndarray:
        """A mask by episode row of the rows among ``rows`` (held in ``known``) that an episode's
        version in a later return replaces: the same child and DECOM (as the cleaner parses it)
        in a return of higher rank. Rule 3 keeps only the latest return's version, and the
        earlier ones change nothing but the issues and counts the replay does not read, so a
        child cleaned again is cleaned without them (a quarter to a third of the rows). Only
        rows rules 1 and 2 keep are compared, as rule 3 sees them."""
        drop = np.zeros(len(rows), dtype=bool)
        at = np.flatnonzero(rows)
        numbers = known.ret.to_numpy()[np.flatnonzero(rows[known.episodes > 0])]
        start = self._decom_array[at]
        counted = self._countable[at] & ~(start > known.as_at.to_datetime64())
        at, numbers, start = at[counted], numbers[counted], start[counted].view(np.int64)
        rank = known.returns["rank"].reindex(numbers).to_numpy(dtype=np.float64)
        if not len(at) or np.isnan(rank).any():  # every row rule 2 keeps has its return ordered
            return drop
        child = self._episode_child[at]
        order = np.lexsort((rank, start, child))  # each episode's rows together, latest return last
        child, start, rank = child[order], start[order], rank[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = (child[1:] != child[:-1]) | (start[1:] != start[:-1])
        last = np.append(np.flatnonzero(first)[1:] - 1, len(order) - 1)
        latest_rank = rank[last][np.cumsum(first) - 1]
        drop[at[order[rank < latest_rank]]] = True
        return drop

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
        holds no episode), kept for the last two dates asked: the cut and the steps before rule
        8 are the same for each rule."""
        if as_at not in self._prepared_on:
            cut = self.cut(as_at)
            state = None if cut.episodes.empty else prepare_cleaning(cut, mapping=self.mapping, la=self.la, today=as_at)
            if len(self._prepared_on) >= 2:
                del self._prepared_on[next(iter(self._prepared_on))]
            self._prepared_on[as_at] = state
        return self._prepared_on[as_at]

    def placements(self, as_at: date, rule: str) -> pd.DataFrame:
        """``clean(as_at, rule).placements``, the same frame to the last value, without cleaning
        every child again: each step after the order of the returns works one child at a time,
        so the children whose rows the returns cut at ``as_at`` hold as they held them at a date
        already cleaned, and for whom nothing the date itself decides differs (``_differ``),
        keep their placements of that date; only the others are cleaned, with the returns
        ordered as the whole cut orders them."""
        key = (as_at, rule)
        if key not in self._placed:
            # A date cleaned whole under another rule needs only rule 8 and the steps after it.
            whole = key in self._cleaned or as_at in self._prepared_on
            placed = None
            if self.incremental and not whole:
                # The same date under another rule differs only for the children rule 8 is
                # about, far fewer than those two dates' cuts hold differently.
                other = next((r for r in RULES if r != rule and (as_at, r) in self._placed), None)
                if other is not None:
                    placed = self._cleaned_again_under(other, as_at, rule)
                base = self._nearest(as_at, rule) if placed is None else None
                if base is not None:
                    placed = self._cleaned_again(base, as_at, rule)
            if placed is None:
                placements = self.clean(as_at, rule).placements
                placed = _Placed(placements, self._children.get_indexer(placements["child_ref"]))
            self._placed[key] = placed
        return self._placed[key].placements

    def _nearest(self, as_at: date, rule: str) -> date | None:
        done = [d for d, r in self._placed if r == rule]
        return min(done, key=lambda d: (abs((d - as_at).days), d)) if done else None

    def _differ(self, base: _Known, known: _Known, rule: str) -> np.ndarray:
        """A mask by child number of the children whose placements may differ between the cuts
        ``base`` and ``known``: a row held differently (added, gone, its end blanked or not); a
        DECOM or date of birth between the two dates (the cleaner compares them with the date);
        a row of a return whose collection year or place in the order differs; an open episode
        that rule 8 finds stale in one cut and not in the other (in either, when rule 8 counts it
        up to the date itself)."""
        low, high = sorted((base.as_at, known.as_at))
        rows = base.episodes != known.episodes
        held = (base.episodes > 0) | (known.episodes > 0)
        low, high = low.to_datetime64(), high.to_datetime64()
        rows |= held & (self._decom_array > low) & (self._decom_array <= high)
        ids = base.by_return.index.union(known.by_return.index)
        before, after = base.by_return.reindex(ids), known.by_return.reindex(ids)
        moved = ids[(before != after).any(axis=1).to_numpy()]
        rows |= held & np.isin(self._return_id, moved.to_numpy())
        # Rule 8 finds an open episode stale by its return's collection year and place against
        # the latest year and the number of returns: an episode open in both cuts, in a return
        # that has not moved, is stale in both or in neither, unless those two differ and it is
        # stale in one cut only. Counted up to the date itself, a stale episode ends the day
        # after each date, so it differs whenever it is stale in either cut.
        both = base.open & known.open & ~rows
        where = known.by_return.reindex(self._return_id[both])
        fy, rank = where["fy"].to_numpy(), where["rank"].to_numpy()
        stale = [_stale_in(k, fy, rank) for k in (base, known)]
        unsure = where.isna().any(axis=1).to_numpy() | (stale[0] != stale[1])
        if rule == _UP_TO_THE_DATE:
            # Only an episode's latest version can be stale: a row that a later return replaces
            # in this cut is not (nor in the other, unless the later row differs, and with it
            # the child).
            replaced = self._superseded(known, known.episodes > 0)[both]
            unsure |= (stale[0] | stale[1]) & ~replaced
        rows[np.flatnonzero(both)[unsure]] = True
        header = base.header != known.header
        header |= (base.header | known.header) & (self._dob_array > low) & (self._dob_array <= high)
        differ = np.zeros(len(self._children), dtype=bool)
        differ[self._episode_child[rows]] = True
        differ[self._header_child[header]] = True
        differ[self._uasc_child[base.uasc != known.uasc]] = True
        return differ

    def _stale_children(self, known: _Known) -> np.ndarray:
        """A mask by child number of the children with an open episode that rule 8 may find
        stale in the cut ``known``: its latest version (not one a later return replaces) in a
        return of an earlier collection year than the latest and not the last in the order, or in
        a return whose place is not known. Every other child is cleaned the same under each rule."""
        rows = known.open & ~self._superseded(known, known.episodes > 0)
        where = known.by_return.reindex(self._return_id[rows])
        stale = _stale_in(known, where["fy"].to_numpy(), where["rank"].to_numpy())
        stale |= where.isna().any(axis=1).to_numpy()
        children = np.zeros(len(self._children), dtype=bool)
        children[self._episode_child[np.flatnonzero(rows)[stale]]] = True
        return children

    def _cleaned_again_under(self, other: str, as_at: date, rule: str) -> _Placed | None:
        """The placements on ``as_at`` under ``rule`` from those under ``other`` on the same date:
        only the children rule 8 may find stale are cleaned again (None as ``_again``)."""
        known = self._known_on(as_at)
        return self._again(self._placed[(as_at, other)], known, self._stale_children(known), as_at, rule)

    def _cleaned_again(self, base_date: date, as_at: date, rule: str) -> _Placed | None:
        """The placements on ``as_at``: ``base_date``'s for the children ``_differ`` leaves out,
        the others' cleaned alone (None as ``_again``)."""
        base, known = self._known_on(base_date), self._known_on(as_at)
        return self._again(self._placed[(base_date, rule)], known, self._differ(base, known, rule), as_at, rule)

    def _again(self, before: _Placed, known: _Known, differ: np.ndarray, as_at: date, rule: str) -> _Placed | None:
        """``before``'s placements for the children not in ``differ``, the others' cleaned alone
        from the cut ``known`` (None when the cut holds no episode, or every child or none has a
        placement to clean)."""
        kept = ~differ[before.children]
        if not kept.any() or not (known.episodes > 0).any():
            return None
        parts = [before.placements[kept]]
        children = [before.children[kept]]
        cut = self._cut_files(known, differ)
        if len(cut.episodes):
            try:
                prepared = prepare_cleaning(
                    cut, mapping=self.mapping, la=self.la, today=as_at, returns=known.returns, placements_only=True
                )
                fresh = finish_placements(prepared, rule)  # only the placements are read
            except MappingError:  # an ambiguous mapping: the whole cleaning says where
                return None
            parts.append(fresh)
            children.append(self._children.get_indexer(fresh["child_ref"]))
        parts = [p for p in parts if len(p)]
        if not parts:
            return None
        codes = np.concatenate(children)
        order = np.argsort(codes, kind="stable")  # a child's placements stay in their order
        placements = pd.concat(parts, ignore_index=True).take(order).reset_index(drop=True)
        return _Placed(placements, codes[order])

    def inputs(self, as_at: date, rule: str, horizon: int = REPLAY_HORIZON) -> dict[str, SeriesInputs]:
        """Month-end numbers by type and in total as known on ``as_at`` with ``rule`` for open
        episodes missing from a later return, and the children still placed ``horizon`` months
        on."""
        key = (as_at, rule, horizon)
        if key not in self._inputs:
            placements = self.placements(as_at, rule)
            self._inputs[key] = placement_series(
                placements, self.types, as_at=as_at, history_from=self.history_from(as_at), horizon=horizon
            )
        return self._inputs[key]

    def replay_side_by_side(
        self,
        keys: Sequence[tuple[date, str]],
        workers: int,
        *,
        also_here: Callable[[], object] | None = None,
        also_cost: float = 0.0,
    ) -> None:
        """``inputs(as_at, rule)`` of every (date, rule) in ``keys``, worked out by up to
        ``workers`` processes (``side_by_side``) and kept as if worked out here. Each process
        takes a run of neighbouring dates, so that each date is cleaned again from a near one; a
        date's numbers do not depend on which date it is cleaned from. ``also_here`` is done
        first by this process, meanwhile, and counted as ``also_cost`` (in the units below)."""
        todo = sorted(dict.fromkeys(k for k in keys if not self.has_inputs(*k)))
        if workers <= 1 or len(todo) < 2:
            return
        # A date costs a fixed part (measured: about what the episodes of the latest half take)
        # and a part for each episode known on it: each run of dates is given an equal share. The
        # latest date cleaned whole (when nothing near it is cleaned yet: its other rules then
        # reuse the steps before rule 8) costs about four times a date cleaned again.
        starts = np.sort(self._decom_array[~np.isnat(self._decom_array)])
        known = np.searchsorted(starts, np.array([d for d, _r in todo], dtype="datetime64[ns]"), side="right")
        cost = known + known.max() / 2 + 1
        latest = todo[-1][0]
        if not any(d == latest for d, _r in self._placed):
            cost[[d for d, _r in todo].index(latest)] *= 4
        # What this process does besides comes last, so that it falls in this process's run.
        positions = shares(np.append(cost, also_cost if also_here is not None else 0.0), workers)
        runs = [[todo[i] for i in run if i < len(todo)] for run in positions]
        # This process takes the latest run, back from the latest date (the as-at date): each of
        # those dates is cleaned again from a near one, and kept here with the as-at date's
        # cleaning, which the forecast reads again.
        runs[-1].reverse()
        for found in side_by_side(self._inputs_of, runs, meanwhile=also_here):
            self._inputs.update(found)

    def has_inputs(self, as_at: date, rule: str) -> bool:
        """Whether ``inputs(as_at, rule)`` is worked out already (nothing left to clean)."""
        return (as_at, rule, REPLAY_HORIZON) in self._inputs

    def month_ends(self, as_at: date) -> list[date]:
        """The dates of ``inputs(as_at, ...)`` when any child is known by then, worked out
        without cleaning: each month-end from where the history starts, the last the as-at date."""
        ends, day = [], month_end(min(self.history_from(as_at), as_at))
        while day < as_at:
            ends.append(day)
            day = month_end(day + timedelta(days=1))
        return [*ends, as_at]

    def _inputs_of(self, keys: Sequence[tuple[date, str]]) -> dict[tuple[date, str, int], dict[str, SeriesInputs]]:
        return {(d, rule, REPLAY_HORIZON): self.inputs(d, rule) for d, rule in keys}

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


def _stale_in(known: _Known, fy: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Whether rule 8 finds an open episode stale in the cut ``known``, by the collection year
    ``fy`` and place ``rank`` of its return (``_stale_open`` in the cleaner): a year before the
    latest, and not the last return in the order."""
    latest = known.returns["fy"].max() if len(known.returns) else -1
    stale: np.ndarray = (fy < latest) & (fy >= 0) & (rank < len(known.returns) - 1)
    return stale


def _blank(frame: pd.DataFrame, rows: np.ndarray, columns: list[str]) -> None:
    """Text ``columns`` of ``frame`` made blank on ``rows`` (a mask), in place."""
    if rows.any():
        for column in columns:
            frame[column] = np.where(rows, "", frame[column].to_numpy(dtype=object))


def _in_turn(numbers: np.ndarray) -> np.ndarray:
    """The numbers renumbered 0, 1, 2 ... in the order they first appear, -1 (a return with no
    file, LA or YEAR to tell it by) left as it is: ``return_numbers`` of some rows from
    ``return_numbers`` of them all."""
    out = np.full(len(numbers), -1, dtype=np.int64)
    named = numbers >= 0
    found, first = np.unique(numbers[named], return_index=True)
    if len(found):
        turn = np.empty(int(found.max()) + 1, dtype=np.int64)
        turn[found[np.argsort(first, kind="stable")]] = np.arange(len(found))
        out[named] = turn[numbers[named]]
    return out
