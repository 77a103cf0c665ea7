"""A trimmed copy of DfE's interactive tool release for the test suite: only the rows of one
council (the demo county's, Nottinghamshire 891), its ten statistical neighbours, its region and
England, in the same columns and order as the full file. Tests that seed the demo load it
instead of the full 600,000 rows (the setting OUTTURN_DEMO_PUBLISHED_RELEASE); `seed_demo` and
`make run` still load the full release.

    .venv/bin/python scripts/trim_dfe_release.py   # rewrites tests/fixtures/dfe-published/

Rerun it when the shipped release or the demo's LA number changes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "dfe-published"
RELEASE = DATA / "lait-bds-long-2025-11-03.parquet"
NEIGHBOURS = DATA / "statistical-neighbours-may-2025.xlsx"
OUT = ROOT / "tests" / "fixtures" / "dfe-published" / RELEASE.name
ENGLAND = 970
DEMO_LA_NUMBER = 891  # dashboards.benchmark_demo.DEMO_LA_NUMBER (not imported: no Django here)


def neighbours(la_number: int) -> list[int]:
    """The council's ten statistical neighbours: the sheet's third row is the header, and each
    SNn column holds a neighbour's LA number."""
    sheet = pd.read_excel(NEIGHBOURS, header=2, dtype=str)
    row = sheet[sheet["LA num"].str.strip() == str(la_number)]
    if row.empty:
        raise SystemExit(f"{NEIGHBOURS.name}: no council {la_number}")
    columns = [c for c in sheet.columns if str(c).startswith("SN") and str(c)[2:].isdigit()]
    return [int(str(row.iloc[0][c]).strip()) for c in columns if str(row.iloc[0][c]).strip().isdigit()]


def trimmed(la_number: int) -> pa.Table:
    table = pq.read_table(RELEASE)
    frame = table.to_pandas()
    region_name = frame.loc[frame["LA Number"] == la_number, "Region"].dropna().unique()
    if len(region_name) != 1:
        raise SystemExit(f"{RELEASE.name}: council {la_number} has no single region")
    region = frame.loc[frame["LA and Regions"] == region_name[0], "LA Number"].dropna().unique()
    keep = {la_number, ENGLAND, *neighbours(la_number), *(int(r) for r in region)}
    rows = frame[frame["LA Number"].isin(keep)]
    return pa.Table.from_pandas(rows, schema=table.schema, preserve_index=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--la", type=int, default=DEMO_LA_NUMBER)
    args = parser.parse_args(argv)
    out = trimmed(args.la)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(out, OUT, compression="zstd")
    areas = sorted({int(v) for v in out.column("LA Number").to_pylist() if v is not None})
    print(f"{OUT.relative_to(ROOT)}: {out.num_rows} rows, areas {', '.join(map(str, areas))}", file=sys.stderr)


if __name__ == "__main__":
    main()
