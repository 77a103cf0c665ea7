"""What the cleaning steps share: the episodes being cleaned, the issue collector and context.

Each step of ``cleaning.STEPS`` takes a ``CleaningState`` and returns a new one (the issue
collector is shared: every step adds to the same list, so issues come out in rule order).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from placements.ssda903.codes import ISSUE_COLUMNS
from placements.ssda903.disagreements import empty_disagreements


class Issues:
    """Collects issue rows as columns; one frame at the end. With ``wanted`` false it keeps
    nothing, and the steps do not word the issues (a cleaning whose placements alone are read)."""

    def __init__(self, wanted: bool = True) -> None:
        # Each part: ISSUE_COLUMNS -> an array, or a text that every row of the part has.
        self.parts: list[dict[str, object]] = []
        self.wanted = wanted

    def add(
        self,
        rows: pd.DataFrame,
        column: str,
        value: pd.Series | str,
        reason: pd.Series | str,
        action: str,
        rule: str,
        record: str = "episode",
    ) -> None:
        if rows.empty or not self.wanted:
            return
        self.parts.append(
            {
                "file": rows["_file"].to_numpy(),
                "row": rows["_row"].to_numpy(),
                "column": column,
                "value": value.to_numpy() if isinstance(value, pd.Series) else value,
                "reason": reason.to_numpy() if isinstance(reason, pd.Series) else reason,
                "action": action,
                "rule": rule,
                "record": record,
            }
        )

    def copy(self) -> Issues:
        """Another collector holding the issues so far (the parts are shared: never changed)."""
        other = Issues(self.wanted)
        other.parts = list(self.parts)
        return other

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            out = pd.DataFrame({c: pd.Series(dtype=object) for c in ISSUE_COLUMNS})
            out["row"] = out["row"].astype("int64")
            return out
        sizes = [len(part["row"]) for part in self.parts]  # type: ignore[arg-type]
        columns = {c: _joined([part[c] for part in self.parts], sizes) for c in ISSUE_COLUMNS}
        if any(values is None for values in columns.values()):  # another type than text: as pandas joins them
            frames = [pd.DataFrame(part) for part in self.parts]
            out = pd.concat(frames, ignore_index=True)[ISSUE_COLUMNS]
        else:
            out = pd.DataFrame(columns, copy=False)
        out["row"] = out["row"].astype("int64")
        return out


def _joined(values: list[object], sizes: list[int]) -> np.ndarray | None:
    """The parts' values of one column one after the other (a text repeated over its part), or
    None unless every part's are text (object) or every part's are whole numbers, which
    ``pd.concat`` would join the same way."""
    arrays = [np.full(n, v, dtype=object) if isinstance(v, str) else v for v, n in zip(values, sizes, strict=True)]
    found = [a for a in arrays if isinstance(a, np.ndarray)]
    if len(found) != len(arrays):
        return None
    kinds = {a.dtype for a in found}
    if kinds != {np.dtype(object)} and kinds != {np.dtype("int64")}:
        return None
    return np.concatenate(found)


@dataclass(frozen=True)
class CleaningState:
    """The episodes as the previous steps left them, with what later steps need to know.

    ``episodes``, ``header`` and ``uasc`` are frames as ``read_903_files`` makes them; the steps
    add working columns to ``episodes`` (``_decom``, ``_dec``, ``_ret``, ``_rank``, ``_dob``,
    ``_provider``, ``_place``, ``_continues``, ``_pid``, ``_start``, ``_ref``, ``_type``). ``mapping`` is the
    normalised PLACE x PLACE_PROVIDER table and ``today`` a normalised timestamp.

    The frames given may carry their dates already parsed, exactly as ``parse_dates`` parses
    their text: ``_decom`` and ``_dec`` (episodes), ``_dob`` (header), ``_duc`` (UASC). The steps
    then use those instead of parsing the text again (the replay parses the raw returns once
    for dozens of cleanings).
    """

    episodes: pd.DataFrame
    header: pd.DataFrame
    uasc: pd.DataFrame
    mapping: pd.DataFrame
    today: pd.Timestamp
    la: str | None = None
    issues: Issues = field(default_factory=Issues)
    # One row per return (index _ret): collection year fy and rank, oldest first (rule 3).
    returns: pd.DataFrame = field(default_factory=pd.DataFrame)
    # The episodes carry their return ``_ret`` and ``returns`` is given: some children's episodes
    # cleaned alone, with the returns as the whole of the files they come from have them.
    returns_given: bool = False
    # Returns that disagree about an episode's end (rule 3, ``disagreements.DISAGREEMENT_COLUMNS``).
    disagreements: pd.DataFrame = field(default_factory=empty_disagreements)
    # One row per placement (rule 13).
    placements: pd.DataFrame = field(default_factory=pd.DataFrame)
    episodes_read: int = 0
    episodes_other_authorities: int = 0
    duplicates_removed: int = 0


def rows_where(episodes: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """The rows where ``mask`` holds, as a new frame (``take``, not ``frame[mask]``, so that a
    step may add columns to it without pandas warning about a copy of the frame it was given)."""
    return _rows_at(episodes, np.flatnonzero(mask.to_numpy(dtype=bool)))


def _rows_at(episodes: pd.DataFrame, at: np.ndarray) -> pd.DataFrame:
    """``episodes.take(at)``; when ``at`` is every row in order (most steps drop nothing from
    most returns), a shallow copy instead: copying every column of every row for nothing is
    most of such a step's time, and the steps only ever set whole columns on what they get."""
    if len(at) == len(episodes):
        return episodes.copy(deep=False)
    return episodes.take(at)


def split(episodes: pd.DataFrame, mask: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows where mask holds, the rest)."""
    mask = mask.fillna(False).astype(bool)
    return rows_where(episodes, mask), rows_where(episodes, ~mask)


def split_in_turn(episodes: pd.DataFrame, *masks: pd.Series) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    """([rows of each mask that no earlier mask took], the rest): ``split`` again and again with
    one copy of the rows kept. Each mask must look at its row alone (what earlier masks took
    cannot change it)."""
    taken = np.zeros(len(episodes), dtype=bool)
    parts = []
    for mask in masks:
        mine = mask.fillna(False).to_numpy(dtype=bool) & ~taken
        parts.append(episodes.take(np.flatnonzero(mine)))
        taken |= mine
    return parts, _rows_at(episodes, np.flatnonzero(~taken))
