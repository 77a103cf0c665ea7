"""SSDA903 files go through the same bounded reader as every other import: the same limits
(from the settings, on the upload page and in both commands), formula cells named, and an XLSX
read as its CSV is."""

from __future__ import annotations

import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from openpyxl import Workbook

from placements.ssda903 import Ssda903FileError, read_903_files
from tablereader import Limits

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "ssda903-sample"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC\n"


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_formula_cells_in_an_ssda903_workbook_are_named_and_refused() -> None:
    data = _xlsx(
        [
            EPISODES.strip().split(","),
            ["1", "01/04/2019", "S", "C2", "N1", "U4", "PR1", None],
            ["1", "=B2+30", "P", "C2", "N1", "U4", "PR1", "=TODAY()"],
        ]
    )
    with pytest.raises(Ssda903FileError) as caught:
        read_903_files([("2019-episodes.xlsx", data)])
    assert caught.value.errors == [
        "2019-episodes.xlsx: row 3, column DECOM holds a formula (=B2+30); save the sheet with values only",
        "2019-episodes.xlsx: row 3, column DEC holds a formula (=TODAY()); save the sheet with values only",
    ]


def test_a_return_saved_as_xlsx_reads_exactly_as_its_csv() -> None:
    csv_path = SAMPLE / "2019-episodes.csv"
    lines = [line.split(",") for line in csv_path.read_text(encoding="utf-8-sig").splitlines()]
    from_csv = read_903_files([csv_path]).episodes
    from_xlsx = read_903_files([("2019-episodes.xlsx", _xlsx(lines))]).episodes  # type: ignore[arg-type]
    assert len(from_csv) == len(lines) - 1
    assert from_xlsx.drop(columns="_file").equals(from_csv.drop(columns="_file"))


def test_a_blank_row_in_a_workbook_keeps_the_row_numbers_of_the_sheet() -> None:
    data = _xlsx(
        [
            EPISODES.strip().split(","),
            [None] * 8,
            ["1", "01/04/2019", "S", "C2", "N1", "U4", "PR1", None],
        ]
    )
    assert read_903_files([("e.xlsx", data)]).episodes["_row"].tolist() == [3]


def test_the_limits_passed_are_the_limits_obeyed() -> None:
    data = (EPISODES + "1,01/04/2019,S,C2,N1,U4,PR1,\n" * 3).encode()
    with pytest.raises(Ssda903FileError) as caught:
        read_903_files([("e.csv", data)], limits=Limits(rows=3))
    assert caught.value.errors == ["e.csv: the file has more than 3 rows; the most accepted is 3"]


def _file_of(path: Path, size: int) -> str:
    """An episodes CSV of exactly ``size`` bytes."""
    row = "1,01/04/2019,S,C2,N1,U4,PR1,\n"
    text = EPISODES + row * ((size - len(EPISODES)) // len(row))
    text += "\n" * (size - len(text))  # blank lines make up the rest
    path.write_text(text, encoding="ascii")
    assert path.stat().st_size == size
    return str(path)


@pytest.mark.django_db
@override_settings(OUTTURN_MAX_UPLOAD_BYTES=1024)
def test_the_import_command_refuses_an_ssda903_file_over_the_upload_limit(authority, tmp_path: Path) -> None:
    path = _file_of(tmp_path / "2019-episodes.csv", 2048)
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("import_data", "ssda903", path, "--authority", authority.code, stdout=out, stderr=err)
    assert caught.value.code == 1
    assert err.getvalue().splitlines() == [
        "ERROR 2019-episodes.csv: the file is 2 KB; the largest file accepted is 1 KB",
        "1 error(s); nothing was written.",
    ]


@pytest.mark.django_db
@override_settings(OUTTURN_MAX_ROWS=2)
def test_the_demand_forecast_command_obeys_the_same_limits(tmp_path: Path) -> None:
    path = str(tmp_path / "2019-episodes.csv")
    Path(path).write_text(EPISODES + "1,01/04/2019,S,C2,N1,U4,PR1,\n" * 2, encoding="ascii")
    with pytest.raises(CommandError) as caught:
        call_command("forecast_demand", "--ssda903", path, "--output", str(tmp_path / "out.csv"))
    assert str(caught.value) == "2019-episodes.csv: the file has more than 2 rows; the most accepted is 2"
