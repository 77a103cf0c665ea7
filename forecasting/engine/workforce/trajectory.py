"""The agency trajectory: each team's agency FTE target and the straight line to it, priced at
the agency rate per FTE (FORECAST.md, Workforce)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .workers import BoolArray, FloatArray, WorkerRows


def team_agency_targets(
    targets: Mapping[str | None, float],
    as_at_agency_fte: Mapping[str, float],
    teams: list[str],
) -> dict[str, float]:
    """Agency FTE target at the end of March for each team that has one.

    A team target (key = team code) applies to that team. An overall target (key None) is the
    agency FTE of the whole service at the end of March: what is left of it after the teams
    with their own target (floored at zero) is shared between the other teams in proportion to
    their agency FTE on the as-at date; if none of them has any agency FTE it is shared
    equally. Teams not covered by any target keep their committed agency workers.
    """
    out: dict[str, float] = {}
    for team in teams:
        if team in targets and targets[team] is not None:
            out[team] = float(targets[team])
    overall = targets.get(None)
    if overall is None:
        return out
    rest = [t for t in teams if t not in out]
    if not rest:
        return out
    remaining = max(0.0, float(overall) - sum(out.values()))
    weights = np.array([float(as_at_agency_fte.get(t, 0.0)) for t in rest])
    if weights.sum() <= 0:
        weights = np.ones(len(rest))
    shares = remaining * weights / weights.sum()
    for team, share in zip(rest, shares, strict=True):
        out[team] = float(share)
    return out


def straight_line_month_ends(start_fte: float, target_fte: float, as_at_period: int) -> FloatArray:
    """Month-end agency FTE for periods 0..12 on the straight line (FORECAST.md, Workforce).

    M_t = A + (T − A)(t − p)/(12 − p) for t > p; M_t = A for t ≤ p (A = FTE on the as-at date).
    """
    p = as_at_period
    t = np.arange(13, dtype=np.float64)
    if p >= 12:
        return np.full(13, start_fte)
    line = start_fte + (target_fte - start_fte) * (t - p) / (12 - p)
    return np.where(t <= p, start_fte, line)


def agency_rate_per_fte(rows: WorkerRows, mask: BoolArray) -> float | None:
    """FTE-weighted average weekly rate per FTE of the agency rows in `mask`, pence a week.

    Each row's rate per FTE is weekly_rate / fte; weighting by FTE gives Σ weekly_rate / Σ fte.
    None when no agency FTE is in the mask.
    """
    sel = mask & rows.is_agency
    fte = float(rows.fte[sel].sum())
    if fte <= 0:
        return None
    return float(rows.weekly_rate[sel].sum()) / fte
