"""The quicker ways the cleaning finds what pandas alone would find.

Dates written DD/MM/YYYY are read from their digits; every text must give what pandas'
parsers give it (``dates._parsed``, each distinct text once as ``parse_dates`` has always done:
pandas takes a text with a NUL in it for the same text cut there when it finds the distinct
ones)."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd

from placements.ssda903 import financial_year_start, parse_dates
from placements.ssda903.dates import _parsed
from placements.ssda903.episode_steps import _sort_order, return_numbers
from placements.ssda903.uniques import on_uniques, sorted_codes


def test_dates_read_from_their_digits_are_those_pandas_parses() -> None:
    years = [*range(1600, 1700, 7), *range(1995, 2030), 0, 2100, 2200, 2261, 2262, 2263, 9999]
    texts = [f"{d:02d}/{m:02d}/{y:04d}" for y in years for m in range(14) for d in range(33)]
    texts += ["1/2/2019", "01/2/2019", "2019-07-31", "2019-07-31 00:00", "2019-07-31T00:00:00", "31/07/19", ""]
    texts += ["abc", "31-07-2019", "3l/07/2019", "31/07/2019 ", " 31/07/2019", "\uff131/07/2019", "01/02/2019\x00"]
    texts += ["1/02/20199", "29/02/2000", "29/02/1900", "29/02/2004", "29/02/2100", "31/04/2019", "31/12/2261"]
    rng = random.Random(1)
    texts += ["".join(rng.choice("0123456789/") for _ in range(10)) for _ in range(5000)]
    text = pd.Series(texts, dtype=object)
    read, parsed = parse_dates(text), on_uniques(text.astype(str), _parsed)  # as pandas alone parses them
    assert read.dtype == parsed.dtype == "datetime64[ns]"
    pd.testing.assert_series_equal(read, parsed, check_names=False)
    assert read.notna().sum() > 10_000  # most of them are dates


def test_text_numbered_in_sorted_order_as_pandas_numbers_it() -> None:
    rng = random.Random(2)
    alphabet = "abcAB019 -_\u00e9\u0131\u4e2d\U0001f600Zz"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(20_000)]
    for values in (texts, ["b", "\ud800", "a"], [1, "a", 2.5]):  # a lone surrogate; not all text
        series = pd.Series(values, dtype=object)
        np.testing.assert_array_equal(sorted_codes(series), pd.factorize(series, sort=True)[0])


def test_work_on_the_distinct_values_gives_what_the_work_on_every_value_gives() -> None:
    def upper(codes: pd.Series) -> pd.Series:
        return codes.str.upper()

    def none_as_text(codes: pd.Series) -> pd.Series:
        return codes.fillna("none")

    rng = random.Random(4)
    columns = [
        [rng.choice(["C2", "c2", "U4", " u4", ""]) for _ in range(5000)],  # some codes change
        [rng.choice(["C2", "U4", "PR1", ""]) for _ in range(5000)],  # none does: the column as it was
        ["a", None, "B", np.nan, "a"],  # missing values are given to the work too
        [],
    ]
    for values in columns:
        series = pd.Series(values, dtype=object, name="LS")
        for work in (upper, none_as_text):
            got, want = on_uniques(series, work), work(series)
            # A missing value stays missing (None and NaN are one missing value to pandas' numbering).
            assert got.isna().tolist() == want.isna().tolist()
            pd.testing.assert_series_equal(got[got.notna()], want[want.notna()])
    assert on_uniques(pd.Series([None, np.nan], dtype=object), none_as_text).tolist() == ["none", "none"]


def test_rule_3s_order_is_numpys_lexsort() -> None:
    rng = np.random.default_rng(3)
    n = 5000
    child, rank, row = rng.integers(0, 300, n), rng.integers(0, 4, n), rng.integers(2, 40, n)
    day = 86_400 * 10**9
    decom = (rng.integers(-400, 400, n) * day).astype("int64")
    expected = np.lexsort((row, rank, decom, child))
    np.testing.assert_array_equal(_sort_order(child, decom, rank, row), expected)
    # A time of day, NaT, or numbers too wide to pack: the lexsort itself.
    for other in (decom + 1, np.where(row == 2, np.iinfo("int64").min, decom)):
        np.testing.assert_array_equal(_sort_order(child, other, rank, row), np.lexsort((row, rank, other, child)))
    wide = child * 10**15
    np.testing.assert_array_equal(_sort_order(wide, decom, rank, row), np.lexsort((row, rank, decom, wide)))


def test_collection_years_from_month_numbers_are_pandas_date_fields() -> None:
    dates = pd.Series(pd.date_range("1680-01-01", "2260-12-31", freq="13D"), name="_decom")
    expected = dates.dt.year - (dates.dt.month < 4).astype("int64")
    pd.testing.assert_series_equal(financial_year_start(dates), expected)
    with_nat = pd.concat([dates.head(3), pd.Series([pd.NaT], name="_decom")], ignore_index=True)
    assert financial_year_start(with_nat).isna().tolist() == [False, False, False, True]


def test_returns_numbered_as_pandas_groups_number_them() -> None:
    rng = np.random.default_rng(4)
    n = 3000
    episodes = pd.DataFrame(
        {
            "_src": rng.integers(0, 5, n),
            "LA": rng.choice(["", "A", "B"], n).astype(object),
            "YEAR": rng.choice(["", "2019", "2020", "x"], n).astype(object),
        },
        index=rng.permutation(n),
    )
    for frame in (episodes, episodes.head(0), episodes.assign(LA=episodes["LA"].where(episodes["_src"] != 1))):
        expected = frame.groupby(["_src", "LA", "YEAR"], sort=False).ngroup()
        pd.testing.assert_series_equal(return_numbers(frame), expected)
