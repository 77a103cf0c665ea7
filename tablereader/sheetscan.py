"""What the first sheet of an XLSX holds, found by reading its XML as a stream: how far it
reaches (rows and columns), its formula cells and its error cells, and no DTD or entity.

The quick pass looks for a handful of byte patterns in each piece of XML (at C speed). Only a
sheet that has formulas, error cells, or cells or rows without their position (r="B7") is read
a second time, element by element, to name each cell exactly.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

import defusedxml.ElementTree as safe_xml
import numpy as np
from defusedxml import DefusedXmlException

from tablereader.limits import Limits, ReadError, column_letters, column_number
from tablereader.xlsxzip import Archive

DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# A cell, row or formula tag with a namespace prefix (<x:c>): python-calamine reads those too.
_PREFIXED = re.compile(rb":(?:c|row|f)[\s/>]")
_REF = re.compile(r"([A-Za-z]+)(\d+)$")
_REF_WITH_ENTITY = re.compile(rb"\sr\s*=\s*[\"'][^\"'&]*&")


@dataclass
class SheetFacts:
    formulas: list[tuple[int, int, str]] = field(default_factory=list)  # (row number, column index, "=...")
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # (row number, column index, "#N/A")


def refuse_dtd(source: str, piece: bytes) -> None:
    if DTD.search(piece):
        raise ReadError(
            f"{source}: the spreadsheet's XML declares a document type or entities (DTD), which is not "
            "accepted; save it again from Excel as .xlsx"
        )


def tag_aligned(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The same bytes in pieces that each end just after a '>', so that no tag is split."""
    carry = b""
    for piece in pieces:
        piece = carry + piece
        cut = piece.rfind(b">") + 1
        carry = piece[cut:]
        if cut:
            yield piece[:cut]
    if carry:
        yield carry


