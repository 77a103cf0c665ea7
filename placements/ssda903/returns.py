"""Which returns the episodes come from: the authority kept, and the order of the returns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from placements.ssda903.dates import financial_year_start


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


def return_order(ep: pd.DataFrame, today: pd.Timestamp) -> pd.DataFrame:
    """One row per return (a DfE file, or one LA + YEAR of a regional file) with its collection
    year ``fy``, inferred from the latest DECOM or DEC - 1 day it holds (dates after today do not
    count), and its ``rank``, oldest first. Returns are ordered by their YEAR / file-name year when
    every return has one, otherwise by the inferred collection year; then by input order."""
    last_day = pd.concat([ep["_decom"], ep["_dec"] - pd.Timedelta(days=1)], axis=1).max(axis=1)
    last_day = last_day.where(last_day <= today)
    work = pd.DataFrame({"_ret": ep["_ret"], "last": last_day, "hint": ep["_year_hint"], "src": ep["_src"]})
    ret = work.groupby("_ret").agg(last=("last", "max"), hint=("hint", "first"), src=("src", "first"))
    if ret.empty:
        return pd.DataFrame({"fy": pd.Series(dtype="int64"), "rank": pd.Series(dtype="int64")})
    ret["fy"] = financial_year_start(ret["last"]).fillna(-1).astype("int64")
    order = ["hint", "fy", "src"] if ret["hint"].notna().all() else ["fy", "hint", "src"]
    ret["hint"] = ret["hint"].fillna(-1.0)
    ret = ret.sort_values(order, kind="stable")
    ret["rank"] = np.arange(len(ret), dtype="int64")
    return ret
