"""Pricing placements that come without costs (SSDA903) from the unit costs per finance type.

A unit cost is in force from its effective date until the next one of the same type. A placement
that spans a change of unit cost becomes contiguous rows, one per rate, exactly as a rate change
does in the register (FORECAST.md, Placements). Days before a type's first effective date take
that first rate: the officer's earliest known price is a better guess than nothing.
Pure pandas, vectorised: no loop over placements.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def price_placements(placements: pd.DataFrame, unit_costs: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Split `placements` (placement_ref, placement_type, start_date, end_date (NaT = open) and
    any other columns) at the unit-cost dates of their type and give each row `weekly_cost`
    (int64 pence). Returns (rows, codes of the types that have no unit cost: those rows cost 0).
    `unit_costs`: placement_type, effective_from (datetime64), weekly_cost (pence)."""
    p = placements.reset_index(drop=True).copy()
    p["_pid"] = np.arange(len(p))
    costs = unit_costs.sort_values(["placement_type", "effective_from"]).reset_index(drop=True)
    priced_types = set(costs["placement_type"])
    unpriced = sorted(set(p["placement_type"]) - priced_types)
    if p.empty:
        p["weekly_cost"] = pd.Series(dtype="int64")
        return p.drop(columns="_pid"), unpriced

    # Cut points: effective dates strictly inside a placement.
    pairs = p[["_pid", "placement_type", "start_date", "end_date"]].merge(
        costs[["placement_type", "effective_from"]], on="placement_type", how="inner"
    )
    inside = (pairs["effective_from"] > pairs["start_date"]) & (
        pairs["end_date"].isna() | (pairs["effective_from"] < pairs["end_date"])
    )
    cuts = pairs.loc[inside, ["_pid", "effective_from"]].rename(columns={"effective_from": "_seg_start"})
    firsts = p[["_pid", "start_date"]].rename(columns={"start_date": "_seg_start"})
    segments = pd.concat([firsts, cuts], ignore_index=True).sort_values(["_pid", "_seg_start"], kind="stable")
    segments = segments.reset_index(drop=True)
    same_next = segments["_pid"].eq(segments["_pid"].shift(-1))
    segments["_seg_end"] = segments["_seg_start"].shift(-1).where(same_next)
    rows = segments.merge(p, on="_pid", how="left")
    last = ~same_next.to_numpy()
    rows.loc[last, "_seg_end"] = rows.loc[last, "end_date"]

    # The rate in force on each segment's first day (or the type's first rate, before it).
    rows["weekly_cost"] = 0
    if not costs.empty:
        key = rows[["placement_type", "_seg_start"]].reset_index().sort_values("_seg_start", kind="stable")
        table = costs.rename(columns={"effective_from": "_seg_start"}).sort_values("_seg_start", kind="stable")
        back = pd.merge_asof(key, table, on="_seg_start", by="placement_type", direction="backward")
        first_rate = costs.drop_duplicates("placement_type").set_index("placement_type")["weekly_cost"]
        rate = back["weekly_cost"].fillna(back["placement_type"].map(first_rate))
        rows.loc[back["index"].to_numpy(), "weekly_cost"] = rate.fillna(0).to_numpy()
    rows["weekly_cost"] = rows["weekly_cost"].astype("int64")
    rows["start_date"] = rows["_seg_start"].astype("datetime64[ns]")
    rows["end_date"] = rows["_seg_end"].astype("datetime64[ns]")
    return rows.drop(columns=["_pid", "_seg_start", "_seg_end"]), unpriced
