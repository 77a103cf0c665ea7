"""The one bounded reader (tablereader) every import uses: each limit refused with its message,
XML with a DTD refused, CSV encodings recognised, formula cells named, and the same Table as the
openpyxl reader it replaces."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime, time
from decimal import Decimal

import pandas as pd
import pytest
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from core.tabular import TableError, _build, read_table, reading_limits
from tablereader import Limits, ReadError, read_sheet
from tablereader.sheet import cell_text, column_text
from tablereader.sheetscan import QuickScan

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _parts(sheet_data: str, *, before: str = "", shared: str | None = None) -> dict[str, str]:
    """The parts of the smallest workbook python-calamine opens, with this sheetData."""
    overrides = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{OFFICE}.sharedStrings+xml"/>'
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE}.worksheet+xml"/>'
            + (overrides if shared is not None else "")
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            + (f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>' if shared else "")
            + "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>{before}<worksheet xmlns="{MAIN}">'
            f"<sheetData>{sheet_data}</sheetData></worksheet>"
        ),
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return parts


def _zip(parts: dict[str, str | bytes], *, stored: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            data = text.encode() if isinstance(text, str) else text
            archive.writestr(name, data, zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _openpyxl(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SMALL = Limits(upload_bytes=1024 * 1024, unpacked_bytes=64 * 1024, rows=3, columns=3, cell_chars=10)


# --------------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------------


@override_settings(OUTTURN_MAX_UNPACKED_BYTES=1024 * 1024)
def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused_before_anything_is_unpacked() -> None:
    parts = _parts(_inline("A1", "line_code"))
    parts["xl/media/padding.bin"] = b"\0" * (3 * 1024 * 1024)  # 3 MB of zeros pack to a few KB
    data = _zip(parts)
    assert len(data) < 50_000
    with pytest.raises(TableError) as caught:
        read_table("bomb.xlsx", data)
    # 3 MB of padding and about a kilobyte of XML.
    assert str(caught.value) == "bomb.xlsx: the spreadsheet unpacks to 3.0 MB; the largest accepted is 1.0 MB"


def _lie_about_size(data: bytes, name: str, declared: int) -> bytes:
    """The archive with the named part's unpacked size in the local header and directory set
    to ``declared`` (the checksum is left as it is)."""
    raw = bytearray(data)
    encoded = name.encode()
    local = raw.find(b"PK\x03\x04")
    while local != -1:
        if raw[local + 30 : local + 30 + len(encoded)] == encoded:
            raw[local + 22 : local + 26] = declared.to_bytes(4, "little")
        local = raw.find(b"PK\x03\x04", local + 4)
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        if raw[central + 46 : central + 46 + len(encoded)] == encoded:
            raw[central + 24 : central + 28] = declared.to_bytes(4, "little")
        central = raw.find(b"PK\x01\x02", central + 4)
    return bytes(raw)


def test_a_directory_that_understates_a_part_is_caught_while_unpacking() -> None:
    parts = _parts(_inline("A1", "line_code"))
    parts["xl/media/padding.bin"] = b"\0" * (200 * 1024)
    data = _lie_about_size(_zip(parts), "xl/media/padding.bin", 100)
    with pytest.raises(ReadError) as caught:
        read_sheet("liar.xlsx", data, SMALL)
    # The directory declares about 1.5 KB in all; unpacking passes the 64 KB limit first.
    assert str(caught.value) == "liar.xlsx: the spreadsheet unpacks to more than 64 KB; the largest accepted is 64 KB"
    with pytest.raises(ReadError, match=r"^liar\.xlsx: this XLSX file is damaged: its part xl/media/padding\.bin does"):
        read_sheet("liar.xlsx", data, Limits())


def test_the_rows_columns_and_cell_length_of_an_xlsx_are_limited() -> None:
    rows = "".join(f'<row r="{n}">{_inline(f"A{n}", "x")}</row>' for n in range(1, 5))
    with pytest.raises(ReadError) as caught:
        read_sheet("long.xlsx", _zip(_parts(rows)), SMALL)
    assert str(caught.value) == "long.xlsx: the sheet reaches row 4; the most rows accepted is 3"
    wide = '<row r="1">' + "".join(_inline(f"{c}1", c) for c in "ABCD") + "</row>"
    with pytest.raises(ReadError) as caught:
        read_sheet("wide.xlsx", _zip(_parts(wide)), SMALL)
    assert str(caught.value) == "wide.xlsx: the sheet reaches column D (column 4); the most columns accepted is 3"
    cell = f'<row r="1">{_inline("A1", "name")}</row><row r="2">{_inline("A2", "x" * 11)}</row>'
    with pytest.raises(ReadError) as caught:
        read_sheet("cell.xlsx", _zip(_parts(cell)), SMALL)
    assert str(caught.value) == "cell.xlsx: row 2, column 1 has 11 characters; the longest cell accepted is 10"


def test_a_single_cell_far_away_is_refused_before_python_calamine_lays_out_the_sheet() -> None:
    # One cell at Excel's last row and column would make a grid of 17 billion cells.
    far = f'<row r="1">{_inline("A1", "a")}</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    with pytest.raises(ReadError) as caught:
        read_sheet("far.xlsx", _zip(_parts(far)), Limits())
    assert str(caught.value) == "far.xlsx: the sheet reaches row 1,048,576; the most rows accepted is 500,000"


def test_cells_without_a_position_are_placed_and_limited_by_the_exact_pass() -> None:
    # No r="..." anywhere: rows and cells follow one another, as python-calamine places them.
    plain = "<row>" + "".join(f"<c t='inlineStr'><is><t>{c}</t></is></c>" for c in "abc") + "</row>"
    plain += "<row><c><v>1</v></c><c><f>A2+1</f><v>2</v></c></row>"
    sheet = read_sheet("plain.xlsx", _zip(_parts(plain)), SMALL)
    assert sheet.rows == [["a", "b", "c"], ["1", "=A2+1", ""]]
    assert sheet.formulas == [(2, 1, "=A2+1")]
    wide = "<row>" + "<c><v>1</v></c>" * 4 + "</row>"
    with pytest.raises(ReadError, match=r"reaches column D \(column 4\); the most columns accepted is 3$"):
        read_sheet("wide.xlsx", _zip(_parts(wide)), SMALL)


def test_cells_with_a_namespace_prefix_are_limited_too() -> None:
    prefixed = f'<row r="1">{_inline("A1", "a")}<x:c xmlns:x="{MAIN}" r="D1"><x:v>1</x:v></x:c></row>'
    with pytest.raises(ReadError, match=r"reaches column D \(column 4\)"):
        read_sheet("prefixed.xlsx", _zip(_parts(prefixed)), SMALL)


@override_settings(OUTTURN_MAX_ROWS=3, OUTTURN_MAX_COLUMNS=3, OUTTURN_MAX_CELL_CHARS=10)
def test_the_rows_columns_and_cell_length_of_a_csv_are_limited() -> None:
    with pytest.raises(TableError) as caught:
        read_table("long.csv", b"a\n1\n2\n3\n")
    assert str(caught.value) == "long.csv: the file has more than 3 rows; the most accepted is 3"
    with pytest.raises(TableError) as caught:
        read_table("wide.csv", b"a,b,c,d\n")
    assert str(caught.value) == "wide.csv: row 1 has 4 columns; the most accepted is 3"
    assert list(read_table("trailing.csv", b"a,b,c,,,\n1,2,3,,,\n").frame.columns) == ["a", "b", "c"]
    with pytest.raises(TableError) as caught:
        read_table("cell.csv", b"a,b\n1,abcdefghijk\n")
    assert str(caught.value) == "cell.csv: row 2, column 2 has 11 characters; the longest cell accepted is 10"


@override_settings(OUTTURN_MAX_UPLOAD_BYTES=1000)
def test_the_file_size_limit_comes_from_the_settings() -> None:
    with pytest.raises(TableError) as caught:
        read_table("big.csv", b"a\n" + b"1\n" * 500)
    assert str(caught.value) == "big.csv: the file is 1002 bytes; the largest file accepted is 1000 bytes"


# --------------------------------------------------------------------------------------------
# XML with a document type or entities
# --------------------------------------------------------------------------------------------

LAUGHS = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
DTD_MESSAGE = (
    "the spreadsheet's XML declares a document type or entities (DTD), which is not accepted; "
    "save it again from Excel as .xlsx"
)


def test_a_sheet_with_entities_is_refused_with_a_message() -> None:
    data = _zip(_parts('<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>', before=LAUGHS))
    with pytest.raises(TableError) as caught:
        read_table("laughs.xlsx", data)
    assert str(caught.value) == f"laughs.xlsx: {DTD_MESSAGE}"


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/sharedStrings.xml", "_rels/.rels"])
def test_a_dtd_in_any_part_is_refused(part: str) -> None:
    shared = f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>name</t></si></sst>'
    parts = _parts('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared=shared)
    text = parts[part]
    declaration = '<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">'
    parts[part] = text.replace("?>", "?>" + declaration, 1) if text.startswith("<?xml") else declaration + text
    assert read_sheet("fine.xlsx", _zip(_parts('<row r="1"><c r="A1"><v>1</v></c></row>'))).rows == [["1"]]
    with pytest.raises(ReadError) as caught:
        read_sheet("dtd.xlsx", _zip(parts))
    assert str(caught.value) == f"dtd.xlsx: {DTD_MESSAGE}"


def test_a_workbook_with_broken_xml_gets_a_message_not_a_parse_error() -> None:
    parts = _parts('<row r="1"><c r="A1"><v>1</v></c></row>')
    parts["xl/workbook.xml"] = "<workbook><sheets><sheet"
    with pytest.raises(ReadError, match=r"^broken\.xlsx: this XLSX file cannot be opened \(xl/workbook\.xml: "):
        read_sheet("broken.xlsx", _zip(parts))


# --------------------------------------------------------------------------------------------
# CSV encodings
# --------------------------------------------------------------------------------------------


def test_utf8_with_and_without_a_byte_order_mark_reads_the_same() -> None:
    plain = read_sheet("a.csv", "name,amount\nCafé,£5\n".encode())
    marked = read_sheet("a.csv", "\ufeffname,amount\nCafé,£5\n".encode())
    assert plain.rows == marked.rows == [["name", "amount"], ["Café", "£5"]]


def test_windows_1252_is_read_with_its_pound_sign_intact() -> None:
    data = "line_code,period,amount\nLEG-EXT,1,£5\n".encode("cp1252")
    assert data.count(b"\xa3") == 1
    assert read_sheet("excel.csv", data).rows[1] == ["LEG-EXT", "1", "£5"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_refused_with_advice(encoding: str) -> None:
    data = "name,amount\nCafé,£5\n".encode(encoding)  # utf-16 has a byte order mark; -le/-be do not
    with pytest.raises(ReadError) as caught:
        read_sheet("unicode.csv", data)
    assert str(caught.value) == (
        "unicode.csv: the file is UTF-16 text, which is not read; "
        "save it from Excel as 'CSV UTF-8 (Comma delimited)' or as XLSX"
    )


@pytest.mark.parametrize(
    "data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"name\x01\x02\x03\x04\x05,amount\n1,2\n"], ids=["nul", "control"]
)
def test_binary_data_is_still_refused(data: bytes) -> None:
    with pytest.raises(ReadError) as caught:
        read_sheet("picture.csv", data)
    assert str(caught.value) == "picture.csv: this is not a CSV or XLSX file (it contains binary data)"


# --------------------------------------------------------------------------------------------
# Formula cells and the same Table as before
# --------------------------------------------------------------------------------------------


def test_formula_cells_are_named_with_their_row_column_and_formula() -> None:
    data = _openpyxl([["line_code", "period", "amount"], ["LEG", 1, "=B2*100"], ["LEG", "=B2+1", 5]])
    table = read_table("actuals.xlsx", data)
    assert table.formula_cells == [(2, "amount", "=B2*100"), (3, "period", "=B2+1")]
    # The cell shows the formula, as openpyxl showed it.
    assert table.frame["amount"].tolist() == ["=B2*100", "5"]


def test_a_shared_formula_is_named_in_every_cell_that_uses_it() -> None:
    sheet = (
        f'<row r="1">{_inline("A1", "n")}{_inline("B1", "double")}</row>'
        '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><f t="shared" ref="B2:B3" si="0">A2*2</f><v>2</v></c></row>'
        '<row r="3"><c r="A3"><v>2</v></c><c r="B3"><f t="shared" si="0"/><v>4</v></c></row>'
    )
    assert read_sheet("shared.xlsx", _zip(_parts(sheet))).formulas == [(2, 1, "=A2*2"), (3, 1, "=A2*2")]


def test_a_formula_outside_any_cell_is_not_a_formula_cell() -> None:
    # Excel keeps a data validation's list in the sheet's extLst as <xm:f>, not in a cell.
    extension = (
        '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        "<x14:dataValidation><x14:formula1><xm:f>Lists!$A$1:$A$3</xm:f></x14:formula1>"
        "<xm:sqref>B2</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>"
    )
    parts = _parts(f'<row r="1">{_inline("A1", "type")}</row><row r="2">{_inline("A2", "ifa")}</row>')
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        "</sheetData>", "</sheetData>" + extension
    )
    sheet = read_sheet("validated.xlsx", _zip(parts))
    assert (sheet.rows, sheet.formulas) == ([["type"], ["ifa"]], [])


def test_an_archive_with_two_parts_of_one_name_is_refused() -> None:
    benign = _zip(_parts('<row r="1"><c r="A1"><v>1</v></c></row>'))
    out = io.BytesIO(benign)
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(out, "a") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    with pytest.raises(ReadError) as caught:
        read_sheet("twice.xlsx", out.getvalue())
    assert str(caught.value) == "twice.xlsx: this XLSX file is damaged: two of its parts have the same name"


def test_error_values_read_as_the_text_excel_shows() -> None:
    sheet = f'<row r="1">{_inline("A1", "amount")}</row><row r="2"><c r="A2" t="e"><v>#N/A</v></c></row>'
    assert read_sheet("errors.xlsx", _zip(_parts(sheet))).rows == [["amount"], ["#N/A"]]


def _old_read_xlsx(source: str, data: bytes):  # type: ignore[no-untyped-def]
    """The openpyxl reader this replaces, as it was, for comparison."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    rows, formulas = [], []
    for index, raw in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
        texts = []
        for col, value in enumerate(raw):
            if isinstance(value, str) and value.startswith("="):
                formulas.append((index, col, value))
            texts.append(_old_cell_text(value))
        rows.append(texts)
    book.close()
    return _build(source, rows, formulas)


