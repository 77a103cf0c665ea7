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

import numpy as np
import numpy.typing as npt
import pandas as pd

OUTTURN_RANGE_COLUMNS = ("scenario", "level", "line_code", "outturn_p10", "outturn", "outturn_p90")
LINE_LEVEL = "line"
DEPARTMENT_LEVEL = "department"


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
