"""The test suite's trimmed copy of DfE's release holds, unchanged, every row of the full file for
the demo county's council, its ten neighbours, its region and England, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from django.conf import settings

from dashboards.benchmark_demo import DEMO_LA_NUMBER
from tests.conftest import TRIMMED_RELEASE

FULL = Path(settings.BASE_DIR) / "data" / "dfe-published" / TRIMMED_RELEASE.name


def test_the_trimmed_release_is_the_full_files_rows_for_the_demo_councils_areas() -> None:
    full = pq.read_table(FULL).to_pandas()
    trimmed = pq.read_table(TRIMMED_RELEASE).to_pandas()
    assert list(trimmed.columns) == list(full.columns)
    # The demo council's ten neighbours, read from DfE's sheet (its third row is the header).
    sheet = pd.read_excel(FULL.parent / "statistical-neighbours-may-2025.xlsx", header=2, dtype=str)
    row = sheet[sheet["LA num"].str.strip() == str(DEMO_LA_NUMBER)].iloc[0]
    neighbours = {int(row[c]) for c in sheet.columns if str(c).startswith("SN") and str(c)[2:].isdigit()}
    assert len(neighbours) == 10
    areas = {DEMO_LA_NUMBER, 970, 983} | neighbours  # England 970, East Midlands 983
    assert set(trimmed["LA Number"].astype(int)) == areas
    expected = full[full["LA Number"].isin(areas)].reset_index(drop=True)
    assert len(trimmed) == len(expected)
    pd.testing.assert_frame_equal(trimmed.reset_index(drop=True), expected)
    # The release's name (its date) is kept: the import reads the publication date from it.
    assert TRIMMED_RELEASE.name == "lait-bds-long-2025-11-03.parquet"
