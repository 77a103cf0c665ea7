"""Cleaning steps 0 to 7 of docs/ssda903.md: checks of each episode on its own.

They run before the steps that look at a child's neighbouring episodes, so that an episode that
will be thrown away cannot shorten or merge with a good one. Each step takes the state and returns
it with the episodes it keeps; what it drops, ignores or corrects goes to ``state.issues``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from placements.ssda903.children import child_dobs
from placements.ssda903.codes import EPISODE_COLUMNS, PLACE_CODES, PROVIDER_CODES, RNE_CODES, SHORT_BREAK_LS
from placements.ssda903.dates import parse_dates, uk_dates
from placements.ssda903.disagreements import disagreeing_returns, disagreement_reasons
from placements.ssda903.returns import numbered_from_zero, return_order, select_authority
from placements.ssda903.state import CleaningState, split, split_in_turn
from placements.ssda903.uniques import child_order, on_uniques

NOT_A_DATE = "(use 31/07/2019 or 2019-07-31)"


def keep_authority(state: CleaningState) -> CleaningState:
    """0. Keep the chosen authority's rows of regional files (and every row of DfE files)."""
    episodes, header, uasc, n_other = select_authority(state.episodes, state.header, state.uasc, state.la)
    return replace(
        state,
        episodes=numbered_from_zero(episodes),
        header=header,
        uasc=uasc,
        episodes_read=len(episodes),
        episodes_other_authorities=n_other,
    )


def read_codes_and_dates(state: CleaningState) -> CleaningState:
    """Codes in upper case, DECOM and DEC parsed (NaT if blank or not a date) unless the frame
    carries them parsed, and the return (file, or LA + YEAR of a regional file) each episode
    comes from."""
    ep = state.episodes.copy(deep=False)  # whole columns are set: the frame given is not changed
    for column in ("RNE", "LS", "PLACE", "PLACE_PROVIDER"):
        ep[column] = on_uniques(ep[column], _upper)
    # Dates the frame carries parsed already (see ``CleaningState``) are used as they are.
    if "_decom" not in ep.columns:
        ep["_decom"] = parse_dates(ep["DECOM"])
    if "_dec" not in ep.columns:
        ep["_dec"] = parse_dates(ep["DEC"])
    if not state.returns_given:
        ep["_ret"] = return_numbers(ep)
    ep["_child"] = child_order(ep)
    return replace(state, episodes=ep)


def return_numbers(episodes: pd.DataFrame) -> pd.Series:
    """Each episode's return as a number (a DfE file, or one LA + YEAR of a regional file), in
    the order the returns first appear."""
    # Each key numbered, the three numbers made one, and that numbered in the order it first
    # appears: groupby(sort=False).ngroup() without its fixed costs. A missing key (which
    # groupby leaves out) goes to groupby itself.
    codes = [pd.factorize(episodes[key])[0].astype("int64") for key in ("_src", "LA", "YEAR")]
    if not len(episodes) or min(int(c.min()) for c in codes) < 0:
        return episodes.groupby(["_src", "LA", "YEAR"], sort=False).ngroup()
    sizes = [int(c.max()) + 1 for c in codes]
    key = (codes[0] * sizes[1] + codes[1]) * sizes[2] + codes[2]
    return pd.Series(pd.factorize(key)[0].astype("int64"), index=episodes.index)


def _upper(codes: pd.Series) -> pd.Series:
    return codes.str.upper()


def drop_missing_child(state: CleaningState) -> CleaningState:
    """1. No child reference: nothing can be linked to the episode."""
    bad, ep = split(state.episodes, state.episodes["CHILD"] == "")
    state.issues.add(bad, "CHILD", "", "no child reference (CHILD is blank)", "dropped", "missing_child")
    return replace(state, episodes=ep)


def drop_bad_start_dates(state: CleaningState) -> CleaningState:
    """2. No DECOM, a DECOM that is not a date, or one after today."""
    issues = state.issues
    ep = state.episodes
    (blank, bad, future), ep = split_in_turn(ep, ep["DECOM"] == "", ep["_decom"].isna(), ep["_decom"] > state.today)
    issues.add(blank, "DECOM", "", "no start date (DECOM is blank)", "dropped", "missing_decom")
    issues.add(bad, "DECOM", bad["DECOM"], f"DECOM is not a date {NOT_A_DATE}", "dropped", "bad_date")
    issues.add(future, "DECOM", future["DECOM"], "DECOM is in the future", "dropped", "decom_in_future")
    return replace(state, episodes=ep)


