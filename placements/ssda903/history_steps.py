"""Cleaning steps 8 to 13 of docs/ssda903.md: a child's episodes together, into placements.

They expect each child's episodes in start order (``sort_by_child_and_start``) and work with
``shift`` and ``cumsum``, never a Python loop over episodes.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from placements.ssda903.children import uasc_until
from placements.ssda903.codes import CONTINUING_RNE, PLACEMENT_COLUMNS, TEMPORARY_PLACES
from placements.ssda903.dates import financial_year_start, fy_label, uk_dates, yyyymmdd
from placements.ssda903.mapping import apply_mapping
from placements.ssda903.state import CleaningState, rows_where


def _with_dec(ep: pd.DataFrame, rows: pd.Series, dec: pd.Series) -> pd.DataFrame:
    """``ep`` with ``_dec`` set to ``dec`` on ``rows``, leaving the frame given unchanged."""
    new_dec = ep["_dec"].copy()
    new_dec.loc[rows] = dec
    ep = ep.copy(deep=False)
    ep["_dec"] = new_dec
    return ep


# Rule 8's choices for an open episode whose child is missing from a later return
# (docs/ssda903.md): the default is the rule the cleaner has always applied.
STALE_OPEN_RULES = ("close_at_return_end", "keep_open", "close_at_last_known")
DEFAULT_STALE_OPEN = "close_at_return_end"
STALE_OPEN_COLUMNS = ["child", "decom", "file", "row", "last_return"]


def _stale_open(state: CleaningState) -> tuple[pd.Series, pd.Series]:
    """(open episodes whose latest version is in a return older than the latest, the
    collection year of that return)."""
    ep, returns = state.episodes, state.returns
    latest_fy = int(returns["fy"].max()) if len(returns) else -1
    ret_fy = ep["_ret"].map(returns["fy"]).astype("int64")
    stale = ep["_dec"].isna() & (ret_fy < latest_fy) & (ret_fy >= 0) & (ep["_rank"] < len(returns) - 1)
    return stale, ret_fy


def stale_open_children(state: CleaningState) -> pd.DataFrame:
    """The children rule 8 is about, for the officer to check whatever the rule: child, DECOM of
    the open episode, the file and row of the last return that lists it, and that return's
    collection year (2019/20). Call it on the state rule 8 is given."""
    stale, ret_fy = _stale_open(state)
    bad = state.episodes[stale]
    return pd.DataFrame(
        {
            "child": bad["CHILD"].to_numpy(),
            "decom": bad["_decom"].to_numpy(),
            "file": bad["_file"].to_numpy(),
            "row": bad["_row"].to_numpy(),
            "last_return": fy_label(ret_fy[stale]).to_numpy(),
        },
        columns=STALE_OPEN_COLUMNS,
    )


def close_stale_open_episodes(state: CleaningState, rule: str = DEFAULT_STALE_OPEN) -> CleaningState:
    """8. An open episode missing from a later return: by default it ended by the end of the last
    return that showed it (every child looked after in a year is in that year's return).
    ``keep_open`` leaves it open; ``close_at_last_known`` counts the child up to the as-at date
    (``today``) and not after. Every such episode is reported, whatever the rule."""
    if rule not in STALE_OPEN_RULES:
        raise ValueError(f"stale_open must be one of {', '.join(STALE_OPEN_RULES)}, not {rule!r}")
    ep = state.episodes
    stale, ret_fy = _stale_open(state)
    if not stale.any():
        return replace(state, episodes=ep)
    missing = "open episode is missing from the later return(s): "
    wanted = state.issues.wanted  # placements only: the episodes are changed, not reported
    if rule == "keep_open":
        if wanted:
            last = fy_label(ret_fy[stale])
            reason = (
                missing + "kept open; check whether the child is still looked after (last in the " + last + " return)"
            )
            state.issues.add(ep[stale], "DEC", "", reason, "kept", "stale_open")
        return replace(state, episodes=ep)
    if rule == "close_at_last_known":
        closed = pd.Series(state.today + pd.Timedelta(days=1), index=ep.index[stale.to_numpy()])
        how = "counted up to the as-at date and closed after it, DEC "
    else:
        closed = pd.to_datetime((ret_fy[stale] + 1).astype(str) + "-04-01")
        how = "closed at the end of its last return, DEC "
    if wanted:
        state.issues.add(ep[stale], "DEC", "", missing + how + uk_dates(closed), "corrected", "stale_open")
    return replace(state, episodes=_with_dec(ep, stale, closed))


def end_overlaps(state: CleaningState) -> CleaningState:
    """9. An episode that runs past the next one's start ends when the next one starts: a child
    is in one placement at a time and the later record is the more recent information."""
    ep = state.episodes
    same_child_next = _same_child(ep, -1)
    next_start = ep["_decom"].shift(-1).where(same_child_next)
    overlap = next_start.notna() & (ep["_dec"].isna() | (ep["_dec"] > next_start))
    if overlap.any() and not state.issues.wanted:
        ep = _with_dec(ep, overlap, next_start[overlap])
    elif overlap.any():
        bad = ep[overlap]
        was = bad["_dec"].pipe(uk_dates).where(bad["_dec"].notna(), "open")
        state.issues.add(
            bad,
            "DEC",
            bad["DEC"],
            "overlaps the child's next episode: DEC " + was + " set to its start " + uk_dates(next_start[overlap]),
            "corrected",
            "overlap",
        )
        ep = _with_dec(ep, overlap, next_start[overlap])
    return replace(state, episodes=ep)


def _same_child(ep: pd.DataFrame, shift: int) -> pd.Series:
    """Whether the row ``shift`` rows before (1) or after (-1) is of the same child: compared as
    numbers (``_child``) when the rows carry them, each a child's place among the references."""
    child = ep["_child"] if "_child" in ep.columns else ep["CHILD"]
    return child.eq(child.shift(shift))


def _contiguous_runs(ep: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(starts the day the child's previous episode ends, number of the run of contiguous
    episodes, is a temporary placement)."""
    prev_same = _same_child(ep, 1)
    contiguous = prev_same & ep["_decom"].eq(ep["_dec"].shift(1))
    run = (~contiguous).cumsum()
    temporary = ep["PLACE"].isin(TEMPORARY_PLACES)
    return contiguous, run, temporary


def _fill_within_runs(values: pd.Series, blank: pd.Series, run: pd.Series) -> pd.Series:
    """``values.where(~blank).groupby(run).ffill()`` for runs that are neighbours (numbered in
    turn): each blank row takes the last value not blank before it in its run, NaN if none."""
    n = len(values)
    if not n:
        return values.where(~blank)
    runs = run.to_numpy()
    starts_run = np.insert(runs[1:] != runs[:-1], 0, True)
    run_start = np.flatnonzero(starts_run)[np.cumsum(starts_run) - 1]
    last = np.maximum.accumulate(np.where(blank.to_numpy(), -1, np.arange(n)))
    found = last >= run_start
    filled = values.to_numpy(dtype=object)[np.where(found, last, 0)]
    filled[~found] = np.nan
    return pd.Series(filled, index=values.index, name=values.name, dtype=object)


def keep_placement_during_temporary_moves(state: CleaningState) -> CleaningState:
    """10. A temporary placement (T0-T4) keeps the placement before it (``_place``,
    ``_provider``): its cost goes on. With no episode ending the day it starts, it is dropped."""
    ep = state.episodes.copy(deep=False)  # whole columns are set: the frame given is not changed
    _contiguous, run, temporary = _contiguous_runs(ep)
    base_place = _fill_within_runs(ep["PLACE"], temporary, run)
    orphan = temporary & base_place.isna()
    if orphan.any():
        if state.issues.wanted:
            bad = ep[orphan]
            state.issues.add(
                bad,
                "PLACE",
                bad["PLACE"],
                "temporary placement " + bad["PLACE"] + " with no placement just before it to keep",
                "dropped",
                "temporary_without_placement",
            )
        ep = rows_where(ep, ~orphan)  # a new frame: its index is renumbered in place
        ep.index = pd.RangeIndex(len(ep))
        _contiguous, run, temporary = _contiguous_runs(ep)
    ep["_place"] = _fill_within_runs(ep["PLACE"], temporary, run)
    ep["_provider"] = _fill_within_runs(ep["_provider"], temporary, run)
    return replace(state, episodes=ep)


def merge_continuing_episodes(state: CleaningState) -> CleaningState:
    """11. An episode continues the placement before it (``_continues``) when it starts the day
    that one ends and is a temporary move, or has RNE L, T or U with unchanged PLACE and provider.
    Each placement gets a number (``_pid``) and the reference of its first episode (``_ref``)."""
    ep = state.episodes.copy(deep=False)  # whole columns are set: the frame given is not changed
    contiguous, _run, temporary = _contiguous_runs(ep)
    same_place = ep["_place"].eq(ep["_place"].shift(1)) & ep["_provider"].eq(ep["_provider"].shift(1))
    continues = contiguous & same_place & (temporary | ep["RNE"].isin(CONTINUING_RNE))
    ep["_continues"] = continues
    ep["_pid"] = (~continues).cumsum() - 1
    # The first episode never continues another, so every placement number has its first row.
    first_decom = ep["_decom"].to_numpy()[np.flatnonzero(~continues.to_numpy())]
    ep["_start"] = pd.Series(first_decom[ep["_pid"].to_numpy()], index=ep.index, dtype=ep["_decom"].dtype)
    # Written in Python: quicker than pandas' text concatenation for one short text a row.
    days = yyyymmdd(ep["_start"]).tolist()
    refs = _texts([f"903-{child}-{day}" for child, day in zip(ep["CHILD"].tolist(), days, strict=True)])
    ep["_ref"] = pd.Series(refs, index=ep.index, copy=False)
    return replace(state, episodes=ep)


def _texts(texts: list[str]) -> np.ndarray:
    """The texts as an object array: filled in place, which pandas' conversion of a list is
    several times slower at."""
    out = np.empty(len(texts), dtype=object)
    out[:] = texts
    return out


def _placement_starts(ep: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``columns`` of the first episode of each placement, indexed by placement number."""
    at = np.flatnonzero(~ep["_continues"].to_numpy(dtype=bool))  # a column at a time, not the frame
    index = pd.Index(ep["_pid"].to_numpy()[at], name="_pid")
    return pd.DataFrame({c: ep[c].to_numpy()[at] for c in columns}, index=index, copy=False)


def map_finance_types(state: CleaningState) -> CleaningState:
    """12. Each placement's finance type (``_type``) from its first episode's PLACE x provider,
    in the collection year of its DECOM. With no mapping row, every episode of it is dropped."""
    ep = state.episodes.copy(deep=False)  # whole columns are set: the frame given is not changed
    starts = _placement_starts(ep, ["_place", "_provider", "_decom"])
    starts["_fy"] = financial_year_start(starts["_decom"])
    starts["PLACE"] = starts["_place"]
    finance = apply_mapping(starts, state.mapping)
    unmapped_pid = finance.index[finance.isna()]
    if len(unmapped_pid) and not state.issues.wanted:
        ep = rows_where(ep, ~ep["_pid"].isin(unmapped_pid))
    elif len(unmapped_pid):
        lost = ep["_pid"].isin(unmapped_pid)
        bad = ep[lost]
        first = starts.loc[bad["_pid"]]
        text = (
            "no finance placement type for PLACE "
            + first["_place"].to_numpy()
            + " with provider "
            + first["_provider"].replace("", "(blank)").to_numpy()
            + " in "
            + fy_label(first["_fy"]).to_numpy()
        )
        reason = pd.Series(text, index=bad.index)
        reason = reason.where(~bad["_continues"], reason + " (the placement this episode continues)")
        state.issues.add(bad, "PLACE", bad["PLACE"], reason, "dropped", "no_mapping")
        ep = rows_where(ep, ~lost)
    ep["_type"] = ep["_pid"].map(finance).astype(object)  # text, even with no placement left
    return replace(state, episodes=ep)


def report_merged_episodes(state: CleaningState) -> CleaningState:
    """11, reported. Episodes merged into the placement before them are reported once the
    placements without a finance type are gone (those episodes are reported as dropped)."""
    if not state.issues.wanted:
        return state
    ep = state.episodes
    at = np.flatnonzero(ep["_continues"].to_numpy(dtype=bool))
    # Only the columns read here, for the merged episodes (not a copy of every column).
    merged = pd.DataFrame({c: ep[c].to_numpy()[at] for c in ("_file", "_row", "PLACE", "RNE", "_ref")}, copy=False)
    temp = merged["PLACE"].isin(TEMPORARY_PLACES)
    into = " (merged into " + merged["_ref"] + ")"
    state.issues.add(
        merged[temp],
        "PLACE",
        merged.loc[temp, "PLACE"],
        "temporary placement " + merged.loc[temp, "PLACE"] + ": the child's placement before it continues" + into[temp],
        "merged",
        "temporary_move",
    )
    rest = merged[~temp]
    state.issues.add(
        rest,
        "RNE",
        rest["RNE"],
        "RNE " + rest["RNE"] + " is not a change of placement and PLACE and "
        "provider are unchanged: the same placement continues" + into[~temp],
        "merged",
        "continuing_episode",
    )
    return state


def build_placements(state: CleaningState) -> CleaningState:
    """13. One row per placement: reference, child, first DECOM, last DEC (NaT if open), UASC."""
    ep = state.episodes
    # Each placement's first episode, by position (a column at a time: no copy of the frame).
    at = np.flatnonzero(~ep["_continues"].to_numpy(dtype=bool))

    def first(column: str) -> pd.Series:
        # From the column's array: a Series' take and new index cost more than the rows taken.
        return pd.Series(ep[column].to_numpy()[at], name=column, copy=False)

    # The end of a placement is its last episode's DEC, open (NaT) included: groupby.last() would
    # skip an open last episode. A placement's episodes are neighbours (numbered in turn).
    pid = ep["_pid"].to_numpy()
    is_last = np.append(pid[1:] != pid[:-1], True) if len(pid) else np.zeros(0, dtype=bool)
    last = pd.Series(ep["_dec"].to_numpy()[is_last], index=pid[is_last], dtype=ep["_dec"].dtype)
    if np.array_equal(last.index.to_numpy(), pid[at]):  # every placement's first and last rows, in turn
        end = last.reset_index(drop=True)
    else:
        end = last.reindex(pid[at]).reset_index(drop=True)
    until = uasc_until(state.uasc)
    child = first("CHILD")
    start = first("_decom")
    duc = child.map(until)
    files, rows = first("_file").tolist(), first("_row").tolist()
    # Written in Python: quicker than pandas' text concatenation for one short text a row.
    sources = _texts([f"{file} row {row}" for file, row in zip(files, rows, strict=True)])
    placements = pd.DataFrame(
        {
            "placement_ref": first("_ref"),  # 903-CHILD-first DECOM (rule 11)
            "child_ref": child,
            "child_dob": first("_dob"),
            "uasc": (child.isin(until.index) & (duc.isna() | (start < duc))).astype(bool),
            "placement_type": first("_type"),
            "place": first("_place"),
            "place_provider": first("_provider"),
            "start_date": start,
            "end_date": end,
            "source": pd.Series(sources, copy=False),
        },
        columns=PLACEMENT_COLUMNS,
        copy=False,  # every column is new here: not copied again into blocks
    )
    return replace(state, placements=placements)
