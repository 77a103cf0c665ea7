"""What the header and UASC files say about each child: date of birth, and UASC until when."""

from __future__ import annotations

import pandas as pd

from placements.ssda903.dates import parse_dates, uk_dates
from placements.ssda903.state import Issues


def child_dobs(header: pd.DataFrame, issues: Issues) -> pd.DataFrame:
    """Latest valid DOB per child (index CHILD) with the header file/row it came from. Header
    rows without a child or with a DOB that is not a date, and DOBs that differ between returns,
    are reported (record ``header``)."""
    h = header[["CHILD", "DOB", "_file", "_row", "_src", "_year_hint"]]  # a copy: the columns read here
    no_child = h["CHILD"] == ""
    issues.add(h[no_child], "CHILD", "", "header row without a child reference", "ignored", "missing_child", "header")
    h = h[~no_child]
    h["_dob"] = parse_dates(h["DOB"])
    bad = h["_dob"].isna() & (h["DOB"] != "")
    issues.add(
        h[bad],
        "DOB",
        h.loc[bad, "DOB"],
        "date of birth is not a date (use 31/07/2019 or 2019-07-31)",
        "ignored",
        "bad_date",
        "header",
    )
    h = h[h["_dob"].notna()].sort_values(["_year_hint", "_src", "_row"], na_position="first", kind="stable")
    latest = h.drop_duplicates("CHILD", keep="last").set_index("CHILD")
    # Children with more than one distinct DOB, in CHILD's order (as groupby gives them).
    pairs = h[["CHILD", "_dob"]].drop_duplicates()
    conflicted = pd.Index(sorted(set(pairs["CHILD"][pairs["CHILD"].duplicated()])), dtype=object, name="CHILD")
    if len(conflicted):
        c = h[h["CHILD"].isin(conflicted)]
        label = uk_dates(c["_dob"]) + " (" + c["_file"] + " row " + c["_row"].astype(str) + ")"
        others = label.groupby(c["CHILD"]).agg("; ".join)
        rows = latest.loc[conflicted].reset_index()
        reason = (
            "date of birth differs between returns: "
            + rows["CHILD"].map(others)
            + "; the latest return's "
            + uk_dates(rows["_dob"])
            + " is used"
        )
        issues.add(rows, "DOB", rows["DOB"], reason, "corrected", "dob_conflict", "header")
    return latest[["_dob", "_file", "_row"]]


def uasc_until(uasc: pd.DataFrame) -> pd.Series:
    """Per UASC child, the date they ceased to be UASC (latest DUC; NaT if none given)."""
    u = uasc[["CHILD", "DUC"]].copy()
    u = u[u["CHILD"] != ""]
    u["_duc"] = parse_dates(u["DUC"])
    return u.groupby("CHILD")["_duc"].max()