def _old_cell_text(value: object) -> str:
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


def test_the_new_reader_gives_the_same_table_as_openpyxl() -> None:
    rows: list[list[object]] = [
        [None],
        ["  Line Code ", "Start", "Amount", "Active", "Note", "At"],
        ["CIC-RES", date(2019, 4, 1), 1234.56, True, "  padded  ", datetime(2019, 4, 1, 9, 30)],
        [None, None, None, None, None, None],
        ["LEG", datetime(2020, 2, 29), 22400000.0, False, None, datetime(2020, 1, 1)],
        ["INC", "01/04/2019", -2940000.5, None, 7, 0.1],
        ["X", None, 1e-7, "yes", "=SUM(C3:C5)", None],
    ]
    data = _openpyxl(rows)
    new, old = read_table("mixed.xlsx", data), _old_read_xlsx("mixed.xlsx", data)
    assert new.frame.to_dict("records") == old.frame.to_dict("records")
    assert (new.row_numbers, new.original_columns, new.formula_cells) == (
        old.row_numbers,
        old.original_columns,
        old.formula_cells,
    )
    assert new.frame.loc[0].tolist() == ["CIC-RES", "2019-04-01", "1234.56", "true", "padded", "2019-04-01T09:30:00"]
    assert new.frame.loc[2].tolist() == ["INC", "01/04/2019", "-2940000.5", "", "7", "0.1"]
    assert new.row_numbers == [3, 5, 6, 7]