# What the steps after rule 3 read of an episode.
_LATER_COLUMNS = [
    "CHILD",
    "DECOM",
    "DEC",
    "RNE",
    "LS",
    "PLACE",
    "PLACE_PROVIDER",
    "_file",
    "_row",
    "_decom",
    "_dec",
    "_ret",
    "_rank",
    "_child",
]


_DAY = 86_400 * 10**9  # in nanoseconds


def _sort_order(child: np.ndarray, decom: np.ndarray, rank: np.ndarray, row: np.ndarray) -> np.ndarray:
    """``np.lexsort((row, rank, decom, child))``: the positions sorted by child, DECOM (int64
    nanoseconds), return and row, ties in input order. When the four fit in one 63-bit number
    (DECOM as a day), that number is sorted instead: one key sorts in a fraction of the time."""
    keys = [child, decom, rank, row]
    if not len(child) or decom.min() == np.iinfo("int64").min or (decom % _DAY).any():
        return np.lexsort(keys[::-1])
    keys[1] = decom // _DAY
    lows = [int(k.min()) for k in keys]
    widths = [int(k.max()) - low + 1 for k, low in zip(keys, lows, strict=True)]
    if np.prod([float(w) for w in widths]) >= 2.0**62:
        return np.lexsort(keys[::-1])
    packed = np.zeros(len(child), dtype="int64")
    for key, low, width in zip(keys, lows, widths, strict=True):
        packed = packed * width + (key.astype("int64") - low)
    return np.argsort(packed, kind="stable")


def keep_latest_return(state: CleaningState) -> CleaningState:
    """3. The same episode (child + DECOM) in several returns: keep the latest return's version.
    Repeats are counted, not reported; two different rows in the same return are a conflict, and
    the later row in the file wins. Returns that disagree about the episode's end (a DEC, then
    open or another DEC) are reported at the earlier row and listed (``disagreements``)."""
    returns = state.returns if state.returns_given else return_order(state.episodes, state.today)
    ep = state.episodes
    rank = ep["_ret"].map(returns["rank"]).to_numpy(dtype="int64")
    child = child_order(ep).to_numpy()  # CHILD's order, as a number: the same sort, without text
    # Sorted by child, DECOM (never missing after rule 2), return and row, ties in input order: a
    # stable sort, as sort_values(kind="stable") would give. Only the columns the later steps read
    # are carried (one copy); each episode's rows are then neighbours.
    order = _sort_order(child, ep["_decom"].to_numpy().view("int64"), rank, ep["_row"].to_numpy())
    columns = {column: ep[column].to_numpy()[order] for column in _LATER_COLUMNS[:-2]}
    columns["_rank"], columns["_child"] = rank[order], child[order]
    srt = pd.DataFrame(columns, copy=False)  # the sorted columns are new: not copied again into blocks
    child, decom, rank, row = child[order], srt["_decom"].to_numpy(), srt["_rank"].to_numpy(), srt["_row"].to_numpy()
    n = len(srt)  # with no episode at all, [:n] keeps the arrays below empty
    same_episode_next = (child[1:] == child[:-1]) & (decom[1:] == decom[:-1])
    superseded = np.append(same_episode_next, False)[:n]  # a later row of the same episode follows
    group = (np.cumsum(~np.insert(same_episode_next, 0, False)) - 1)[:n]
    kept = np.flatnonzero(~superseded)  # the last row of each episode, the one used
    if not state.issues.wanted:  # placements only: the conflicts and disagreements change no row kept
        return replace(state, episodes=srt.take(kept), returns=returns)
    kept_rank = rank[kept][group]
    kept_row = pd.Series(row[kept][group], index=srt.index)
    # Only a row of the kept row's return can conflict with it: the rows compared are those of
    # episodes with more than one row in that return (the kept row is the last of them).
    same_return_next = same_episode_next & (rank[1:] == rank[:-1])
    same_return = (np.insert(same_return_next, 0, False) | np.append(same_return_next, False))[:n] & (rank == kept_rank)
    conflict = np.zeros(len(srt), dtype=bool)
    if same_return.any():
        at = np.flatnonzero(same_return)
        # Only the rows compared are copied (selecting the columns first copied every row).
        rows = pd.DataFrame({column: ep[column].to_numpy()[order[at]] for column in EPISODE_COLUMNS})
        content = pd.Series(pd.util.hash_pandas_object(rows, index=False).to_numpy(), at)
        kept_content = content.groupby([child[at], decom[at]], sort=False).transform("last")
        conflict[at] = superseded[at] & (content != kept_content).to_numpy()
    bad = srt[conflict]
    state.issues.add(
        bad,
        "DECOM",
        bad["DECOM"],
        "another episode of this child starting the same day follows in the same return (row "
        + kept_row[conflict].astype(str)
        + ", which is used)",
        "dropped",
        "conflicting_duplicate",
    )
    n_duplicates = int((superseded & ~conflict).sum())
    found = disagreeing_returns(srt)
    state.issues.add(
        found.rename(columns={"file": "_file", "row": "_row"}),
        "DEC",
        found["value"],
        disagreement_reasons(found),
        "corrected",
        "returns_disagree",
    )
    return replace(
        state,
        # The later steps need only these columns: fewer to copy each time rows are dropped.
        episodes=srt.take(kept),
        returns=returns,
        duplicates_removed=n_duplicates,
        disagreements=found,
    )