def first_sheet_part(archive: Archive) -> str:
    """The part name of the workbook's first sheet (xl/worksheets/sheet1.xml as a rule)."""
    workbook = _target(archive, "_rels/.rels", lambda rel: rel.get("Type", "").endswith("/officeDocument"), "")
    workbook = workbook or "xl/workbook.xml"
    root = _xml(archive, workbook)
    sheet = next((e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "sheet"), None)
    rid = next(
        (v for k, v in (sheet.attrib.items() if sheet is not None else []) if k.rsplit("}", 1)[-1] == "id"), None
    )
    if rid is None:
        raise ReadError(f"{archive.source}: this XLSX file cannot be opened (it has no worksheet)")
    rels = posixpath.join(posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels")
    part = _target(archive, rels, lambda rel: rel.get("Id") == rid, posixpath.dirname(workbook))
    if part is None or part not in archive.parts:
        raise ReadError(f"{archive.source}: this XLSX file cannot be opened (its first worksheet is missing)")
    return part


def _xml(archive: Archive, name: str):  # type: ignore[no-untyped-def]
    if name not in archive.parts:
        raise ReadError(f"{archive.source}: this XLSX file cannot be opened (it has no {name})")
    data = archive.read(name)
    refuse_dtd(archive.source, data)
    try:
        return safe_xml.fromstring(data)
    except (ParseError, DefusedXmlException) as error:
        raise ReadError(f"{archive.source}: this XLSX file cannot be opened ({name}: {error})") from None


def _target(archive: Archive, rels: str, wanted, base: str) -> str | None:  # type: ignore[no-untyped-def]
    if rels not in archive.parts:
        return None
    for rel in _xml(archive, rels).iter():
        if rel.tag.rsplit("}", 1)[-1] == "Relationship" and wanted(rel):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
            return posixpath.normpath(path)
    return None


def _delimiter(codes: np.ndarray) -> np.ndarray:
    """Bytes that may end a tag's name: space, '>', '/', tab, line feed, carriage return."""
    found: np.ndarray = (codes == 32) | (codes == 62) | (codes == 47) | (codes == 9) | (codes == 10) | (codes == 13)
    return found


def _unusual_tags(letters: int, digits: int) -> re.Pattern[bytes] | None:
    """The tags that QuickScan.feed's numpy classification acts on: a formula, a '<!', a row or
    cell without r="..." first, or a position that is not short letters and digits (one that may
    pass a limit, or that it cannot read). A piece with none of them is passed by one search at
    C speed, as are most pieces of most sheets; None when every position may pass a limit."""
    if letters < 2 or digits < 2:
        return None
    cell = rb'[A-Za-z]{1,%d}[0-9]{1,%d}"' % (letters - 1, digits - 1)
    row = rb'[0-9]{1,%d}"' % (digits - 1)
    ends = rb"[>/\t\n\r]"  # with a space, the bytes _delimiter accepts
    return re.compile(rb'<(?:!|f[ >/\t\n\r]|c(?:%s| (?!r="%s))|row(?:%s| (?!r="%s)))' % (ends, cell, ends, row))


class QuickScan:
    """The quick pass over the pieces of a sheet's XML, refusing what is beyond the limits.

    Each tag is classified from the bytes after its '<' with numpy: a sheet written as every
    spreadsheet program writes it (each <row and <c with r="..." first, no formula) is checked
    without a Python loop per cell. Anything else is left to the exact pass."""

    def __init__(self, source: str, limits: Limits) -> None:
        self.source, self.limits = source, limits
        self.needs_exact = False
        # A position is looked at only if it is long enough to pass a limit: none, as a rule.
        self._letters = len(column_letters(limits.columns))
        self._digits = len(str(limits.rows))
        self._width = self._letters + self._digits
        self._unusual = _unusual_tags(self._letters, self._digits)

    def feed(self, piece: bytes) -> None:
        # A piece with no unusual tag has no '<!' either, so no DTD: it is not searched twice.
        usual = self._unusual is not None and not self._unusual.search(piece)
        if not usual:
            refuse_dtd(self.source, piece)
        if not self.needs_exact:
            self.needs_exact = bool(
                _PREFIXED.search(piece)
                or b't="e"' in piece
                or b"t='e'" in piece
                or (b"&" in piece and _REF_WITH_ENTITY.search(piece))
            )
        if usual:
            return  # nothing below would flag or work out anything in this piece
        codes = np.frombuffer(piece + b"\0" * (self._width + 8), np.uint8)
        opens = np.flatnonzero(codes[: len(piece)] == 60)  # every '<'
        first, second, third, fourth, fifth = (codes[opens + k] for k in range(1, 6))
        cell = (first == 99) & _delimiter(second)  # <c
        placed_cell = (second == 32) & (third == 114) & (fourth == 61) & (fifth == 34)  # <c r="
        rows = opens[(first == 114) & (second == 111) & (third == 119)]
        after = [codes[rows + k] for k in range(4, 8)]
        row = _delimiter(after[0])  # <row
        placed_row = (after[0] == 32) & (after[1] == 114) & (after[2] == 61) & (after[3] == 34)  # <row r="
        formula = (first == 102) & _delimiter(second)  # <f
        if not self.needs_exact:
            self.needs_exact = bool(
                (cell & ~placed_cell).any() or (row & ~placed_row).any() or formula.any() or (first == 33).any()
            )
        self._check_positions(codes, np.concatenate([opens[cell & placed_cell] + 6, rows[row & placed_row] + 8]))

    def _check_positions(self, codes: np.ndarray, starts: np.ndarray) -> None:
        """Refuse a position (B7, or a row's 7) beyond the rows or columns allowed. Only the
        positions long enough to pass a limit are worked out, all at once."""
        width = self._width
        text = codes[starts[:, None] + np.arange(width)[None, :]].astype(np.int64)
        upper = text & 0xDF
        letter = (upper >= 65) & (upper <= 90)
        digit = (text >= 48) & (text <= 57)
        letters = np.logical_and.accumulate(letter, axis=1).sum(axis=1)
        length = np.logical_and.accumulate(letter | digit, axis=1).sum(axis=1)
        after = text[np.arange(len(text)), np.minimum(length, width - 1)]
        if ((length == width) | (after != 34)).any():
            self.needs_exact = True  # too long to read here (leading zeros?) or not letters and digits
        long = (letters >= self._letters) | (length - letters >= self._digits)
        if not long.any():
            return
        text, upper, letters, length = text[long], upper[long], letters[long], length[long]
        column = np.zeros(len(text), np.int64)
        row = np.zeros(len(text), np.int64)
        for k in range(width):
            column = np.where(k < letters, column * 26 + upper[:, k] - 64, column)
            row = np.where((k >= letters) & (k < length), row * 10 + text[:, k] - 48, row)
        too_far(self.source, self.limits, row=int(row.max()), column=int(column.max()))


def too_far(source: str, limits: Limits, *, row: int = 0, column: int = 0) -> None:
    if row > limits.rows:
        raise ReadError(f"{source}: the sheet reaches row {row:,}; the most rows accepted is {limits.rows:,}")
    if column > limits.columns:
        raise ReadError(
            f"{source}: the sheet reaches column {column_letters(column)} (column {column:,}); "
            f"the most columns accepted is {limits.columns:,}"
        )


class ExactScan:
    """The second pass: every row and cell placed as Excel places it, formulas and error values
    named. Used only for the sheets the quick pass marks."""

    def __init__(self, source: str, limits: Limits) -> None:
        self.source, self.limits = source, limits
        self.facts = SheetFacts()
        self.row, self.column = 0, -1
        self._cell_type = ""
        self._text: list[str] | None = None  # collecting the text of an <f> or an error's <v>
        self._shared: dict[str, str] = {}  # a shared formula's text by its group (si)
        self._formula_group = ""
        self._in_cell = False  # <f> elsewhere (a data validation's <xm:f>) is not a cell's formula
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        self._parser = parser

    def feed(self, piece: bytes, *, last: bool = False) -> None:
        try:
            self._parser.Parse(piece, last)
        except expat.ExpatError as error:
            raise ReadError(f"{self.source}: this XLSX file cannot be opened (its sheet's XML: {error})") from None

    def _doctype(self, *args: object) -> None:
        refuse_dtd(self.source, b"<!DOCTYPE")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "row":
            self.row = int(attrs["r"]) if attrs.get("r", "").isdigit() else self.row + 1
            self.column = -1
            too_far(self.source, self.limits, row=self.row)
        elif local == "c":
            self._place(attrs.get("r", ""))
            self._cell_type = attrs.get("t", "")
            self._in_cell = True
        elif not self._in_cell:
            return
        elif local == "f":
            self._text = []
            self._formula_group = attrs.get("si", "") if attrs.get("t") == "shared" else ""
        elif local == "v" and self._cell_type == "e":
            self._text = []

    def _place(self, ref: str) -> None:
        match = _REF.match(ref)
        if match:
            self.column = column_number(match.group(1)) - 1
            self.row = int(match.group(2))
        else:
            self.column += 1
        too_far(self.source, self.limits, row=self.row, column=self.column + 1)

    def _characters(self, text: str) -> None:
        if self._text is not None:
            self._text.append(text)

    def _end(self, name: str) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "c":
            self._in_cell = False
        if self._text is None or local not in ("f", "v"):
            return
        text = "".join(self._text).strip()
        self._text = None
        if local == "v":
            self.facts.errors.append((self.row, self.column, text))
            return
        if self._formula_group:
            # A shared formula is written once, in its first cell; the others name its group.
            text = (
                self._shared.setdefault(self._formula_group, text)
                if text
                else self._shared.get(self._formula_group, "")
            )
        self.facts.formulas.append((self.row, self.column, "=" + text))


def scan_sheet(archive: Archive, part: str) -> SheetFacts:
    """Check the sheet against the limits as it is unpacked; its formulas and error cells."""
    quick = QuickScan(archive.source, archive.limits)
    for piece in tag_aligned(archive.stream(part)):
        quick.feed(piece)
    if not quick.needs_exact:
        return SheetFacts()
    exact = ExactScan(archive.source, archive.limits)
    for piece in archive.stream(part, again=True):
        exact.feed(piece)
    exact.feed(b"", last=True)
    return exact.facts
