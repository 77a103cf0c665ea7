"""Reading the first sheet of an XLSX: every part checked within the limits first, then the
cells read by python-calamine (a Rust reader, about twenty times faster than openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from tablereader.limits import Limits, ReadError
from tablereader.sheetscan import SheetFacts, first_sheet_part, refuse_dtd, scan_sheet, tag_aligned
from tablereader.xlsxzip import Archive

_XML_PARTS = (".xml", ".rels", ".vml")


def read_xlsx_values(source: str, data: bytes, limits: Limits) -> tuple[Sequence[Sequence[object]], SheetFacts]:
    """The first sheet's cells as python-calamine gives them (row i is sheet row i + 1), and its
    formula and error cells. Every part of the archive is unpacked once, within the limit, and
    none may declare a DTD, before python-calamine sees the file."""
    archive = Archive(source, data, limits)
    part = first_sheet_part(archive)
    facts = SheetFacts()
    for name in archive.parts:
        if name in archive.done:
            continue  # read already (the workbook and its relationships)
        if name == part:
            facts = scan_sheet(archive, name)
        elif "worksheets/" in name.lower():
            # Another sheet is checked against the limits too, in case python-calamine resolves
            # the workbook's relationships otherwise than we do; its formulas do not matter.
            scan_sheet(archive, name)
        elif name.lower().endswith(_XML_PARTS):
            for piece in tag_aligned(archive.stream(name)):
                refuse_dtd(source, piece)
        else:
            for _piece in archive.stream(name):
                pass
    return _calamine(source, data), facts


def _calamine(source: str, data: bytes) -> Sequence[Sequence[object]]:
    from python_calamine import CalamineError, CalamineWorkbook  # only XLSX reading pays for it

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        finally:
            workbook.close()
    except (CalamineError, ValueError, OSError) as error:
        raise ReadError(f"{source}: this XLSX file cannot be opened ({error})") from None
