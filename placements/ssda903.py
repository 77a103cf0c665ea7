"""Read and clean SSDA903 (children looked after) returns into finance placements.

Pure pandas: no Django import here, so the placements app can wrap it and the engine can reuse it.

- ``read_903_files`` reads header, episodes and UASC files in the DfE per-year shape (UK dates) or
  the regional LIIA shape (ISO dates, ``LA`` and ``YEAR`` columns), CSV or XLSX, as strings.
- ``clean_episodes`` turns the episodes into one row per finance placement and reports every
  episode it could not use (``issues``) with a reason and an action.
- ``default_mapping`` is the PLACE x PLACE_PROVIDER -> finance placement type table of
  DATA_FORMATS.md.

The cleaning rules, their order and the reason for each are in ``docs/ssda903.md``.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Union

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------------

HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLUMNS = (
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
)
UASC_COLUMNS = ("CHILD", "SEX", "DOB", "DUC")
REGIONAL_COLUMNS = ("LA", "YEAR")

KIND_COLUMNS = {"header": HEADER_COLUMNS, "episodes": EPISODE_COLUMNS, "uasc": UASC_COLUMNS}
# Columns without which a file of that kind cannot be used.
REQUIRED_COLUMNS = {
    "header": ("CHILD", "DOB"),
    "episodes": ("CHILD", "DECOM", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "DEC"),
    "uasc": ("CHILD", "DUC"),
}
# Columns that only one kind of file has: they tell the kinds apart (CHILD, SEX, DOB are shared).
DISTINCTIVE_COLUMNS = {
    "episodes": frozenset(EPISODE_COLUMNS) - {"CHILD"},
    "header": frozenset({"ETHNIC", "UPN", "MOTHER", "MC_DOB"}),
    "uasc": frozenset({"DUC"}),
}

# Reason for new episode: S started to be looked after, P change of placement, B change of
# placement and legal status; L, T, U are the codes our brief treats as "the same placement
# continues" (L change of legal status only).
RNE_CODES = frozenset({"S", "P", "L", "T", "U", "B"})
CONTINUING_RNE = frozenset({"L", "T", "U"})
SHORT_BREAK_LS = frozenset({"V3", "V4"})
TEMPORARY_PLACES = frozenset({"T0", "T1", "T2", "T3", "T4"})
PROVIDER_CODES = frozenset({"PR0", "PR1", "PR2", "PR3", "PR4", "PR5"})
PLACE_CODES = frozenset(
    {
        "A3",
        "A4",
        "A5",
        "A6",
        "H5",
        "K1",
        "K2",
        "K3",
        "P1",
        "P2",
        "P3",
        "R1",
        "R2",
        "R3",
        "R5",
        "S1",
        "U1",
        "U2",
        "U3",
        "U4",
        "U5",
        "U6",
        "Z1",
        "Z11",
        "Z12",
        "Z13",
        "Z14",
    }
    | TEMPORARY_PLACES
)

ISSUE_COLUMNS = ["file", "row", "column", "value", "reason", "action", "rule", "record"]
PLACEMENT_COLUMNS = [
    "placement_ref",
    "child_ref",
    "child_dob",
    "uasc",
    "placement_type",
    "place",
    "place_provider",
    "start_date",
    "end_date",
    "source",
]
MAPPING_COLUMNS = ["place", "place_provider", "valid_from_year", "valid_to_year", "finance_type"]

FileInput = Union[str, "os.PathLike[str]", tuple[str, bytes]]


class Ssda903FileError(ValueError):
    """One or more files cannot be read as SSDA903 files. ``errors`` lists every problem."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


class MappingError(ValueError):
    """The PLACE x PLACE_PROVIDER mapping is incomplete or ambiguous."""


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ssda903File:
    name: str
    kind: str  # "header" | "episodes" | "uasc"
    shape: str  # "dfe" (per-year, UK dates) | "regional" (LIIA: LA, YEAR, ISO dates)
    rows: int
    ignored_columns: tuple[str, ...] = ()


@dataclass
class Ssda903Files:
    """Everything read, as strings. Each frame has the kind's columns (absent optional columns
    are blank), ``LA`` and ``YEAR`` (blank for DfE files) and bookkeeping columns: ``_file`` (file
    name), ``_row`` (spreadsheet row, header = 1), ``_src`` (position of the file in the input)
    and ``_year_hint`` (YEAR, or a year in the file name; NaN if neither)."""

    header: pd.DataFrame
    episodes: pd.DataFrame
    uasc: pd.DataFrame
    files: list[Ssda903File] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_META_COLUMNS = ["_file", "_row", "_src", "_year_hint"]
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _empty_frame(kind: str) -> pd.DataFrame:
    columns = list(KIND_COLUMNS[kind]) + list(REGIONAL_COLUMNS) + _META_COLUMNS
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    frame["_row"] = frame["_row"].astype("int64")
    frame["_src"] = frame["_src"].astype("int64")
    frame["_year_hint"] = frame["_year_hint"].astype("float64")
    return frame


