"""Returns that disagree about an episode's end (rule 3 of docs/ssda903.md).

An episode open on 31 March is carried into the next year's return, so the same episode (same
CHILD and DECOM) is often in several returns. The usual change from one return to the next is
open (no DEC) to ended. Two changes are not: an episode that has a DEC in one return and is open
again in a later one (``ended_then_open``), and one that ends on different dates in two returns
(``different_end``). Rule 3 keeps the latest return's version whatever the earlier ones say (the
later return is taken as the correction); each such disagreement is listed here for the officer,
once per pair of returns that follow each other in the child's history of that episode.

Vectorised: each return's version of an episode is compared with the next return's (the rows
are sorted, so that is the next version).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from placements.ssda903.dates import uk_dates
from placements.ssda903.uniques import child_order

# The listing on ``CleanResult.disagreements``: the episode (child, decom), the column compared,
# the earlier return's row and value, the next return's row and value, the row and value of the
# version used (the latest return's), and the kind of disagreement. Values are as written ('' =
# open).
DISAGREEMENT_COLUMNS = [
    "child",
    "decom",
    "column",
    "file",
    "row",
    "value",
    "later_file",
    "later_row",
    "later_value",
    "used_file",
    "used_row",
    "used_value",
    "kind",
]
ENDED_THEN_OPEN = "ended_then_open"
DIFFERENT_END = "different_end"


def empty_disagreements() -> pd.DataFrame:
    """No disagreement, as a frame of their columns: a copy of one made once (every cleaning
    starts with one, and making it costs pandas a few milliseconds)."""
    return _EMPTY.copy()


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in DISAGREEMENT_COLUMNS})
    frame["decom"] = frame["decom"].astype("datetime64[ns]")
    for column in ("row", "later_row", "used_row"):
        frame[column] = frame[column].astype("int64")
    return frame


_EMPTY = _empty()


def disagreeing_returns(ep: pd.DataFrame) -> pd.DataFrame:
    """The disagreements (``DISAGREEMENT_COLUMNS``) among the versions of each episode in
    ``ep``: episodes with a valid DECOM, their return's order ``_rank``, sorted by CHILD, DECOM,
    ``_rank`` and row. Within one return the last row is that return's version (rule 3's
    conflicting duplicates are reported by rule 3 itself)."""
    if ep.empty:
        return empty_disagreements()
    child = child_order(ep).to_numpy()  # CHILD as a number: the same groups, without comparing text
    decom, rank = ep["_decom"].to_numpy(), ep["_rank"].to_numpy()
    # Sorted, so the rows of one episode (child, DECOM) and of one return are neighbours.
    same_episode_next = (child[1:] == child[:-1]) & (decom[1:] == decom[:-1])
    keep = ~np.append(same_episode_next & (rank[1:] == rank[:-1]), False)  # each return's last row
    # Only a version with a DEC followed by another version of the same episode can disagree:
    # most files have none, and then no version is copied or its DEC written out.
    kept_child, kept_decom = child[keep], decom[keep]
    same_next = np.append((kept_child[1:] == kept_child[:-1]) & (kept_decom[1:] == kept_decom[:-1]), False)
    at = np.flatnonzero(keep)
    ended = at[np.flatnonzero(same_next & (ep["DEC"].to_numpy()[at] != ""))]
    if not len(ended) or not (_dec_compared(ep, ended) != _dec_compared(ep, at[np.searchsorted(at, ended) + 1])).any():
        return empty_disagreements()
    versions = ep[keep]
    # A DEC compared as a date when it is one (31/07/2019 = 2019-07-31), else as written.
    dec = uk_dates(versions["_dec"]).where(versions["_dec"].notna(), versions["DEC"]).to_numpy()
    later_dec = np.append(dec[1:], "")  # the next return's version of the same episode, if any
    found = pd.Series(same_next & (versions["DEC"] != "").to_numpy() & (dec != later_dec), index=versions.index)
    if not found.any():
        return empty_disagreements()
    key = [pd.Series(kept_child, index=versions.index), versions["_decom"]]
    grouped = versions.groupby(key, sort=False)
    later = grouped[["_file", "_row", "DEC"]].shift(-1)
    used = grouped[["_file", "_row", "DEC"]].transform("last")
    out = pd.DataFrame(
        {
            "child": versions["CHILD"],
            "decom": versions["_decom"],
            "column": "DEC",
            "file": versions["_file"],
            "row": versions["_row"],
            "value": versions["DEC"],
            "later_file": later["_file"],
            "later_row": later["_row"],
            "later_value": later["DEC"],
            "used_file": used["_file"],
            "used_row": used["_row"],
            "used_value": used["DEC"],
        }
    )[found]
    out["kind"] = out["later_value"].eq("").map({True: ENDED_THEN_OPEN, False: DIFFERENT_END})
    for column in ("row", "later_row", "used_row"):
        out[column] = out[column].astype("int64")
    return out.reset_index(drop=True)[DISAGREEMENT_COLUMNS]


def _dec_compared(ep: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """The DEC of these rows as compared below: as a date when it is one, else as written."""
    dec = ep["_dec"].take(rows)
    compared: np.ndarray = uk_dates(dec).where(dec.notna(), ep["DEC"].take(rows)).to_numpy()
    return compared


def _as_text(dec: pd.Series, open_text: str = "open (DEC blank)") -> pd.Series:
    return ("DEC " + dec).where(dec != "", open_text)


def disagreement_reasons(found: pd.DataFrame) -> pd.Series:
    """What each disagreement is and what rule 3 does with it, for the issue at the earlier row."""
    later = found["later_file"] + " row " + found["later_row"].astype(str)
    used = found["used_file"] + " row " + found["used_row"].astype(str)
    return (
        "returns disagree on child "
        + found["child"]
        + "'s episode from "
        + uk_dates(found["decom"])
        + ": DEC "
        + found["value"]
        + " here, "
        + _as_text(found["later_value"])
        + " in the later return "
        + later
        + "; the latest return is taken as the correction and its version is used ("
        + used
        + ": "
        + _as_text(found["used_value"], "open")
        + ")"
    )
