"""The likely range (10–90%) of the reported scenario's forecast outturn, in pence.

A placements line's range is the outturn it would have if its type's numbers followed the
10th and the 90th percentile path instead of the middle one, every other assumption the
reported scenario's: the same projection with the interval switched. Nothing else moves, so
the line's range is its outturn plus the change in its placement cost (committed plus projected
change, each already rounded once per type and month, FORECAST.md, Money). A line whose type
has no interval (a method with no percentile paths) has a range equal to its outturn, and so
does every line that is not a placements line.

The department's range is its outturn plus the sum over lines of the downward (p10) and of the
upward (p90) differences. Summing is the cautious choice: in a county the placement types move
together (the same courts, the same market, the same winter), so a low month for fostering is
rarely offset by a high one for residential care, and the ranges add rather than partly cancel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .money import pence_to_pounds

OUTTURN_RANGE_COLUMNS = ("scenario", "level", "line_code", "outturn_p10", "outturn", "outturn_p90")
LINE_LEVEL = "line"
DEPARTMENT_LEVEL = "department"
# The likely range in a download: DATA_FORMATS.md does not define it, so its headers are words.
LIKELY_RANGE_HEADERS = ("Budget line code", "Budget line", "Likely low (£)", "Forecast outturn (£)", "Likely high (£)")
DEPARTMENT_WORDS = "Department total"


def _line_cost(by_line: pd.DataFrame, codes: pd.Series) -> npt.NDArray[np.int64]:
    """Committed remaining plus projected change of each line code (pence; 0 when absent)."""
    frame = by_line.set_index("line_code")
    cost = frame["committed_remaining"].astype(np.int64) + frame["projected_change"].astype(np.int64)
    values: npt.NDArray[np.int64] = cost.reindex(codes).fillna(0).to_numpy(dtype=np.int64)
    return values


def outturn_ranges(
    lines: pd.DataFrame,
    *,
    scenario: str,
    middle_by_line: pd.DataFrame,
    p10_by_line: pd.DataFrame,
    p90_by_line: pd.DataFrame,
) -> pd.DataFrame:
    """One row per placements line of `lines` (the scenario's LINE_COLUMNS rows) and one for the
    department (`line_code` None): outturn_p10, outturn, outturn_p90 in pence.

    `*_by_line` are the placement projections' frames by budget line (line_code,
    committed_remaining, projected_change) with the middle, p10 and p90 paths."""
    placements = lines[lines["category"] == "placements"]
    codes = placements["line_code"].astype(str)
    middle = _line_cost(middle_by_line, codes)
    down = _line_cost(p10_by_line, codes) - middle
    up = _line_cost(p90_by_line, codes) - middle
    outturn = placements["forecast_outturn"].to_numpy(dtype=np.int64)
    department = int(lines["forecast_outturn"].astype(np.int64).sum())
    rows = pd.DataFrame(
        {
            "scenario": scenario,
            "level": LINE_LEVEL,
            "line_code": codes.to_numpy(dtype=object),
            "outturn_p10": outturn + down,
            "outturn": outturn,
            "outturn_p90": outturn + up,
        },
        columns=list(OUTTURN_RANGE_COLUMNS),
    )
    total = pd.DataFrame(
        [
            {
                "scenario": scenario,
                "level": DEPARTMENT_LEVEL,
                "line_code": None,
                "outturn_p10": department + int(down.sum()),
                "outturn": department,
                "outturn_p90": department + int(up.sum()),
            }
        ],
        columns=list(OUTTURN_RANGE_COLUMNS),
    )
    out = pd.concat([rows, total], ignore_index=True)
    for name in ("outturn_p10", "outturn", "outturn_p90"):
        out[name] = out[name].astype(np.int64)
    return out


def likely_range_rows(ranges: pd.DataFrame, *, scenario: str, line_names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The scenario's likely range as a table: each line in code order, then the department
    (`line_code` ""). Each row: level, line_code, line_name (from `line_names`, else the code),
    low, outturn, high in pence, low never above high. Nothing when the run stored no range for
    the scenario (a run made before ranges, or a scenario other than the reported one)."""
    if ranges.empty or not set(OUTTURN_RANGE_COLUMNS) <= set(ranges.columns):
        return []
    rows = ranges[ranges["scenario"] == scenario]
    lines = rows[rows["level"] == LINE_LEVEL].sort_values("line_code", kind="stable")
    out = []
    for level, frame in ((LINE_LEVEL, lines), (DEPARTMENT_LEVEL, rows[rows["level"] == DEPARTMENT_LEVEL])):
        for code, p10, outturn, p90 in zip(
            frame["line_code"], frame["outturn_p10"], frame["outturn"], frame["outturn_p90"], strict=True
        ):
            code_text = "" if level == DEPARTMENT_LEVEL else str(code)
            out.append(
                {
                    "level": level,
                    "line_code": code_text,
                    "line_name": line_names.get(code_text, code_text) if code_text else "",
                    "low": min(int(p10), int(p90)),
                    "outturn": int(outturn),
                    "high": max(int(p10), int(p90)),
                }
            )
    return out


def likely_range_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The likely range rows (`likely_range_rows`: pence) for a download: headers in words,
    pounds with two places, the department's row named "Department total"."""
    return pd.DataFrame(
        [
            [
                row["line_code"],
                row["line_name"] or DEPARTMENT_WORDS,
                pence_to_pounds(row["low"]),
                pence_to_pounds(row["outturn"]),
                pence_to_pounds(row["high"]),
            ]
            for row in rows
        ],
        columns=list(LIKELY_RANGE_HEADERS),
    )
