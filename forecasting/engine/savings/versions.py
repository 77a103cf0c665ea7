"""The tracker across the MTFP years: totals by year as approved, net of absorbed savings and
counted once with programmes; differences between versions; key decisions (FORECAST.md, Savings)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from forecasting.engine.calendar import parse_year_label
from forecasting.engine.savings.rules import ABSORBED, KEY_DECISION_THRESHOLD
from forecasting.engine.savings.tables import (
    checked_programme_rows,
    require_columns,
    sorted_years,
    status_by_ref,
    version_rows,
    with_money_dtypes,
)


def savings_totals_by_year(
    amounts: pd.DataFrame,
    savings: pd.DataFrame,
    *,
    version: str = "approved",
    programme_benefits: pd.DataFrame | None = None,
    profile: str = "target",
) -> pd.DataFrame:
    """Savings per FY (pence) as approved, net of absorbed savings, and counted once with programmes.

    `amounts` is long form `ref, version, year_label, amount`; `savings` gives each ref's
    `status`. `programme_benefits` (optional) is long form `programme, profile, year_label,
    benefit`. Columns returned, one row per year in order:
    - gross: every saving of `version`, absorbed ones included (the figure as approved);
    - absorbed: the part of gross absorbed into a programme;
    - net_of_absorbed: gross − absorbed (FORECAST.md: absorbed savings are excluded from totals);
    - programme_benefit: Σ benefit of every programme for `profile` (0 when none given);
    - total: net_of_absorbed + programme_benefit, so an absorbed saving counts once, in the
      programme's profile, not again as a saving.
    """
    own = version_rows(amounts, version)
    statuses = status_by_ref(savings, own["ref"])
    own = own.assign(absorbed=own["ref"].map(statuses) == ABSORBED)
    gross = own.groupby("year_label")["amount"].sum()
    absorbed = own[own["absorbed"]].groupby("year_label")["amount"].sum()
    if programme_benefits is not None:
        benefits = checked_programme_rows(programme_benefits)
        benefits = benefits[benefits["profile"] == profile]
        programme = benefits.groupby("year_label")["benefit"].sum()
    else:
        programme = pd.Series(dtype="int64")
    years = sorted_years([*gross.index, *programme.index])
    out = pd.DataFrame({"year_label": years})
    out["gross"] = [int(gross.get(y, 0)) for y in years]
    out["absorbed"] = [int(absorbed.get(y, 0)) for y in years]
    out["net_of_absorbed"] = out["gross"] - out["absorbed"]
    out["programme_benefit"] = [int(programme.get(y, 0)) for y in years]
    out["total"] = out["net_of_absorbed"] + out["programme_benefit"]
    return with_money_dtypes(out, ("gross", "absorbed", "net_of_absorbed", "programme_benefit", "total"))


def version_differences(
    amounts: pd.DataFrame, *, from_version: str = "consultation", to_version: str = "approved"
) -> pd.DataFrame:
    """Per saving and FY: the amount in each version and the difference to − from (pence).

    A saving missing from one version counts 0 there (a proposal dropped after consultation
    shows a negative difference; one added later a positive one). Every saving is listed,
    absorbed ones included, so that the figures reconcile to the committee papers.
    Columns: ref, year_label, from_amount, to_amount, difference; sorted by ref then year.
    """
    before = version_rows(amounts, from_version)[["ref", "year_label", "amount"]]
    after = version_rows(amounts, to_version)[["ref", "year_label", "amount"]]
    merged = before.merge(after, on=["ref", "year_label"], how="outer", suffixes=("_from", "_to"))
    merged = merged.rename(columns={"amount_from": "from_amount", "amount_to": "to_amount"})
    merged["from_amount"] = merged["from_amount"].fillna(0)
    merged["to_amount"] = merged["to_amount"].fillna(0)
    merged["difference"] = merged["to_amount"] - merged["from_amount"]
    merged["_year"] = merged["year_label"].map(parse_year_label)
    merged = merged.sort_values(["ref", "_year"]).drop(columns="_year").reset_index(drop=True)
    return with_money_dtypes(merged, ("from_amount", "to_amount", "difference"))


def version_differences_by_year(
    amounts: pd.DataFrame,
    savings: pd.DataFrame,
    *,
    from_version: str = "consultation",
    to_version: str = "approved",
) -> pd.DataFrame:
    """Per FY: Σ from_amount, Σ to_amount and the difference (pence), absorbed savings excluded.

    These are totals, so FORECAST.md's rule applies: a saving now absorbed into a programme is
    left out of both versions' totals (it is counted in the programme). The per-saving rows of
    `version_differences` still show it. Columns: year_label, from_amount, to_amount, difference.
    """
    rows = version_differences(amounts, from_version=from_version, to_version=to_version)
    statuses = status_by_ref(savings, rows["ref"])
    rows = rows[rows["ref"].map(statuses) != ABSORBED]
    grouped = rows.groupby("year_label")[["from_amount", "to_amount", "difference"]].sum()
    years = sorted_years(list(grouped.index))
    out = grouped.reindex(years).reset_index()
    return with_money_dtypes(out, ("from_amount", "to_amount", "difference"))


def key_decisions(rows: pd.DataFrame, *, threshold: int = KEY_DECISION_THRESHOLD) -> pd.DataFrame:
    """Flag proposals of £750,000 (75,000,000 pence) or more in any one FY as key decisions.

    `rows` is long form `ref, year_label, amount` (pence; other columns such as `version` are
    ignored, so pass the rows of the version being decided). The size of an amount counts, not
    its sign: reversing a saving of £750,000 is as significant a decision as making one.
    Returns one row per ref in first-seen order: ref, largest_amount (the largest absolute
    yearly amount, pence), first_key_year (the first FY at or over the threshold, or None) and
    key_decision (bool).
    """
    require_columns(rows, ("ref", "year_label", "amount"), "proposals")
    out: list[dict[str, Any]] = []
    for ref, group in rows.groupby("ref", sort=False):
        ordered = sorted(
            ((str(y), abs(int(a))) for y, a in zip(group["year_label"], group["amount"], strict=True)),
            key=lambda pair: parse_year_label(pair[0]),
        )
        over = [y for y, a in ordered if a >= threshold]
        out.append(
            {
                "ref": str(ref),
                "largest_amount": max((a for _, a in ordered), default=0),
                "first_key_year": over[0] if over else None,
                "key_decision": bool(over),
            }
        )
    frame = pd.DataFrame(out, columns=["ref", "largest_amount", "first_key_year", "key_decision"])
    return with_money_dtypes(frame, ("largest_amount",), extra_bool=("key_decision",))