def drop_bad_end_dates(state: CleaningState) -> CleaningState:
    """4. A DEC that is not a date or is before DECOM is dropped; DEC = DECOM (no night) ignored."""
    issues = state.issues
    ep = state.episodes
    (bad, before, zero), ep = split_in_turn(
        ep, ep["_dec"].isna() & (ep["DEC"] != ""), ep["_dec"] < ep["_decom"], ep["_dec"] == ep["_decom"]
    )
    if not issues.wanted:
        return replace(state, episodes=ep)
    issues.add(bad, "DEC", bad["DEC"], f"DEC is not a date {NOT_A_DATE}", "dropped", "bad_date")
    issues.add(
        before,
        "DEC",
        before["DEC"],
        "DEC (" + before["DEC"] + ") is before DECOM (" + before["DECOM"] + ")",
        "dropped",
        "dec_before_decom",
    )
    issues.add(
        zero, "DEC", zero["DEC"], "episode ends the day it starts: no night in placement", "ignored", "zero_length"
    )
    return replace(state, episodes=ep)


def check_child_header(state: CleaningState) -> CleaningState:
    """5. The child's header: no header row, no usable DOB, DOB in the future or after DECOM."""
    issues = state.issues
    dobs = child_dobs(state.header, issues)
    has_header = pd.unique(state.header["CHILD"])  # '' is never an episode's CHILD (rule 1)
    ep = state.episodes.copy(deep=False)  # whole columns are set: the frame given is not changed
    # Each child looked up once: the references factorised once for both lookups.
    codes, children = pd.factorize(ep["CHILD"])
    children = pd.Series(children, dtype=object)
    dob = children.map(dobs["_dob"])
    ep["_dob"] = pd.Series(dob.to_numpy()[codes], index=ep.index, dtype=dob.dtype)
    known = pd.Series(children.isin(has_header).to_numpy()[codes], index=ep.index)
    (unknown, bad, future, late), ep = split_in_turn(
        ep,
        ~known,
        ep["_dob"].isna(),
        ep["_dob"] > state.today,
        ep["_dob"] > ep["_decom"],
    )
    if not issues.wanted:
        return replace(state, episodes=ep)
    issues.add(
        unknown,
        "CHILD",
        unknown["CHILD"],
        "child " + unknown["CHILD"] + " has no header row in any return",
        "dropped",
        "no_header",
    )
    issues.add(
        bad,
        "DOB",
        "",
        "child " + bad["CHILD"] + " has no valid date of birth in any header row",
        "dropped",
        "no_dob",
    )
    issues.add(
        future,
        "DOB",
        uk_dates(future["_dob"]),
        "date of birth is in the future (" + _where_dob(future, dobs) + ")",
        "dropped",
        "dob_in_future",
    )
    issues.add(
        late,
        "DOB",
        uk_dates(late["_dob"]),
        "date of birth (" + _where_dob(late, dobs) + ") is after DECOM " + late["DECOM"],
        "dropped",
        "dob_after_decom",
    )
    return replace(state, episodes=ep)