def test_the_county_files_read_the_same_as_xlsx_through_either_reader() -> None:
    from tests.forecasting.test_imports import BUDGET

    csv_rows = read_sheet("budget.csv", BUDGET.encode()).rows
    data = _openpyxl([list(row) for row in csv_rows])
    new, old = read_table("budget.xlsx", data), _old_read_xlsx("budget.xlsx", data)
    assert new.frame.to_dict("records") == old.frame.to_dict("records")
    assert new.frame.to_dict("records") == read_table("budget.csv", BUDGET.encode()).frame.to_dict("records")


@pytest.mark.django_db
def test_a_formula_cell_is_named_in_every_kind_of_one_file_import(authority) -> None:  # type: ignore[no-untyped-def]
    from core.importing import importers
    from core.services import import_run

    kinds = {kind: importer for kind, importer in importers().items() if not importer.multi_file}
    assert {"budget", "actuals", "placements", "workforce", "savings", "scenarios"} <= set(kinds)
    for kind, importer in kinds.items():
        header = [column.name for column in importer.columns]
        data = _openpyxl([header, ["=1+1"] + [""] * (len(header) - 1)])
        plan, result = import_run(
            authority=authority,
            kind=kind,
            source=f"{kind}.xlsx",
            data=data,
            options={"year": "2019/20", "as_at": "2019-07-31"},
            user=None,
            dry_run=True,
        )
        assert result is None
        assert f"{kind}.xlsx row 2, column {header[0]}: the cell holds a formula; save the sheet with values only" + (
            " (value: '=1+1')"
        ) in [str(p) for p in plan.errors], (kind, [str(p) for p in plan.errors])


