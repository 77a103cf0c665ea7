"""The PLACE x PLACE_PROVIDER -> finance placement type mapping (DATA_FORMATS.md).

``default_mapping`` is the table every new authority starts with; the cleaner reads an
authority's own (edited) table through ``normalise_mapping`` and applies it per placement with
``apply_mapping``, in the collection year the placement started (docs/ssda903.md, rule 12).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from placements.ssda903.codes import MAPPING_COLUMNS, MappingError


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


def _upper_text(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), "").astype(str).str.strip().str.upper()


# The last few mappings normalised, by their exact text (``_written``): the replay prepares a
# cleaning at dozens of dates with the same mapping, and a mapping of fifty rows costs pandas
# as much to normalise as thousands of episodes to check.
_NORMALISED: dict[str, pd.DataFrame] = {}
_KEPT = 8
# For each mapping kept above (by the identity of its normalised frame, dropped with it), the
# finance type of every (PLACE, provider, year) looked up so far: the replay's cleanings meet
# the same few hundred again and again, and pandas' merge costs more than their placements.
_LOOKED_UP: dict[int, dict[tuple[object, object, object], object]] = {}


def _written(mapping: pd.DataFrame) -> str:
    """Every name, type and value of the mapping as text (repr tells None, NaN, <NA>, 'nan'
    and 2024 from 2024.0 apart): equal texts normalise the same way."""
    rows = list(mapping.itertuples(index=False, name=None))
    return repr((list(mapping.columns), [str(t) for t in mapping.dtypes], rows))


def normalise_mapping(mapping: pd.DataFrame) -> pd.DataFrame:
    """The mapping with trimmed, upper-case codes, '' for "any provider" and Int64 years;
    raises ``MappingError`` for a missing column, a blank place or type, or a year range backwards.
    The frame returned may be shared with earlier calls: it must not be changed."""
    key = _written(mapping)
    if key not in _NORMALISED:
        normalised = _normalised(mapping)
        if len(_NORMALISED) >= _KEPT:
            _LOOKED_UP.pop(id(_NORMALISED.pop(next(iter(_NORMALISED)))), None)
        _NORMALISED[key] = normalised
        _LOOKED_UP[id(normalised)] = {}
    return _NORMALISED[key]


def _normalised(mapping: pd.DataFrame) -> pd.DataFrame:
    columns = {str(c).strip().lower(): c for c in mapping.columns}
    missing = [c for c in MAPPING_COLUMNS if c not in columns]
    if missing:
        raise MappingError(f"the mapping has no {', '.join(missing)} column")
    m = pd.DataFrame({c: mapping[columns[c]] for c in MAPPING_COLUMNS}).reset_index(drop=True)
    m["place"] = _upper_text(m["place"])
    m["place_provider"] = _upper_text(m["place_provider"]).replace({"NONE": "", "NAN": "", "<NA>": ""})
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


def apply_mapping(first: pd.DataFrame, mapping: pd.DataFrame) -> pd.Series:
    """Finance type per placement (index of ``first``) from its PLACE, ``_provider`` and the
    collection year ``_fy`` of its start; NaN where no mapping row applies."""
    # Tens of thousands of placements hold a few hundred distinct (PLACE, provider, year): each is
    # looked up once. They are numbered in the order they first appear, so the first ambiguous
    # one is that of the first ambiguous placement.
    place, provider, fy = first["PLACE"].to_numpy(), first["_provider"].to_numpy(), first["_fy"].to_numpy()
    codes = [pd.factorize(values)[0].astype("int64") for values in (place, provider, fy)]
    if len(first) and min(int(c.min()) for c in codes) < 0:  # a missing value: each placement looked up
        return _finance_types(first.index, place, provider, fy, mapping)
    sizes = [int(c.max()) + 1 if len(c) else 1 for c in codes]
    key = (codes[0] * sizes[1] + codes[1]) * sizes[2] + codes[2]
    number, firsts = np.unique(key, return_index=True)
    firsts = np.sort(firsts)  # in the order they first appear
    distinct = _distinct_finance_types(place[firsts], provider[firsts], fy[firsts], mapping)
    position = np.empty(len(number), dtype="int64")
    position[np.searchsorted(number, key[firsts])] = np.arange(len(firsts))
    found = distinct.to_numpy()[position[np.searchsorted(number, key)]]
    return pd.Series(found, index=first.index, dtype=distinct.dtype, name=distinct.name)


def _distinct_finance_types(
    place: np.ndarray, provider: np.ndarray, fy: np.ndarray, mapping: pd.DataFrame
) -> pd.Series:
    """``_finance_types`` of distinct (PLACE, provider, year), numbered in turn; for a mapping
    ``normalise_mapping`` keeps, only those not looked up before are. A combination found
    ambiguous raises and is never kept, so the first ambiguous one is still the first found."""
    looked_up = _LOOKED_UP.get(id(mapping))
    if looked_up is None:  # a frame normalise_mapping did not keep: its id may be another's
        return _finance_types(pd.RangeIndex(len(place)), place, provider, fy, mapping)
    keys = list(zip(place.tolist(), provider.tolist(), fy.tolist(), strict=True))
    new = [i for i, key in enumerate(keys) if key not in looked_up]
    if new:
        found = _finance_types(pd.RangeIndex(len(new)), place[new], provider[new], fy[new], mapping).to_numpy()
        for i, value in zip(new, found, strict=True):
            looked_up[keys[i]] = value
    values = np.empty(len(keys), dtype=object)
    values[:] = [looked_up[key] for key in keys]
    return pd.Series(values, index=pd.RangeIndex(len(keys)), dtype=object)


def _finance_types(
    index: pd.Index, place: np.ndarray, provider: np.ndarray, fy: np.ndarray, mapping: pd.DataFrame
) -> pd.Series:
    """``apply_mapping`` of placements ``index`` with these PLACE, provider and year."""
    keys = pd.DataFrame({"_pid": index, "place": place, "provider": provider, "fy": fy})
    cand = keys.merge(mapping, on="place", how="inner")
    fy = cand["fy"].astype("int64")
    ok = (cand["place_provider"] == "") | (cand["place_provider"] == cand["provider"])
    ok &= cand["valid_from_year"].isna().to_numpy() | (cand["valid_from_year"].fillna(0).to_numpy() <= fy)
    ok &= cand["valid_to_year"].isna().to_numpy() | (cand["valid_to_year"].fillna(0).to_numpy() >= fy)
    cand = cand[ok].copy()
    if cand.empty:
        return pd.Series(np.nan, index=index, dtype=object)
    # A row naming the provider beats a row for any provider.
    cand["_specific"] = (cand["place_provider"] != "").astype("int64")
    best = cand.groupby("_pid")["_specific"].transform("max")
    cand = cand[cand["_specific"] == best]
    distinct = cand.drop_duplicates(["_pid", "finance_type"])
    repeated = distinct["_pid"].duplicated()
    if repeated.any():
        pid = distinct.loc[repeated, "_pid"].min()  # the first ambiguous placement
        row = cand[cand["_pid"] == pid].iloc[0]
        shown = row["provider"] or "(blank)"
        year = f"{int(row['fy'])}/{(int(row['fy']) + 1) % 100:02d}"
        choices = ", ".join(sorted(cand.loc[cand["_pid"] == pid, "finance_type"].unique()))
        raise MappingError(
            f"the mapping is ambiguous for PLACE {row['place']} with provider {shown} in {year}: {choices}"
        )
    chosen = cand.drop_duplicates("_pid").set_index("_pid")["finance_type"]
    return chosen.reindex(index)
