"""Read and clean SSDA903 (children looked after) returns into finance placements.

Pure pandas: no Django import here, so the placements app can wrap it and the engine can reuse it.

- ``read_903_files`` (``reading``) reads header, episodes and UASC files in the DfE per-year shape
  (UK dates) or the regional LIIA shape (ISO dates, ``LA`` and ``YEAR`` columns), CSV or XLSX, as
  strings.
- ``clean_episodes`` (``cleaning``) turns the episodes into one row per finance placement and
  reports every episode it could not use (``issues``) with a reason and an action. It runs the
  steps of ``cleaning.STEPS`` (``episode_steps``, then ``history_steps``) in order.
- ``default_mapping`` (``mapping``) is the PLACE x PLACE_PROVIDER -> finance placement type table
  of DATA_FORMATS.md.

The cleaning rules, their order and the reason for each are in ``docs/ssda903.md``.
"""

from placements.ssda903.cleaning import (
    STEPS,
    CleanResult,
    clean_episodes,
    finish_cleaning,
    finish_placements,
    prepare_cleaning,
    returns_of,
)
from placements.ssda903.codes import (
    CONTINUING_RNE,
    DISTINCTIVE_COLUMNS,
    EPISODE_COLUMNS,
    HEADER_COLUMNS,
    ISSUE_COLUMNS,
    KIND_COLUMNS,
    MAPPING_COLUMNS,
    PLACE_CODES,
    PLACEMENT_COLUMNS,
    PROVIDER_CODES,
    REGIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    RNE_CODES,
    SHORT_BREAK_LS,
    TEMPORARY_PLACES,
    UASC_COLUMNS,
    MappingError,
    Ssda903FileError,
)
from placements.ssda903.dates import financial_year_start, parse_dates
from placements.ssda903.disagreements import DISAGREEMENT_COLUMNS
from placements.ssda903.history_steps import DEFAULT_STALE_OPEN, STALE_OPEN_RULES
from placements.ssda903.mapping import default_mapping
from placements.ssda903.reading import FileInput, Ssda903File, Ssda903Files, read_903_files
from placements.ssda903.state import CleaningState

__all__ = [
    "DEFAULT_STALE_OPEN",
    "STALE_OPEN_RULES",
    "CONTINUING_RNE",
    "DISAGREEMENT_COLUMNS",
    "DISTINCTIVE_COLUMNS",
    "EPISODE_COLUMNS",
    "HEADER_COLUMNS",
    "ISSUE_COLUMNS",
    "KIND_COLUMNS",
    "MAPPING_COLUMNS",
    "PLACEMENT_COLUMNS",
    "PLACE_CODES",
    "PROVIDER_CODES",
    "REGIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "RNE_CODES",
    "SHORT_BREAK_LS",
    "STEPS",
    "TEMPORARY_PLACES",
    "UASC_COLUMNS",
    "CleanResult",
    "CleaningState",
    "FileInput",
    "MappingError",
    "Ssda903File",
    "Ssda903FileError",
    "Ssda903Files",
    "clean_episodes",
    "default_mapping",
    "financial_year_start",
    "finish_cleaning",
    "finish_placements",
    "parse_dates",
    "prepare_cleaning",
    "read_903_files",
    "returns_of",
]