@pytest.mark.parametrize("packing", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_a_damaged_workbook_gives_a_message_or_its_cells_never_another_error(packing: int) -> None:
    """A few bytes changed anywhere (in the XML itself when the parts are stored): every result
    is the sheet or a ReadError naming the file, never a traceback."""
    source = zipfile.ZipFile(io.BytesIO(_openpyxl([["a", "b"], [1, "x"], ["=A2", True]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", packing) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
    good = out.getvalue()
    chance = random.Random(packing)
    outcomes = set()
    for _ in range(400):
        data = bytearray(good)
        for _ in range(chance.randint(1, 4)):
            data[chance.randrange(len(data))] = chance.randrange(256)
        try:
            read_sheet("damaged.xlsx", bytes(data))
            outcomes.add("read")
        except ReadError as error:
            assert str(error).startswith("damaged.xlsx: ")
            outcomes.add("refused")
    assert "refused" in outcomes


def test_a_far_position_is_found_among_thousands_of_near_ones() -> None:
    # A to O and AA to AN (column 40, the limit; two letters, so each is worked out) in 2,000
    # rows, then one cell in AZ.
    columns = list("ABCDEFGHIJKLMNO") + [f"A{letter}" for letter in "ABCDEFGHIJKLMN"]
    rows = "".join(
        f'<row r="{n}">' + "".join(f'<c r="{c}{n}"><v>1</v></c>' for c in columns) + "</row>" for n in range(1, 2001)
    )
    rows += '<row r="2001"><c r="AZ2001"><v>1</v></c></row>'
    limits = Limits(columns=40)
    with pytest.raises(ReadError) as caught:
        read_sheet("wide.xlsx", _zip(_parts(rows)), limits)
    # AZ is 26 + 26 = 52.
    assert str(caught.value) == "wide.xlsx: the sheet reaches column AZ (column 52); the most columns accepted is 40"


def test_leading_zeros_do_not_hide_a_far_row() -> None:
    far = f'<row r="1">{_inline("A1", "a")}</row><row r="600000"><c r="A0000000000600000"><v>1</v></c></row>'
    with pytest.raises(ReadError, match=r"reaches row 600,000; the most rows accepted is 500,000$"):
        read_sheet("zeros.xlsx", _zip(_parts(far)), Limits())
    hidden = f'<row r="1">{_inline("A1", "a")}</row><row><c r="A0000000000600000"><v>1</v></c></row>'
    with pytest.raises(ReadError, match=r"reaches row 600,000; the most rows accepted is 500,000$"):
        read_sheet("zeros.xlsx", _zip(_parts(hidden)), Limits())


def test_every_sheet_is_held_to_the_limits_but_only_the_first_sheet_s_formulas_count() -> None:
    parts: dict[str, str | bytes] = dict(_parts(f'<row r="1">{_inline("A1", "a")}</row>'))
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet2.xml"] = sheet.replace(  # type: ignore[union-attr]
        '<row r="1">', '<row r="2"><c r="B2"><f>SUM(A1:A9)</f><v>1</v></c></row><row r="1">'
    )
    assert read_sheet("two.xlsx", _zip(parts)).formulas == []
    parts["xl/worksheets/sheet2.xml"] = sheet.replace(
        '<row r="1">', '<row r="1048576"><c r="A1048576"/></row><row r="1">'
    )  # type: ignore[union-attr]
    with pytest.raises(
        ReadError, match=r"^two\.xlsx: the sheet reaches row 1,048,576; the most rows accepted is 500,000$"
    ):
        read_sheet("two.xlsx", _zip(parts))


def _random_cell(rng: random.Random) -> object:
    return rng.choice(
        [
            None,
            "",
            "  text ",
            "PL-001",
            "=1+1",
            "0012",
            0.0,
            1.0,
            2.5,
            1e-5,
            1.5e-7,
            1.5e16,
            -3.25,
            0.1 + 0.2,
            rng.uniform(-1e6, 1e6),
            rng.randint(-1000, 1000),
            date(2019, 4, 1),
            datetime(2019, 4, 1),
            datetime(2019, 4, 1, 13, 30),
            time(9, 15),
            True,
            False,
            "x" * 40,
        ]
    )


@override_settings(OUTTURN_MAX_CELL_CHARS=35)
def test_reading_by_column_gives_the_table_reading_by_row_gives() -> None:
    """read_table builds an XLSX's Table from its columns: the same Table, or the same message,
    as the rows of read_sheet give, over sheets with blank rows, values beyond the header,
    formulas, error values, repeated and mixed kinds of value and cells too long."""
    rng = random.Random(3)
    outcomes: set[str] = set()
    for number in range(150):
        rows: list[list[object]] = [[] for _ in range(rng.randint(0, 2))]
        width = rng.randint(1, 6)
        rows.append([f"Column {c}" if rng.random() < 0.97 else "" for c in range(width)])
        for _ in range(rng.randint(0, 25)):
            extra = rng.randint(1, 2) if rng.random() < 0.02 else 0
            rows.append([] if rng.random() < 0.1 else [_random_cell(rng) for _ in range(width + extra)])
        data = _openpyxl(rows)
        source = f"sheet{number}.xlsx"
        try:
            by_row = _build(source, *_rows_and_formulas(source, data))
        except (TableError, ReadError) as error:
            with pytest.raises((TableError, ReadError)) as caught:
                read_table(source, data)
            assert str(caught.value) == str(error)
            outcomes.add("refused")
            continue
        by_column = read_table(source, data)
        pd.testing.assert_frame_equal(by_column.frame, by_row.frame, check_exact=True)
        assert (by_column.row_numbers, by_column.original_columns, by_column.formula_cells) == (
            by_row.row_numbers,
            by_row.original_columns,
            by_row.formula_cells,
        )
        outcomes.add("read")
    assert outcomes == {"read", "refused"}


def _rows_and_formulas(source: str, data: bytes) -> tuple[list[list[str]], list[tuple[int, int, str]]]:
    sheet = read_sheet(source, data, reading_limits())
    return sheet.rows, sheet.formulas


def test_each_distinct_value_of_a_column_is_made_the_text_of_its_cell() -> None:
    values: list[object] = [1.0, True, 1, "1", date(2019, 4, 1), datetime(2019, 4, 1), None, 0.1, -0.0, 1e-5]
    for column in ([1.0, 1.0, 2.5, " a ", ""], [True, False, True, ""], values, [date(2019, 4, 1), None] * 3):
        assert column_text(column) == [cell_text(value) for value in column]


def test_the_quick_pass_passes_a_piece_only_where_its_numpy_classification_would_do_nothing() -> None:
    """A piece whose every tag is usual skips the numpy classification: the outcome (the limit
    refused, or whether the exact pass is needed) is the one classifying every piece gives."""
    rng = random.Random(5)

    def position() -> str:
        if rng.random() < 0.9:
            return rng.choice("ABCXYZab"[: rng.choice([1, 3, 8])]) * rng.choice([1, 1, 2]) + str(rng.randint(0, 99999))
        return "".join(rng.choice('AZz09 "<&') for _ in range(rng.randint(0, 9)))

    def tag() -> str:
        return rng.choice(
            [f'<c r="{position()}"><v>1</v></c>'] * 12
            + [
                f'<row r="{position()}">',
                "<c><v>1</v></c>",
                "<row>",
                "<f>A1</f>",
                "<!-- -->",
                "<font>",
                "<c",
                "<rowBreaks>",
            ]
        )

    for _ in range(1500):
        limits = Limits(rows=rng.choice([9, 99, 100_000, 500_000]), columns=rng.choice([3, 26, 40, 500]))
        pieces = ["".join(tag() for _ in range(rng.randint(1, 30))).encode() for _ in range(rng.randint(1, 3))]
        outcomes = []
        for classify_every_piece in (False, True):
            scan = QuickScan("s.xlsx", limits)
            if classify_every_piece:
                scan._unusual = None
            try:
                for piece in pieces:
                    scan.feed(piece)
                outcomes.append(str(scan.needs_exact))
            except ReadError as error:
                outcomes.append(str(error))
        assert outcomes[0] == outcomes[1], pieces