def _load(item: FileInput) -> tuple[str, bytes]:
    if isinstance(item, tuple):
        name, data = item
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"{name}: expected bytes, got {type(data).__name__}")
        return str(name), bytes(data)
    path = Path(item)
    return path.name, path.read_bytes()


def _read_table(name: str, data: bytes) -> pd.DataFrame:
    """Read one CSV or XLSX (first sheet) as strings; blank cells are ''."""
    if data.startswith(b"PK\x03\x04"):
        try:
            frame = pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=str, engine="openpyxl")
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise Ssda903FileError([f"{name}: not a readable XLSX workbook ({exc})"]) from exc
        return frame.fillna("")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Ssda903FileError([f"{name}: old Excel (.xls) workbooks are not supported; save it as XLSX or CSV"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Ssda903FileError([f"{name}: neither a UTF-8 CSV nor an XLSX workbook"]) from exc
    if "\x00" in text:
        raise Ssda903FileError([f"{name}: neither a UTF-8 CSV nor an XLSX workbook (binary content)"])
    if not text.strip():
        raise Ssda903FileError([f"{name}: the file is empty"])
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False, na_filter=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise Ssda903FileError([f"{name}: not a readable CSV ({exc})"]) from exc
    return frame


def _classify(name: str, columns: list[str]) -> tuple[str, str]:
    """Return (kind, shape) from the normalised column names, or raise naming the file."""
    present = set(columns)
    duplicated = sorted({c for c in columns if columns.count(c) > 1 and c})
    if duplicated:
        raise Ssda903FileError([f"{name}: column(s) {', '.join(duplicated)} appear more than once"])
    kinds = sorted(k for k, distinctive in DISTINCTIVE_COLUMNS.items() if present & distinctive)
    if len(kinds) > 1:
        detail = "; ".join(f"{k}: {', '.join(sorted(present & DISTINCTIVE_COLUMNS[k]))}" for k in kinds)
        raise Ssda903FileError(
            [
                f"{name}: mixes the columns of {' and '.join(kinds)} files ({detail}); "
                "each SSDA903 table must be its own file"
            ]
        )
    if not kinds:
        if {"CHILD", "DOB"} <= present:
            kinds = ["header"]
        else:
            shown = ", ".join(c for c in columns if c) or "none"
            raise Ssda903FileError([f"{name}: columns ({shown}) match no SSDA903 file (header, episodes or UASC)"])
    kind = kinds[0]
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in present]
    if missing:
        raise Ssda903FileError([f"{name}: looks like an SSDA903 {kind} file but has no {', '.join(missing)} column"])
    regional = present & set(REGIONAL_COLUMNS)
    if len(regional) == 1:
        has, lacks = ("LA", "YEAR") if "LA" in regional else ("YEAR", "LA")
        raise Ssda903FileError(
            [
                f"{name}: mixes the DfE and regional shapes: it has a {has} column but no {lacks} "
                "(regional files need both)"
            ]
        )
    return kind, ("regional" if regional else "dfe")


def read_903_files(items: Iterable[FileInput]) -> Ssda903Files:
    """Read SSDA903 files (paths or (name, bytes) pairs), recognising each file's type from its
    columns. Raises ``Ssda903FileError`` listing every file that cannot be read."""
    frames: dict[str, list[pd.DataFrame]] = {"header": [], "episodes": [], "uasc": []}
    infos: list[Ssda903File] = []
    warnings: list[str] = []
    errors: list[str] = []
    for src, item in enumerate(items):
        name, data = _load(item)
        try:
            raw = _read_table(name, data)
            columns = [str(c).strip().upper() for c in raw.columns]
            raw.columns = columns
            # Unnamed, empty columns (trailing commas, Excel's phantom columns) are not columns.
            unnamed = [c for c in columns if c.startswith("UNNAMED:") or c == ""]
            empty_unnamed = [c for c in unnamed if (raw[c].astype(str).str.strip() == "").all()]
            if empty_unnamed:
                raw = raw.drop(columns=empty_unnamed)
                columns = [c for c in columns if c not in empty_unnamed]
            kind, shape = _classify(name, columns)
        except Ssda903FileError as exc:
            errors.extend(exc.errors)
            continue
        wanted = list(KIND_COLUMNS[kind]) + list(REGIONAL_COLUMNS)
        extra = tuple(c for c in columns if c not in wanted)
        content = [c for c in columns if c in wanted]
        raw = raw[content].astype(str).apply(lambda s: s.str.strip())
        raw["_row"] = np.arange(2, len(raw) + 2, dtype="int64")
        # Blank lines (all cells empty) are not records.
        blank = (raw[content] == "").all(axis=1)
        raw = raw[~blank]
        second_header = raw["CHILD"].str.upper() == "CHILD"
        if second_header.any():
            errors.append(
                f"{name}: row {int(raw.loc[second_header, '_row'].iloc[0])} repeats the column names "
                "(several files pasted into one?)"
            )
            continue
        out = pd.DataFrame(index=raw.index)
        for column in wanted:
            out[column] = raw[column] if column in raw.columns else ""
        out["_file"] = name
        out["_row"] = raw["_row"]
        out["_src"] = src
        if shape == "regional":
            out["_year_hint"] = pd.to_numeric(out["YEAR"], errors="coerce").astype("float64")
        else:
            match = _YEAR_IN_NAME.search(name)
            out["_year_hint"] = float(match.group(1)) if match else np.nan
        frames[kind].append(out.reset_index(drop=True))
        infos.append(Ssda903File(name=name, kind=kind, shape=shape, rows=len(out), ignored_columns=extra))
        if extra:
            warnings.append(f"{name}: column(s) {', '.join(extra)} are not SSDA903 {kind} columns and were ignored")
    if errors:
        raise Ssda903FileError(errors)
    result = {}
    for kind, parts in frames.items():
        result[kind] = pd.concat(parts, ignore_index=True) if parts else _empty_frame(kind)
    return Ssda903Files(
        header=result["header"],
        episodes=result["episodes"],
        uasc=result["uasc"],
        files=infos,
        warnings=warnings,
    )


# --------------------------------------------------------------------------------------------
# Dates and years
# --------------------------------------------------------------------------------------------

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00)?)?$")
_UK = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def parse_dates(values: pd.Series) -> pd.Series:
    """Parse UK (31/07/2019) or ISO (2019-07-31, optionally with a midnight time) dates; anything
    else, and impossible dates such as 31/02/2019, becomes NaT. Vectorised."""
    text = values.astype(str)
    out = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    out = out.where(text.str.len().between(8, 10))  # 4-digit years only
    rest = out.isna() & (text != "")
    if rest.any():
        candidates = text[rest]
        iso = candidates[candidates.str.match(_ISO)]
        if len(iso):
            out[iso.index] = pd.to_datetime(iso.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    return out.astype("datetime64[ns]")


def _yyyymmdd(dates: pd.Series) -> pd.Series:
    number: pd.Series = dates.dt.year * 10000 + dates.dt.month * 100 + dates.dt.day
    return number.astype("int64").astype(str)


def financial_year_start(dates: pd.Series) -> pd.Series:
    """Calendar year in which the financial (collection) year of each date starts: April-March."""
    years: pd.Series = dates.dt.year - (dates.dt.month < 4).astype("int64")
    return years


def _uk(dates: pd.Series) -> pd.Series:
    text: pd.Series = dates.dt.strftime("%d/%m/%Y")
    return text.fillna("")


def _fy_label(years: pd.Series) -> pd.Series:
    years = years.astype("int64")
    return years.astype(str) + "/" + ((years + 1) % 100).astype(str).str.zfill(2)


# --------------------------------------------------------------------------------------------
# Mapping
# --------------------------------------------------------------------------------------------


def default_mapping() -> pd.DataFrame:
    """PLACE x PLACE_PROVIDER -> finance placement type, as in DATA_FORMATS.md.

    ``place_provider`` None = any provider (used when no row names the episode's provider);
    ``valid_from_year`` / ``valid_to_year`` are collection-year starts (2024 = 2024/25), inclusive,
    None = open. PR0 or a blank provider falls to the "any provider" row, which is in-house for
    fostering and residential (see docs/ssda903.md).
    """
    rows: list[tuple[str, str | None, int | None, int | None, str]] = []

    def add(
        places: Iterable[str],
        finance_type: str,
        providers: Iterable[str | None] = (None,),
        valid_from: int | None = None,
        valid_to: int | None = None,
    ) -> None:
        for place in places:
            for provider in providers:
                rows.append((place, provider, valid_from, valid_to, finance_type))

    in_house, external = ("PR1", "PR2", "PR3"), ("PR4", "PR5")
    add(["U1", "U2", "U3"], "fostering_kinship")
    add(["U4", "U5", "U6"], "fostering_in_house", in_house)
    add(["U4", "U5", "U6"], "fostering_ifa", external)
    add(["U4", "U5", "U6"], "fostering_in_house")  # PR0 or no provider
    add(["K2", "R1"], "residential_in_house", in_house)
    add(["K2", "R1"], "residential_external", external)
    add(["K2", "R1"], "residential_in_house")  # PR0 or no provider
    add(["K1"], "secure")
    add(["H5", "P2"], "supported_accommodation", valid_to=2023)
    add(["K3"], "supported_accommodation", valid_from=2024)
    add(["P1"], "placed_with_parents")
    add(["A3", "A4", "A5", "A6"], "adoption")
    add(["R3"], "parent_and_child")
    add(["S1"], "residential_school")
    add(["R5"], "youth_custody")
    add(["Z1"], "other", valid_to=2023)
    add(["Z11", "Z12", "Z13", "Z14"], "other", valid_from=2024)
    frame = pd.DataFrame(rows, columns=MAPPING_COLUMNS)
    frame["valid_from_year"] = frame["valid_from_year"].astype("Int64")
    frame["valid_to_year"] = frame["valid_to_year"].astype("Int64")
    return frame


def _normalise_mapping(mapping: pd.DataFrame) -> pd.DataFrame:
    columns = {str(c).strip().lower(): c for c in mapping.columns}
    missing = [c for c in MAPPING_COLUMNS if c not in columns]
    if missing:
        raise MappingError(f"the mapping has no {', '.join(missing)} column")
    m = pd.DataFrame({c: mapping[columns[c]] for c in MAPPING_COLUMNS}).reset_index(drop=True)

    def text(s: pd.Series) -> pd.Series:
        return s.astype(object).where(s.notna(), "").astype(str).str.strip().str.upper()

    m["place"] = text(m["place"])
    m["place_provider"] = text(m["place_provider"]).replace({"NONE": "", "NAN": "", "<NA>": ""})
    m["finance_type"] = m["finance_type"].astype(object).where(m["finance_type"].notna(), "").astype(str).str.strip()
    for column in ("valid_from_year", "valid_to_year"):
        raw = m[column].astype(object).where(m[column].notna(), None)
        blank = raw.isna() | (raw.astype(str).str.strip().isin(["", "None", "nan", "<NA>"]))
        number = pd.to_numeric(raw.where(~blank), errors="coerce")
        if (number.isna() & ~blank).any():
            raise MappingError(f"{column} must be a year such as 2024 or blank")
        m[column] = number.astype("Int64")
    if (m["place"] == "").any() or (m["finance_type"] == "").any():
        raise MappingError("every mapping row needs a place and a finance_type")
    backwards = m["valid_from_year"].notna() & m["valid_to_year"].notna() & (m["valid_from_year"] > m["valid_to_year"])
    if backwards.any():
        bad = m[backwards].iloc[0]
        raise MappingError(
            f"mapping row for {bad['place']} is valid from {bad['valid_from_year']} "
            f"to {bad['valid_to_year']}: the end is before the start"
        )
    return m


def _apply_mapping(first: pd.DataFrame, mapping: pd.DataFrame) -> pd.Series:
    """Finance type per placement (index of ``first``) from its PLACE, PLACE_PROVIDER and the
    collection year of its start; NaN where no mapping row applies."""
    keys = pd.DataFrame(
        {
            "_pid": first.index,
            "place": first["PLACE"].to_numpy(),
            "provider": first["_provider"].to_numpy(),
            "fy": first["_fy"].to_numpy(),
        }
    )
    cand = keys.merge(mapping, on="place", how="inner")
    fy = cand["fy"].astype("int64")
    ok = (cand["place_provider"] == "") | (cand["place_provider"] == cand["provider"])
    ok &= cand["valid_from_year"].isna().to_numpy() | (cand["valid_from_year"].fillna(0).to_numpy() <= fy)
    ok &= cand["valid_to_year"].isna().to_numpy() | (cand["valid_to_year"].fillna(0).to_numpy() >= fy)
    cand = cand[ok].copy()
    if cand.empty:
        return pd.Series(np.nan, index=first.index, dtype=object)
    cand["_specific"] = (cand["place_provider"] != "").astype("int64")
    best = cand.groupby("_pid")["_specific"].transform("max")
    cand = cand[cand["_specific"] == best]
    types = cand.groupby("_pid")["finance_type"].nunique()
    if (types > 1).any():
        pid = types[types > 1].index[0]
        row = cand[cand["_pid"] == pid].iloc[0]
        provider = row["provider"] or "(blank)"
        year = f"{int(row['fy'])}/{(int(row['fy']) + 1) % 100:02d}"
        choices = ", ".join(sorted(cand.loc[cand["_pid"] == pid, "finance_type"].unique()))
        raise MappingError(
            f"the mapping is ambiguous for PLACE {row['place']} with provider {provider} in {year}: {choices}"
        )
    chosen = cand.drop_duplicates("_pid").set_index("_pid")["finance_type"]
    return chosen.reindex(first.index)


# --------------------------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------------------------


@dataclass
class CleanResult:
    placements: pd.DataFrame
    issues: pd.DataFrame
    summary: dict[str, Any]


class _Issues:
    """Collects issue rows as small frames; one concat at the end."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(
        self,
        rows: pd.DataFrame,
        column: str,
        value: pd.Series | str,
        reason: pd.Series | str,
        action: str,
        rule: str,
        record: str = "episode",
    ) -> None:
        if rows.empty:
            return
        self.parts.append(
            pd.DataFrame(
                {
                    "file": rows["_file"].to_numpy(),
                    "row": rows["_row"].to_numpy(),
                    "column": column,
                    "value": value.to_numpy() if isinstance(value, pd.Series) else value,
                    "reason": reason.to_numpy() if isinstance(reason, pd.Series) else reason,
                    "action": action,
                    "rule": rule,
                    "record": record,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            out = pd.DataFrame({c: pd.Series(dtype=object) for c in ISSUE_COLUMNS})
            out["row"] = out["row"].astype("int64")
            return out
        out = pd.concat(self.parts, ignore_index=True)[ISSUE_COLUMNS]
        out["row"] = out["row"].astype("int64")
        return out


def _where(ep: pd.DataFrame, mask: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``ep`` into (rows where mask, the rest)."""
    mask = mask.fillna(False).astype(bool)
    return ep[mask], ep[~mask]


def _select_authority(files: Ssda903Files, la: str | None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    def key(frame: pd.DataFrame) -> pd.Series:
        return frame["LA"].astype(str).str.strip().str.upper()

    authorities = sorted(set(key(files.episodes)) - {""})
    if la is None:
        if len(authorities) > 1:
            raise ValueError(
                f"the files hold episodes of several authorities ({', '.join(authorities)}); choose one with la="
            )
        return files.episodes.copy(), files.header.copy(), files.uasc.copy(), 0
    wanted = la.strip().upper()
    if authorities and wanted not in authorities:
        raise ValueError(f"no episodes for authority {la!r}; the files hold {', '.join(authorities)}")

    def pick(frame: pd.DataFrame) -> pd.DataFrame:
        k = key(frame)
        return frame[(k == wanted) | (k == "")].copy()

    episodes = pick(files.episodes)
    return episodes, pick(files.header), pick(files.uasc), len(files.episodes) - len(episodes)


def _return_order(ep: pd.DataFrame, today: pd.Timestamp) -> pd.DataFrame:
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


def _child_dobs(header: pd.DataFrame, issues: _Issues) -> pd.DataFrame:
    """Latest valid DOB per child (index CHILD) with the header file/row it came from."""
    h = header.copy()
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
    counts = h.groupby("CHILD")["_dob"].nunique()
    conflicted = counts[counts > 1].index
    if len(conflicted):
        c = h[h["CHILD"].isin(conflicted)]
        label = _uk(c["_dob"]) + " (" + c["_file"] + " row " + c["_row"].astype(str) + ")"
        others = label.groupby(c["CHILD"]).agg("; ".join)
        rows = latest.loc[conflicted].reset_index()
        reason = (
            "date of birth differs between returns: "
            + rows["CHILD"].map(others)
            + "; the latest return's "
            + _uk(rows["_dob"])
            + " is used"
        )
        issues.add(rows, "DOB", rows["DOB"], reason, "corrected", "dob_conflict", "header")
    return latest[["_dob", "_file", "_row"]]


def clean_episodes(
    files: Ssda903Files, *, mapping: pd.DataFrame, la: str | None = None, today: date | None = None
) -> CleanResult:
    """Turn SSDA903 episodes into finance placements (exclusive end dates), reporting every
    episode that is not used. The rules run in the order documented in docs/ssda903.md."""
    today_ts = pd.Timestamp(today or date.today()).normalize()
    maps = _normalise_mapping(mapping)
    issues = _Issues()
    ep, header, uasc, n_other = _select_authority(files, la)
    ep = ep.reset_index(drop=True)
    n_read = len(ep)

    for column in ("RNE", "LS", "PLACE", "PLACE_PROVIDER"):
        ep[column] = ep[column].str.upper()
    ep["_decom"] = parse_dates(ep["DECOM"])
    ep["_dec"] = parse_dates(ep["DEC"])
    ep["_ret"] = ep.groupby(["_src", "LA", "YEAR"], sort=False).ngroup()

    # 1. No child reference.
    bad, ep = _where(ep, ep["CHILD"] == "")
    issues.add(bad, "CHILD", "", "no child reference (CHILD is blank)", "dropped", "missing_child")

    # 2. No start date, a start date that is not a date, or one in the future.
    bad, ep = _where(ep, ep["DECOM"] == "")
    issues.add(bad, "DECOM", "", "no start date (DECOM is blank)", "dropped", "missing_decom")
    bad, ep = _where(ep, ep["_decom"].isna())
    issues.add(
        bad,
        "DECOM",
        bad["DECOM"],
        "DECOM is not a date (use 31/07/2019 or 2019-07-31)",
        "dropped",
        "bad_date",
    )
    bad, ep = _where(ep, ep["_decom"] > today_ts)
    issues.add(bad, "DECOM", bad["DECOM"], "DECOM is in the future", "dropped", "decom_in_future")

    # 3. The same episode (child + DECOM) in several returns: keep the latest return's version.
    returns = _return_order(ep, today_ts)
    ep["_rank"] = ep["_ret"].map(returns["rank"]).astype("int64")
    ep = ep.sort_values(["CHILD", "_decom", "_rank", "_row"], kind="stable").reset_index(drop=True)
    key = ["CHILD", "_decom"]
    superseded = ep.duplicated(key, keep="last")
    grouped = ep.groupby(key, sort=False)
    kept_rank = grouped["_rank"].transform("last")
    content = pd.Series(pd.util.hash_pandas_object(ep[list(EPISODE_COLUMNS)], index=False).to_numpy(), index=ep.index)
    kept_content = content.groupby([ep["CHILD"], ep["_decom"]], sort=False).transform("last")
    conflict = superseded & (ep["_rank"] == kept_rank) & (content != kept_content)
    kept_row = grouped["_row"].transform("last")
    bad = ep[conflict]
    issues.add(
        bad,
        "DECOM",
        bad["DECOM"],
        "another episode of this child starting the same day follows in the same return (row "
        + kept_row[conflict].astype(str)
        + ", which is used)",
        "dropped",
        "conflicting_duplicate",
    )
    n_duplicates = int((superseded & ~conflict).sum())
    ep = ep[~superseded]

    # 4. End dates that are not dates, end before the start, or no night at all.
    bad, ep = _where(ep, ep["_dec"].isna() & (ep["DEC"] != ""))
    issues.add(bad, "DEC", bad["DEC"], "DEC is not a date (use 31/07/2019 or 2019-07-31)", "dropped", "bad_date")
    bad, ep = _where(ep, ep["_dec"] < ep["_decom"])
    issues.add(
        bad,
        "DEC",
        bad["DEC"],
        "DEC (" + bad["DEC"] + ") is before DECOM (" + bad["DECOM"] + ")",
        "dropped",
        "dec_before_decom",
    )
    bad, ep = _where(ep, ep["_dec"] == ep["_decom"])
    issues.add(
        bad,
        "DEC",
        bad["DEC"],
        "episode ends the day it starts: no night in placement",
        "ignored",
        "zero_length",
    )

    # 5. The child's header: no header row, no usable DOB, DOB in the future or after DECOM.
    dobs = _child_dobs(header, issues)
    has_header = set(header["CHILD"]) - {""}
    bad, ep = _where(ep, ~ep["CHILD"].isin(has_header))
    issues.add(
        bad,
        "CHILD",
        bad["CHILD"],
        "child " + bad["CHILD"] + " has no header row in any return",
        "dropped",
        "no_header",
    )
    ep["_dob"] = ep["CHILD"].map(dobs["_dob"])
    bad, ep = _where(ep, ep["_dob"].isna())
    issues.add(
        bad,
        "DOB",
        "",
        "child " + bad["CHILD"] + " has no valid date of birth in any header row",
        "dropped",
        "no_dob",
    )
    where_dob = ep["CHILD"].map(dobs["_file"]) + " row " + ep["CHILD"].map(dobs["_row"]).astype(str)
    bad, ep = _where(ep, ep["_dob"] > today_ts)
    issues.add(
        bad,
        "DOB",
        _uk(bad["_dob"]),
        "date of birth is in the future (" + where_dob[bad.index] + ")",
        "dropped",
        "dob_in_future",
    )
    bad, ep = _where(ep, ep["_dob"] > ep["_decom"])
    issues.add(
        bad,
        "DOB",
        _uk(bad["_dob"]),
        "date of birth (" + where_dob[bad.index] + ") is after DECOM " + bad["DECOM"],
        "dropped",
        "dob_after_decom",
    )

    # 6. Short breaks are not placements.
    bad, ep = _where(ep, ep["LS"].isin(SHORT_BREAK_LS))
    issues.add(
        bad,
        "LS",
        bad["LS"],
        "short-break episode (legal status " + bad["LS"] + ") is not a placement",
        "ignored",
        "short_break",
    )

    # 7. Codes: PLACE must be known; an unknown provider or RNE is read as blank / a new placement.
    known_places = PLACE_CODES | set(maps["place"])
    bad, ep = _where(ep, ep["PLACE"] == "")
    issues.add(bad, "PLACE", "", "no placement type (PLACE is blank)", "dropped", "missing_place")
    bad, ep = _where(ep, ~ep["PLACE"].isin(known_places))
    issues.add(
        bad,
        "PLACE",
        bad["PLACE"],
        "PLACE " + bad["PLACE"] + " is not an SSDA903 placement code",
        "dropped",
        "unknown_place",
    )
    odd = (ep["PLACE_PROVIDER"] != "") & ~ep["PLACE_PROVIDER"].isin(PROVIDER_CODES)
    issues.add(
        ep[odd],
        "PLACE_PROVIDER",
        ep.loc[odd, "PLACE_PROVIDER"],
        "not a PLACE_PROVIDER code (PR0-PR5): treated as no provider",
        "corrected",
        "unknown_provider",
    )
    ep["_provider"] = ep["PLACE_PROVIDER"].where(~odd, "")
    odd = ~ep["RNE"].isin(RNE_CODES)
    issues.add(
        ep[odd],
        "RNE",
        ep.loc[odd, "RNE"],
        "not an RNE code (S, P, L, T, U, B): treated as a change of placement",
        "corrected",
        "unknown_rne",
    )

    ep = ep.sort_values(["CHILD", "_decom"], kind="stable").reset_index(drop=True)

    # 8. An open episode missing from a later return ended by the end of the last return holding it.
    latest_fy = int(returns["fy"].max()) if len(returns) else -1
    ret_fy = ep["_ret"].map(returns["fy"]).astype("int64")
    stale = ep["_dec"].isna() & (ret_fy < latest_fy) & (ret_fy >= 0) & (ep["_rank"] < len(returns) - 1)
    if stale.any():
        closed = pd.to_datetime((ret_fy[stale] + 1).astype(str) + "-04-01")
        bad = ep[stale]
        issues.add(
            bad,
            "DEC",
            "",
            "open episode is missing from the later return(s): closed at the end of its last "
            "return, DEC " + _uk(closed),
            "corrected",
            "stale_open",
        )
        ep.loc[stale, "_dec"] = closed

    # 9. Overlaps: an episode that runs past the next one's start ends when the next one starts.
    same_child_next = ep["CHILD"].eq(ep["CHILD"].shift(-1))
    next_start = ep["_decom"].shift(-1).where(same_child_next)
    overlap = next_start.notna() & (ep["_dec"].isna() | (ep["_dec"] > next_start))
    if overlap.any():
        bad = ep[overlap]
        was = bad["_dec"].pipe(_uk).where(bad["_dec"].notna(), "open")
        issues.add(
            bad,
            "DEC",
            bad["DEC"],
            "overlaps the child's next episode: DEC " + was + " set to its start " + _uk(next_start[overlap]),
            "corrected",
            "overlap",
        )
        ep.loc[overlap, "_dec"] = next_start[overlap]

    # 10. A temporary placement (T0-T4) keeps the placement before it; with none before it, drop it.
    prev_same = ep["CHILD"].eq(ep["CHILD"].shift(1))
    contiguous = prev_same & ep["_decom"].eq(ep["_dec"].shift(1))
    run = (~contiguous).cumsum()
    temporary = ep["PLACE"].isin(TEMPORARY_PLACES)
    base_place = ep["PLACE"].where(~temporary).groupby(run).ffill()
    orphan = temporary & base_place.isna()
    if orphan.any():
        bad = ep[orphan]
        issues.add(
            bad,
            "PLACE",
            bad["PLACE"],
            "temporary placement " + bad["PLACE"] + " with no placement just before it to keep",
            "dropped",
            "temporary_without_placement",
        )
        ep = ep[~orphan].reset_index(drop=True)
        prev_same = ep["CHILD"].eq(ep["CHILD"].shift(1))
        contiguous = prev_same & ep["_decom"].eq(ep["_dec"].shift(1))
        run = (~contiguous).cumsum()
        temporary = ep["PLACE"].isin(TEMPORARY_PLACES)
    ep["_place"] = ep["PLACE"].where(~temporary).groupby(run).ffill()
    ep["_provider"] = ep["_provider"].where(~temporary).groupby(run).ffill()

    # 11. Merge episodes where the same placement continues.
    same_place = ep["_place"].eq(ep["_place"].shift(1)) & ep["_provider"].eq(ep["_provider"].shift(1))
    continues = contiguous & same_place & (temporary | ep["RNE"].isin(CONTINUING_RNE))
    ep["_pid"] = (~continues).cumsum() - 1
    starts = ep[~continues].set_index("_pid")
    starts["_fy"] = financial_year_start(starts["_decom"])
    ep["_start"] = ep["_pid"].map(starts["_decom"])
    ep["_ref"] = "903-" + ep["CHILD"] + "-" + _yyyymmdd(ep["_start"])

    # 12. Finance type of each placement from its first episode's PLACE x provider, in the
    # collection year of its DECOM.
    starts["PLACE"] = starts["_place"]
    finance = _apply_mapping(starts, maps)
    unmapped_pid = finance.index[finance.isna()]
    if len(unmapped_pid):
        lost = ep["_pid"].isin(unmapped_pid)
        bad = ep[lost]
        first = starts.loc[bad["_pid"]]
        text = (
            "no finance placement type for PLACE "
            + first["_place"].to_numpy()
            + " with provider "
            + first["_provider"].replace("", "(blank)").to_numpy()
            + " in "
            + _fy_label(first["_fy"]).to_numpy()
        )
        reason = pd.Series(text, index=bad.index)
        reason = reason.where(~continues[lost], reason + " (the placement this episode continues)")
        issues.add(bad, "PLACE", bad["PLACE"], reason, "dropped", "no_mapping")
        ep = ep[~lost]
        starts = starts.drop(index=unmapped_pid)
        continues = continues[~lost]

    merged = ep[continues]
    temp = merged["PLACE"].isin(TEMPORARY_PLACES)
    into = " (merged into " + merged["_ref"] + ")"
    issues.add(
        merged[temp],
        "PLACE",
        merged.loc[temp, "PLACE"],
        "temporary placement " + merged.loc[temp, "PLACE"] + ": the child's placement before it continues" + into[temp],
        "merged",
        "temporary_move",
    )
    rest = merged[~temp]
    issues.add(
        rest,
        "RNE",
        rest["RNE"],
        "RNE " + rest["RNE"] + " is not a change of placement and PLACE and "
        "provider are unchanged: the same placement continues" + into[~temp],
        "merged",
        "continuing_episode",
    )

    # 13. One row per placement.
    # The end of a placement is its last episode's DEC, open (NaT) included: groupby.last() would
    # skip an open last episode.
    last = ep.drop_duplicates("_pid", keep="last").set_index("_pid")["_dec"]
    uasc_until = _uasc_until(uasc)
    child = starts["CHILD"]
    in_uasc = child.isin(uasc_until.index)
    duc = child.map(uasc_until)
    placements = pd.DataFrame(
        {
            "placement_ref": "903-" + child + "-" + _yyyymmdd(starts["_decom"]),
            "child_ref": child,
            "child_dob": starts["_dob"],
            "uasc": in_uasc & (duc.isna() | (starts["_decom"] < duc)),
            "placement_type": finance.reindex(starts.index),
            "place": starts["_place"],
            "place_provider": starts["_provider"],
            "start_date": starts["_decom"],
            "end_date": last.reindex(starts.index),
            "source": starts["_file"] + " row " + starts["_row"].astype(str),
        }
    ).reset_index(drop=True)[PLACEMENT_COLUMNS]
    placements["uasc"] = placements["uasc"].astype(bool)

    issue_frame = issues.frame()
    episode_issues = issue_frame[issue_frame["record"] == "episode"]

    def by_rule(action: str) -> dict[str, int]:
        counts = episode_issues.loc[episode_issues["action"] == action, "rule"].value_counts()
        return {str(k): int(v) for k, v in counts.items()}

    dropped = by_rule("dropped")
    ignored = by_rule("ignored")
    n_merged = int((episode_issues["action"] == "merged").sum())
    n_used, n_dropped, n_ignored = len(placements), sum(dropped.values()), sum(ignored.values())
    summary: dict[str, Any] = {
        "episodes_read": n_read,
        "episodes_other_authorities": n_other,
        "duplicates_removed": n_duplicates,
        "used": len(placements),
        "merged": n_merged,
        "dropped": sum(dropped.values()),
        "dropped_by_reason": dropped,
        "ignored": sum(ignored.values()),
        "ignored_by_reason": ignored,
        "corrected_by_reason": by_rule("corrected"),
        "header_issues": int((issue_frame["record"] != "episode").sum()),
        "placements_produced": len(placements),
        "children": int(placements["child_ref"].nunique()),
    }
    summary["unaccounted"] = n_read - (n_used + n_duplicates + n_merged + n_dropped + n_ignored)
    return CleanResult(placements=placements, issues=issue_frame, summary=summary)


def _uasc_until(uasc: pd.DataFrame) -> pd.Series:
    """Per UASC child, the date they ceased to be UASC (latest DUC; NaT if none given)."""
    u = uasc[["CHILD", "DUC"]].copy()
    u = u[u["CHILD"] != ""]
    u["_duc"] = parse_dates(u["DUC"])
    return u.groupby("CHILD")["_duc"].max()
