"""Dates written DD/MM/YYYY are read from their digits; every text must give what pandas'
parsers give it (``dates._parsed``, each distinct text once as ``parse_dates`` has always done:
pandas takes a text with a NUL in it for the same text cut there when it finds the distinct
ones)."""

from __future__ import annotations

import random

import pandas as pd

from placements.ssda903 import parse_dates
from placements.ssda903.dates import _parsed
from placements.ssda903.uniques import on_uniques


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
