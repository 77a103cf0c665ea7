"""Reference data every authority starts with: the default SSDA903 code mapping.

The defaults come from `ssda903.default_mapping()` (DATA_FORMATS.md), so that the table an
administrator edits starts exactly where the cleaner's own default stands.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from forecasting.models import PlacementType, ensure_default_placement_types
from placements.models import CodeMapping
from placements.ssda903 import default_mapping


def _year(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def default_mapping_rows() -> list[tuple[str, str, int | None, int | None, str]]:
    """(place, provider ('' = any), valid_from_year, valid_to_year, finance type code)."""
    frame = default_mapping()
    return [
        (
            str(place),
            "" if provider is None or pd.isna(provider) else str(provider),
            _year(start),
            _year(end),
            str(code),
        )
        for place, provider, start, end, code in frame[
            ["place", "place_provider", "valid_from_year", "valid_to_year", "finance_type"]
        ].itertuples(index=False, name=None)
    ]


def seed_default_mapping(authority: Any) -> int:
    """Create the default mapping for an authority that has none. Returns the rows created."""
    if CodeMapping.objects.filter(authority=authority).exists():
        return 0
    rows = default_mapping_rows()
    types = {t.code: t for t in PlacementType.objects.all()}
    if any(code not in types for *_rest, code in rows):
        # A flushed test database loses the types the data migration made; bring them back.
        ensure_default_placement_types()
        types = {t.code: t for t in PlacementType.objects.all()}
    created = CodeMapping.objects.bulk_create(
        CodeMapping(
            authority=authority,
            place=place,
            place_provider=provider,
            valid_from_year=start,
            valid_to_year=end,
            placement_type=types[code],
        )
        for place, provider, start, end, code in rows
    )
    return len(created)
