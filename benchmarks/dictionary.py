"""DfE's data dictionary for the interactive tool: each measure's title and polarity.

Shipped with the product (data/dfe-published/lait-data-dictionary.csv, Open Government Licence),
read once through the bounded reader. A measure of a release that the dictionary does not know
keeps the release's own description ("Data item"), or its code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from core.tabular import reading_limits
from tablereader import read_sheet

DICTIONARY = Path("data") / "dfe-published" / "lait-data-dictionary.csv"


@dataclass(frozen=True)
class Entry:
    title: str
    polarity: str


@cache
def dictionary() -> dict[str, Entry]:
    path = Path(settings.BASE_DIR) / DICTIONARY
    rows = read_sheet(path.name, path.read_bytes(), reading_limits()).rows
    header = [cell.strip().lower() for cell in rows[0]]
    code_at, title_at, polarity_at = (
        header.index("measure_short"),
        header.index("chart_title"),
        header.index("polarity"),
    )
    entries: dict[str, Entry] = {}
    for row in rows[1:]:
        if len(row) <= max(code_at, title_at, polarity_at) or not row[code_at].strip():
            continue
        polarity = row[polarity_at].strip()
        # The first entry of a code is the current one (a few codes appear twice).
        entries.setdefault(
            row[code_at].strip(), Entry(" ".join(row[title_at].split()), polarity if polarity != "-" else "")
        )
    return entries
