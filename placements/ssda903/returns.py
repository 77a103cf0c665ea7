"""Which returns the episodes come from: the authority kept, and the order of the returns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from placements.ssda903.dates import financial_year_of, financial_year_start

_NAT = np.iinfo("int64").min  # NaT as an int64


def select_authority(
    episodes: pd.DataFrame, header: pd.DataFrame, uasc: pd.DataFrame, la: str | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    """(episodes, header, uasc) of authority ``la`` and of DfE files (no LA), and how many
    episodes belong to other authorities. Without ``la`` the files must hold one authority:
    child references are only unique within one council."""

    def key(frame: pd.DataFrame) -> pd.Series:
        return frame["LA"].astype(str).str.strip().str.upper()

    # A column of 100,000 rows holds a handful of codes: each is normalised once.
    authorities = sorted({str(code).strip().upper() for code in pd.unique(episodes["LA"])} - {""})
    if la is None:
        if len(authorities) > 1:
            raise ValueError(
                f"the files hold episodes of several authorities ({', '.join(authorities)}); choose one with la="
            )
        # The steps never change a frame they are given (they set whole columns on shallow copies).
        return episodes.copy(deep=False), header.copy(deep=False), uasc.copy(deep=False), 0
    wanted = la.strip().upper()
    if authorities and wanted not in authorities:
        raise ValueError(f"no episodes for authority {la!r}; the files hold {', '.join(authorities)}")

    def pick(frame: pd.DataFrame) -> pd.DataFrame:
        k = key(frame)
        return frame[(k == wanted) | (k == "")].copy()

    kept = pick(episodes)
    return kept, pick(header), pick(uasc), len(episodes) - len(kept)


def numbered_from_zero(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its rows numbered 0, 1, 2 ...: as it is where they are already (as read,
    one authority's files), rather than a copy of every column."""
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return frame
    return frame.reset_index(drop=True)


def return_order(ep: pd.DataFrame, today: pd.Timestamp) -> pd.DataFrame:
    """One row per return (a DfE file, or one LA + YEAR of a regional file) with its collection
    year ``fy``, inferred from the latest DECOM or DEC - 1 day it holds (dates after today do not
    count), and its ``rank``, oldest first. Returns are ordered by their YEAR / file-name year when
    every return has one, otherwise by the inferred collection year; then by input order."""
    if ep.empty:
        return pd.DataFrame({"fy": pd.Series(dtype="int64"), "rank": pd.Series(dtype="int64")})
    # The later of DECOM and DEC - 1 day (NaT only when both are), as numbers: NaT is the
    # smallest int64, so a maximum of the numbers is pandas' maximum skipping NaT.
    decom = ep["_decom"].to_numpy(dtype="datetime64[ns]")
    dec = ep["_dec"].to_numpy(dtype="datetime64[ns]") - np.timedelta64(1, "D")
    last_day = np.fmax(decom, dec).view("int64")
    last_day = np.where(last_day <= today.to_datetime64().astype("datetime64[ns]").view("int64"), last_day, _NAT)
    ret = ep["_ret"].to_numpy()
    numbers, position = np.unique(ret, return_inverse=True)
    latest = np.full(len(numbers), _NAT, dtype="int64")
    np.maximum.at(latest, position, last_day)
    hint = ep["_year_hint"].to_numpy(dtype="float64")
    src = ep["_src"].to_numpy()
    # groupby's "first" skips missing values: a return's first hint that is not NaN.
    first_hint = np.full(len(numbers), np.nan)
    named = ~np.isnan(hint)
    found, at = np.unique(position[named], return_index=True)
    first_hint[found] = hint[named][at]
    _found, first_row = np.unique(position, return_index=True)
    src = src[first_row]
    if src.dtype.kind not in "iu":  # sources not numbered: as pandas sorts them
        return _ranked_by_pandas(latest, first_hint, src, numbers)
    # The collection year of each return's latest date (-1 with none), and the order: by name
    # year when every return has one, else by that year; then by source, ties in input order.
    fy = np.where(latest == _NAT, -1, financial_year_of(latest.view("datetime64[ns]")))
    every_named = not np.isnan(first_hint).any()
    hint = np.where(np.isnan(first_hint), -1.0, first_hint)
    order = np.lexsort((src, fy, hint) if every_named else (src, hint, fy))
    return pd.DataFrame(
        {
            "last": latest.view("datetime64[ns]")[order],
            "hint": hint[order],
            "src": src[order],
            "fy": fy[order],
            "rank": np.arange(len(order), dtype="int64"),
        },
        index=pd.Index(numbers[order], name="_ret"),
    )


def _ranked_by_pandas(latest: np.ndarray, first_hint: np.ndarray, src: np.ndarray, numbers: np.ndarray) -> pd.DataFrame:
    ret = pd.DataFrame(
        {"last": latest.view("datetime64[ns]"), "hint": first_hint, "src": src},
        index=pd.Index(numbers, name="_ret"),
    )
    ret["fy"] = financial_year_start(ret["last"]).fillna(-1).astype("int64")
    order = ["hint", "fy", "src"] if ret["hint"].notna().all() else ["fy", "hint", "src"]
    ret["hint"] = ret["hint"].fillna(-1.0)
    ret = ret.sort_values(order, kind="stable")
    ret["rank"] = np.arange(len(ret), dtype="int64")
    return ret