def _where_dob(bad: pd.DataFrame, dobs: pd.DataFrame) -> pd.Series:
    """The header file and row each child's DOB came from, for the episodes reported."""
    # As text even with no header row at all (an empty map is numbers, not text).
    return bad["CHILD"].map(dobs["_file"]).astype(object) + " row " + bad["CHILD"].map(dobs["_row"]).astype(str)


def ignore_short_breaks(state: CleaningState) -> CleaningState:
    """6. Short breaks (LS V3, V4) are respite, not placements."""
    bad, ep = split(state.episodes, state.episodes["LS"].isin(SHORT_BREAK_LS))
    if not state.issues.wanted:
        return replace(state, episodes=ep)
    state.issues.add(
        bad,
        "LS",
        bad["LS"],
        "short-break episode (legal status " + bad["LS"] + ") is not a placement",
        "ignored",
        "short_break",
    )
    return replace(state, episodes=ep)


def check_codes(state: CleaningState) -> CleaningState:
    """7. PLACE must be known (an SSDA903 code or mapped); an unknown provider is read as blank
    (``_provider``) and an unknown RNE as a change of placement."""
    issues = state.issues
    known_places = PLACE_CODES | set(state.mapping["place"])
    ep = state.episodes
    (blank, bad), ep = split_in_turn(ep, ep["PLACE"] == "", ~ep["PLACE"].isin(known_places))
    odd = (ep["PLACE_PROVIDER"] != "") & ~ep["PLACE_PROVIDER"].isin(PROVIDER_CODES)
    if not issues.wanted:
        ep["_provider"] = ep["PLACE_PROVIDER"].where(~odd, "")
        return replace(state, episodes=ep)
    issues.add(blank, "PLACE", "", "no placement type (PLACE is blank)", "dropped", "missing_place")
    issues.add(
        bad,
        "PLACE",
        bad["PLACE"],
        "PLACE " + bad["PLACE"] + " is not an SSDA903 placement code",
        "dropped",
        "unknown_place",
    )
    issues.add(
        ep[odd],
        "PLACE_PROVIDER",
        ep.loc[odd, "PLACE_PROVIDER"],
        "not a PLACE_PROVIDER code (PR0-PR5): treated as no provider",
        "corrected",
        "unknown_provider",
    )
    ep["_provider"] = ep["PLACE_PROVIDER"].where(~odd, "")
    odd = ~ep["RNE"].isin(RNE_CODES)
    issues.add(
        ep[odd],
        "RNE",
        ep.loc[odd, "RNE"],
        "not an RNE code (S, P, L, T, U, B): treated as a change of placement",
        "corrected",
        "unknown_rne",
    )
    return replace(state, episodes=ep)


def sort_by_child_and_start(state: CleaningState) -> CleaningState:
    """Each child's episodes in start order, for the steps that compare neighbours (8 to 11)."""
    ep = state.episodes.copy(deep=False)
    ep["_child"] = child_order(ep)  # CHILD's order, as a number: the same sort, without text
    if _in_order(ep["_child"].to_numpy(), ep["_decom"].to_numpy()):
        # Rule 3 leaves them so and the steps since only drop rows: a stable sort would change
        # nothing but the index.
        ep.index = pd.RangeIndex(len(ep))
        return replace(state, episodes=ep)
    ep = ep.sort_values(["_child", "_decom"], kind="stable").reset_index(drop=True)
    return replace(state, episodes=ep)


def _in_order(child: np.ndarray, decom: np.ndarray) -> bool:
    """Whether the rows are already sorted by child, then start (no start missing)."""
    if decom.dtype.kind != "M" or np.isnat(decom).any():
        return False
    later = decom[1:] >= decom[:-1]
    return bool(((child[1:] > child[:-1]) | ((child[1:] == child[:-1]) & later)).all())
