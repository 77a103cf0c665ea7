"""What the header and UASC files say about each child: date of birth, and UASC until when."""

from __future__ import annotations

import numpy as np
import pandas as pd

from placements.ssda903.dates import parse_dates, uk_dates
from placements.ssda903.state import Issues


def child_dobs(header: pd.DataFrame, issues: Issues) -> pd.DataFrame:
    """Latest valid DOB per child (index CHILD) with the header file/row it came from. Header
    rows without a child or with a DOB that is not a date, and DOBs that differ between returns,
    are reported (record ``header``)."""
    # Worked on as row positions and arrays: only the rows reported are copied as frames.
    no_child = header["CHILD"].to_numpy() == ""
    at = np.flatnonzero(~no_child)
    text = header["DOB"].take(at)
    parsed = parse_dates(text) if "_dob" not in header.columns else header["_dob"].take(at)
    if issues.wanted:
        issues.add(
            header[no_child], "CHILD", "", "header row without a child reference", "ignored", "missing_child", "header"
        )
        bad = (parsed.isna() & (text != "")).to_numpy()
        issues.add(
            header.take(at[bad]),
            "DOB",
            text[bad],
            "date of birth is not a date (use 31/07/2019 or 2019-07-31)",
            "ignored",
            "bad_date",
            "header",
        )
    valid = parsed.notna().to_numpy()
    at, dob = at[valid], parsed.to_numpy()[valid]
    # By YEAR or file-name year (none first), file and row, ties in input order: a stable sort,
    # as sort_values(na_position="first", kind="stable") gives.
    hint = header["_year_hint"].to_numpy(dtype="float64")[at]
    order = np.lexsort(
        (header["_row"].to_numpy()[at], header["_src"].to_numpy()[at], np.where(np.isnan(hint), -np.inf, hint))
    )
    at, dob = at[order], dob[order]
    child = header["CHILD"].to_numpy()[at]
    codes, children = pd.factorize(child)
    # Each child's last row in that order (drop_duplicates(keep="last")), in order.
    _codes, from_end = np.unique(codes[::-1], return_index=True)
    last = np.sort(len(at) - 1 - from_end)
    latest = pd.DataFrame(
        {"_dob": dob[last], "_file": header["_file"].to_numpy()[at[last]], "_row": header["_row"].to_numpy()[at[last]]},
        index=pd.Index(child[last], dtype=object, name="CHILD"),
    )
    if not issues.wanted:
        return latest
    # Children with more than one distinct DOB (their earliest and latest differ), in CHILD's
    # order (as groupby gives them).
    days = dob.view("int64")
    earliest = np.full(len(children), np.iinfo("int64").max)
    np.minimum.at(earliest, codes, days)
    latest_day = np.full(len(children), np.iinfo("int64").min)
    np.maximum.at(latest_day, codes, days)
    conflicted = pd.Index(sorted(children[earliest != latest_day]), dtype=object, name="CHILD")
    if len(conflicted):
        h = pd.DataFrame(
            {
                "CHILD": child,
                "DOB": header["DOB"].to_numpy()[at],
                "_file": header["_file"].to_numpy()[at],
                "_row": header["_row"].to_numpy()[at],
                "_dob": dob,
            }
        )
        c = h[h["CHILD"].isin(conflicted)]
        label = uk_dates(c["_dob"]) + " (" + c["_file"] + " row " + c["_row"].astype(str) + ")"
        others = label.groupby(c["CHILD"]).agg("; ".join)
        rows = h.take(last).set_index("CHILD").loc[conflicted].reset_index()
        reason = (
            "date of birth differs between returns: "
            + rows["CHILD"].map(others)
            + "; the latest return's "
            + uk_dates(rows["_dob"])
            + " is used"
        )
        issues.add(rows, "DOB", rows["DOB"], reason, "corrected", "dob_conflict", "header")
    return latest


def uasc_until(uasc: pd.DataFrame) -> pd.Series:
    """Per UASC child, the date they ceased to be UASC (latest DUC; NaT if none given)."""
    u = uasc[["CHILD", "DUC"]].copy()
    u["_duc"] = uasc["_duc"] if "_duc" in uasc.columns else parse_dates(u["DUC"])
    u = u[u["CHILD"] != ""]
    return u.groupby("CHILD")["_duc"].max()
