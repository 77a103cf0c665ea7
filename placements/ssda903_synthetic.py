"""Synthetic SSDA903 returns for benchmarks and tests (no real children, no Django).

``synthetic_903_files(n, seed)`` writes DfE-shaped CSV returns (header, episodes, UASC per
collection year) whose episodes files hold ``n`` rows in total, with the faults real returns
have: open episodes repeated in the next year's return, overlaps, short breaks, temporary moves,
legal-status-only changes, unknown codes, missing dates and DOBs, children without a header row.
``synthetic_903(n, seed)`` reads them back with ``read_903_files``.

The episodes are generated year by year until there are ``n``, so the last collection year
holds only those that fit: its numbers fall away (for a small ``n``, the last year or two). A
test of forecasts should generate more years than it scores and leave the last ones out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from placements.ssda903 import Ssda903Files, read_903_files

_PLACES = np.array(
    [
        "U4",
        "U5",
        "U6",
        "U1",
        "U2",
        "U3",
        "K2",
        "R1",
        "K1",
        "H5",
        "P2",
        "P1",
        "A4",
        "A5",
        "S1",
        "R5",
        "R3",
        "R2",
    ]
)
_PLACE_WEIGHTS = np.array([22, 22, 2, 4, 5, 5, 11, 1, 0.5, 6, 4, 6, 2, 1.5, 1.5, 1, 0.5, 1], dtype=float)
_LS = np.array(["C2", "J2", "V2", "C1", "E1", "D1", "L1", "L2", "J1"])
_RNE_NEXT = np.array(["P", "L", "T", "B", "U"])
_RNE_WEIGHTS = np.array([60, 22, 10, 6, 2], dtype=float)
_TEMPORARY = np.array(["T0", "T1", "T2", "T3", "T4"])


def _uk(dates: pd.Series) -> pd.Series:
    text: pd.Series = dates.dt.strftime("%d/%m/%Y")
    return text.fillna("")


def _episodes(n_children: int, rng: np.random.Generator, first_year: int, years: int) -> pd.DataFrame:
    """Underlying (true) episodes, one row each, already carrying the injected faults."""
    child_ids = rng.choice(np.arange(100_000, 100_000 + n_children * 20), size=n_children, replace=False)
    per_child = np.minimum(rng.geometric(0.32, size=n_children), 14)
    n = int(per_child.sum())
    child = np.repeat(child_ids, per_child)
    position = np.arange(n) - np.repeat(np.cumsum(per_child) - per_child, per_child)
    window_start = pd.Timestamp(f"{first_year - 3}-04-01")
    window_days = (pd.Timestamp(f"{first_year + years}-04-01") - window_start).days
    entry = rng.integers(0, window_days, size=n_children)
    length = np.maximum(1, rng.exponential(260, size=n).astype(np.int64))
    gap = np.where(rng.random(n) < 0.07, rng.integers(30, 400, size=n), 0)
    gap[position == 0] = 0
    step = length + np.roll(gap, -1)  # days from this start to the next start
    offsets = np.cumsum(step) - step
    first_offset = np.repeat(offsets[position == 0], per_child)
    start_day = np.repeat(entry, per_child) + (offsets - first_offset)
    start = window_start + pd.to_timedelta(start_day, unit="D")
    end = start + pd.to_timedelta(length, unit="D")

    place = rng.choice(_PLACES, size=n, p=_PLACE_WEIGHTS / _PLACE_WEIGHTS.sum())
    rne = rng.choice(_RNE_NEXT, size=n, p=_RNE_WEIGHTS / _RNE_WEIGHTS.sum())
    after_gap = np.roll(gap, 1) > 0
    rne[(position == 0) | after_gap] = "S"
    frame = pd.DataFrame(
        {"CHILD": child.astype(str), "pos": position, "start": start, "end": end, "RNE": rne, "PLACE": place}
    )
    # Legal-status-only changes keep the placement.
    keep = frame["RNE"].isin(["L", "T", "U"])
    frame["PLACE"] = frame["PLACE"].where(~keep).groupby(frame["CHILD"]).ffill().fillna(frame["PLACE"])
    fostering = frame["PLACE"].isin(["U4", "U5", "U6", "K2", "R1", "H5", "P2", "S1"])
    provider = np.where(rng.random(n) < 0.5, "PR1", "PR4")
    provider = np.where(fostering, provider, "PR1")
    provider = np.where(frame["PLACE"] == "P1", "PR0", provider)
    provider = np.where(frame["PLACE"].isin(["R2", "R5"]), "PR3", provider)
    frame["PLACE_PROVIDER"] = provider
    frame["PLACE_PROVIDER"] = (
        frame["PLACE_PROVIDER"].where(~keep).groupby(frame["CHILD"]).ffill().fillna(frame["PLACE_PROVIDER"])
    )
    # A few temporary moves (a short stay elsewhere, then back with RNE T).
    temporary = (rng.random(n) < 0.02) & (position > 0)
    frame.loc[temporary, "PLACE"] = rng.choice(_TEMPORARY, size=int(temporary.sum()))
    short_break_child = pd.Series(rng.random(n_children) < 0.05, index=child_ids.astype(str))
    ls = rng.choice(_LS, size=n)
    ls = np.where(frame["CHILD"].map(short_break_child), rng.choice(["V3", "V4"], size=n), ls)
    frame["LS"] = ls
    frame["CIN"] = rng.choice(["N1", "N2", "N3", "N4", "N5"], size=n)
    frame["REC"] = np.where(rng.random(n) < 0.7, "X1", "E4A")
    frame["URN"] = rng.integers(1_000_000, 9_999_999, size=n).astype(str)
    # Faults in the underlying records (repeated in every return that shows the episode).
    fault = rng.random(n)
    overlap = (fault < 0.01) & (position > 0)
    frame.loc[overlap, "start"] = frame.loc[overlap, "start"] - pd.to_timedelta(
        rng.integers(5, 60, size=int(overlap.sum())), unit="D"
    )
    frame.loc[(fault >= 0.01) & (fault < 0.013), "PLACE"] = "X9"  # not a 903 code
    frame["end_text_fault"] = (fault >= 0.013) & (fault < 0.015)  # DEC before DECOM
    frame["decom_blank"] = (fault >= 0.015) & (fault < 0.017)
    return frame


def synthetic_903_files(
    n_episodes: int, seed: int = 0, *, first_year: int = 2017, years: int = 5
) -> list[tuple[str, bytes]]:
    """DfE-shaped CSV returns for ``years`` collection years from ``first_year``, whose episodes
    files hold ``n_episodes`` rows in all, as (name, bytes) pairs."""
    rng = np.random.default_rng(seed)
    n_children = max(10, int(n_episodes / 5.2))
    while True:
        episodes = _episodes(n_children, rng, first_year, years)
        parts = []
        for year in range(first_year, first_year + years):
            year_start, year_end = pd.Timestamp(f"{year}-04-01"), pd.Timestamp(f"{year + 1}-04-01")
            shown = episodes[(episodes["start"] < year_end) & (episodes["end"] > year_start)].copy()
            shown["year"] = year
            shown["DEC"] = _uk(shown["end"]).where(shown["end"] <= year_end, "")
            parts.append(shown)
        rows = pd.concat(parts, ignore_index=True)
        if len(rows) >= n_episodes:
            break
        n_children = int(n_children * 1.3) + 10
    rows = rows.iloc[:n_episodes].copy()
    rows["DECOM"] = _uk(rows["start"])
    rows.loc[rows["decom_blank"], "DECOM"] = ""
    wrong = rows["end_text_fault"] & (rows["DEC"] != "")
    rows.loc[wrong, "DEC"] = _uk(rows.loc[wrong, "start"] - pd.Timedelta(days=3))
    for column in ("HOME_POST", "PL_POST", "REASON_PLACE_CHANGE"):
        rows[column] = ""

    children = episodes.drop_duplicates("CHILD")[["CHILD", "start"]]
    age_days = rng.integers(30, 17 * 365, size=len(children))
    dob = children["start"] - pd.to_timedelta(age_days, unit="D")
    people = pd.DataFrame(
        {
            "CHILD": children["CHILD"].to_numpy(),
            "SEX": rng.choice(["1", "2"], size=len(children)),
            "DOB": _uk(dob).to_numpy(),
            "ETHNIC": rng.choice(["WBRI", "MWBC", "BAFR", "AOTH"], size=len(children)),
            "UPN": "",
            "MOTHER": "",
            "MC_DOB": "",
        }
    )
    people.loc[rng.random(len(people)) < 0.005, "DOB"] = ""  # no DOB
    without_header = set(people["CHILD"].sample(frac=0.005, random_state=seed))
    uasc_children = people.sample(frac=0.04, random_state=seed + 1).copy()
    uasc_children["DUC"] = _uk(
        pd.to_datetime(uasc_children["DOB"], format="%d/%m/%Y", errors="coerce")
        + pd.DateOffset(years=18)
        - pd.Timedelta(days=4)
    )

    files: list[tuple[str, bytes]] = []
    episode_columns = [
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ]
    for year in range(first_year, first_year + years):
        shown = rows[rows["year"] == year]
        in_year = set(shown["CHILD"])
        header = people[people["CHILD"].isin(in_year) & ~people["CHILD"].isin(without_header)].copy()
        if year == first_year + 1 and len(header):  # one child's DOB recorded differently that year
            header.loc[header.index[0], "DOB"] = "01/01/2010"
        uasc = uasc_children[uasc_children["CHILD"].isin(in_year)][["CHILD", "SEX", "DOB", "DUC"]]
        files.append((f"{year}-header.csv", header.to_csv(index=False).encode()))
        files.append((f"{year}-episodes.csv", shown[episode_columns].to_csv(index=False).encode()))
        files.append((f"{year}-uasc.csv", uasc.to_csv(index=False).encode()))
    return files


def synthetic_903(n_episodes: int, seed: int) -> Ssda903Files:
    """Synthetic returns with ``n_episodes`` episode rows, read as ``read_903_files`` would."""
    return read_903_files(synthetic_903_files(n_episodes, seed))
