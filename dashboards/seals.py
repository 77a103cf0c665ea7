"""The SHA-256 seal of a published version: one digest of everything its pages, tables and PDF
are made from, taken from the stored row when it is signed off and checked before each download.

The digest is of a canonical JSON text, so that it does not depend on how the database hands the
document back (jsonb reorders keys and writes 1e16 as 10000000000000000): keys sorted, floats
with no fraction written as integers, the sign-off time in UTC. Changing this algorithm would
make every stored seal disagree, so it never changes; a new one would get a new name.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

ALGORITHM = "outturn-published-v1"
# The columns of a published version that anything shown or downloaded is made from.
SEALED_FIELDS = (
    "authority_id",
    "year_id",
    "period",
    "version",
    "run_id",
    "signed_off_by_id",
    "signed_off_name",
    "signed_off_at",
    "comment",
    "document",
    "acknowledged",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _when(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def published_digest(values: dict[str, Any]) -> str:
    """The hex SHA-256 of a published version's sealed columns (`values` maps each name of
    SEALED_FIELDS to the column's value, as a model instance or `.values()` gives it)."""
    payload = {name: values[name] for name in SEALED_FIELDS}
    payload["signed_off_at"] = _when(payload["signed_off_at"])
    # Through JSON once, as the database stores it: dates, decimals and tuples become text and lists.
    for name in ("document", "acknowledged"):
        payload[name] = _canonical(json.loads(json.dumps(payload[name], cls=DjangoJSONEncoder)))
    text = json.dumps(
        {"algorithm": ALGORITHM, **payload}, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def content_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
