"""Small hand-made releases of DfE's published statistics and statistical-neighbours workbooks."""

from __future__ import annotations

import io

import openpyxl

HEADER = ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region"]
# Kent (886) and three of its neighbours, the South East (989) and England (970).
AREAS = {
    886: ("Kent", "South East"),
    887: ("Medway", "South East"),
    936: ("Surrey", "South East"),
    938: ("West Sussex", "South East"),
    989: ("South East", "NA"),
    970: ("England", "NA"),
}


def release_rows(values: dict[tuple[str, str, int], str]) -> list[list[str]]:
    """One row per (code, year, LA number) -> value text."""
    rows = []
    for (code, year, number), value in values.items():
        name, region = AREAS[number]
        rows.append([code, "", year, name, value, str(number), region])
    return rows


def csv_bytes(rows: list[list[str]], header: list[str] | None = None) -> bytes:
    lines = [",".join(header or HEADER)] + [",".join(f'"{c}"' if "," in c else c for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def neighbours_xlsx(rows: list[list[object]], header: list[str] | None = None) -> bytes:
    """DfE's layout: a row of column letters, a row of numbers, then the header and the councils."""
    from benchmarks.neighbour_import import HEADER as SN_HEADER

    book = openpyxl.Workbook()
    sheet = book.active
    width = len(SN_HEADER)
    sheet.append([chr(ord("A") + i) if i < 26 else f"A{chr(ord('A') + i - 26)}" for i in range(width)])
    sheet.append(list(range(1, width + 1)))
    sheet.append(header or SN_HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def neighbour_row(la: int, name: str, neighbours: list[int]) -> list[object]:
    row: list[object] = [la, name, la, 6, "South East"]
    for number in neighbours:
        row += [number, "Close"]
    return row
