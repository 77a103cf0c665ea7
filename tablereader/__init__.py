"""One bounded reader for every CSV and XLSX file Outturn is given (docs/reading.md).

Every kind of import, the SSDA903 files included, reads its bytes through ``read_sheet``, which
enforces the limits before and while it parses: the size of the file, what an XLSX unpacks to,
rows, columns and the length of a cell. XML with a document type (DTD) or entities is refused,
CSV encodings are recognised, and formula cells are found. It knows nothing of Django or of any
app, so the SSDA903 cleaner, which may not import either, uses it too; callers pass the limits.
"""

from tablereader.limits import Limits, ReadError, size_text, too_large
from tablereader.sheet import Sheet, SheetColumns, gc_paused, read_sheet, read_sheet_columns

__all__ = [
    "Limits",
    "ReadError",
    "Sheet",
    "SheetColumns",
    "gc_paused",
    "read_sheet",
    "read_sheet_columns",
    "size_text",
    "too_large",
]
