"""Reading figures for `make bench` (docs/benchmarks.md, Reading files): a 50,000-row,
15-column XLSX through the bounded reader and through the openpyxl reader it replaced, the same
as CSV, and two XLSX bombs (one that declares what it unpacks to, one that lies about it).

Each measurement runs in a fresh Python process so that its peak memory (resident set, which
counts python-calamine's own allocations too) is its own. The files are generated in a
temporary folder and deleted afterwards. No database is needed."""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

ROWS, COLUMNS = 50_000, 15


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def write_register_xlsx(path: Path) -> None:
    """A register-like sheet: references, names, dates, money, counts, booleans, blanks."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([f"column {c + 1}" for c in range(COLUMNS)])
    start = date(2015, 4, 1)
    for r in range(ROWS):
        sheet.append(
            [
                f"PL-{r:06d}",
                f"C{r % 9000:05d}",
                "Independent fostering agency",
                start + timedelta(days=r % 1800),
                None if r % 3 else start + timedelta(days=r % 1800 + 200),
                1234.56 + r,
                r % 7,
                r % 2 == 0,
                "Provider name Ltd",
                "",
                0.1 * (r % 10),
                datetime(2020, 1, 1, 12, 30),
                r,
                "Notes about the placement",
                "E" if r % 2 else "W",
            ]
        )
    book.save(path)


def write_csv(xlsx: Path, path: Path) -> None:
    import csv

    from tablereader import read_sheet

    rows = read_sheet(xlsx.name, xlsx.read_bytes()).rows
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def write_bomb(path: Path, rows: int = 1_000_000, cells: int = 19) -> None:
    """An XLSX of a few MB whose one sheet unpacks to about 390 MB: a million rows of ones."""
    parts = _minimal_parts()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="' + MAIN + b'"><sheetData>')
            # Cells without a position (allowed: they follow one another) pack best, as a bomb's do.
            template = '<row r="{n}">' + '<c t="n"><v>1</v></c>' * cells + "</row>"
            batch = []
            for n in range(1, rows + 1):
                batch.append(template.format(n=n))
                if len(batch) == 10_000:
                    sheet.write("".join(batch).encode())
                    batch = []
            sheet.write("".join(batch).encode() + b"</sheetData></worksheet>")


def lie_about_sizes(data: bytes, name: str, declared: int) -> bytes:
    """The archive with the named part's unpacked size set to ``declared`` everywhere."""
    raw = bytearray(data)
    encoded = name.encode()
    for signature, name_at, size_at in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
        at = raw.find(signature)
        while at != -1:
            if raw[at + name_at : at + name_at + len(encoded)] == encoded:
                raw[at + size_at : at + size_at + 4] = declared.to_bytes(4, "little")
            at = raw.find(signature, at + 4)
    return bytes(raw)


MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _minimal_parts() -> dict[str, str]:
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    return {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
        '+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{rels}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN.decode()}" xmlns:r="{rels}"><sheets><sheet name="S" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{package}"><Relationship Id="rId1" '
        f'Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }


def old_read_table(source: str, data: bytes):  # type: ignore[no-untyped-def]
    """The openpyxl reader core.tabular used before the bounded reader, for the 'before' figure."""
    import openpyxl

    from core.tabular import _build

    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
        return str(value).strip()

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    rows, formulas = [], []
    for index, raw in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
        cells = []
        for col, value in enumerate(raw):
            if isinstance(value, str) and value.startswith("="):
                formulas.append((index, col, value))
            cells.append(text(value))
        rows.append(cells)
    book.close()
    return _build(source, rows, formulas)


def measure(reader: str, path: str) -> None:
    """In this (fresh) process: read the file once and print seconds, memory and the outcome."""
    import django

    django.setup()
    import openpyxl  # noqa: F401  (loaded before the baseline, as in a worker)
    import python_calamine  # noqa: F401

    from core.tabular import TableError, read_table

    if reader == "ssda903":
        measure_ssda903()
        return
    data = Path(path).read_bytes()
    base = _rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        table = (old_read_table if reader == "old" else read_table)(Path(path).name, data)
        outcome = f"{len(table):,} rows"
    except TableError as error:
        outcome = str(error)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak": peak, "base": base, "outcome": outcome}))


def measure_ssda903() -> None:
    """100,000 synthetic SSDA903 episodes in 15 CSV files (five years of header, episodes and
    UASC), read by read_903_files through the bounded reader."""
    from placements.ssda903 import read_903_files
    from placements.ssda903_synthetic import synthetic_903_files

    files = synthetic_903_files(100_000, 1)
    base = _rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    read = read_903_files(files)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    outcome = f"{len(read.episodes):,} episodes, {len(read.header):,} header rows from {len(files)} files"
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak": peak, "base": base, "outcome": outcome}))


def _run(reader: str, path: Path) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, __file__, "--measure", reader, str(path)], capture_output=True, text=True, check=True
    )
    figures: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return figures


def _line(label: str, figures: dict[str, object], target: str = "") -> None:
    seconds, cpu, peak, base = figures["seconds"], figures["cpu"], figures["peak"], figures["base"]
    print(
        f"  {label}: {seconds:.2f} s ({cpu:.2f} s of CPU), peak RSS {peak:.0f} MB ({base:.0f} MB before reading)"
        f"{'   [target ' + target + ']' if target else ''}\n      -> {figures['outcome']}",
        flush=True,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        names = ("register.xlsx", "register.csv", "bomb.xlsx", "liar.xlsx", "tall.xlsx")
        xlsx, csv_path, bomb, liar, tall = (Path(folder) / name for name in names)
        write_register_xlsx(xlsx)
        write_csv(xlsx, csv_path)
        write_bomb(bomb)
        with zipfile.ZipFile(bomb) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        liar.write_bytes(lie_about_sizes(bomb.read_bytes(), "xl/worksheets/sheet1.xml", 4096))
        write_bomb(tall, rows=600_000, cells=2)
        print(
            f"  files: {xlsx.stat().st_size / 1e6:.1f} MB XLSX of {ROWS:,} rows x {COLUMNS} columns; bomb "
            f"{bomb.stat().st_size / 1e6:.1f} MB unpacking to {unpacked / 2**20:.0f} MB",
            flush=True,
        )
        _line("50,000-row XLSX, bounded reader (python-calamine)", _run("new", xlsx), "< 1 s")
        _line("50,000-row XLSX, the openpyxl reader it replaced", _run("old", xlsx))
        _line("the same rows as CSV, bounded reader", _run("new", csv_path))
        _line("SSDA903: 100,000 episodes in 15 CSV files, read_903_files", _run("ssda903", csv_path))
        _line("XLSX bomb that declares its size, refused", _run("new", bomb), "< 5 s and < 300 MB")
        _line("XLSX bomb whose directory understates it, refused", _run("new", liar), "< 5 s and < 300 MB")
        _line("600,000 short rows (37 MB unpacked), refused at the row limit", _run("new", tall))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2], sys.argv[3])
    else:
        main()
