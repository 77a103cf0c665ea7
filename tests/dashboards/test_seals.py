"""The seal's digest (dashboards.seals), worked out by hand from its canonical text."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

from dashboards.seals import published_digest

VALUES = {
    "authority_id": 1,
    "year_id": 2,
    "period": 5,
    "version": 1,
    "run_id": 7,
    "signed_off_by_id": 3,
    "signed_off_name": "Dee Director",
    "signed_off_at": datetime(2019, 9, 12, 10, 30, tzinfo=UTC),
    "comment": "For committee.",
    "document": {"b": 1.0, "a": [1e16, "£1.2m", 0.25]},
    "acknowledged": [{"item": "A movement of £1.2m", "by": "Dee Director"}],
}
# Keys sorted, no spaces, ASCII only, floats without a fraction as integers, the time in UTC.
CANONICAL = (
    '{"acknowledged":[{"by":"Dee Director","item":"A movement of \\u00a31.2m"}],'
    '"algorithm":"outturn-published-v1","authority_id":1,"comment":"For committee.",'
    '"document":{"a":[10000000000000000,"\\u00a31.2m",0.25],"b":1},"period":5,"run_id":7,'
    '"signed_off_at":"2019-09-12T10:30:00+00:00","signed_off_by_id":3,"signed_off_name":"Dee Director",'
    '"version":1,"year_id":2}'
)


def test_the_digest_is_the_sha256_of_the_canonical_text() -> None:
    assert published_digest(VALUES) == hashlib.sha256(CANONICAL.encode("ascii")).hexdigest()


def test_the_digest_does_not_depend_on_how_the_database_hands_the_row_back() -> None:
    # jsonb reorders keys and writes 1e16 as an integer; the time may come back in another zone.
    british_summer_time = timezone(timedelta(hours=1))
    returned = {
        **VALUES,
        "signed_off_at": datetime(2019, 9, 12, 11, 30, tzinfo=british_summer_time),
        "document": {"a": [10000000000000000, "£1.2m", 0.25], "b": 1},
    }
    assert published_digest(returned) == published_digest(VALUES)


def test_any_change_changes_the_digest() -> None:
    for name, value in [
        ("comment", "For committee"),
        ("version", 2),
        ("signed_off_at", datetime(2019, 9, 12, 10, 30, 1, tzinfo=UTC)),
        ("document", {"b": 1.0, "a": [1e16, "£1.2m", 0.26]}),
        ("acknowledged", None),
    ]:
        assert published_digest({**VALUES, name: value}) != published_digest(VALUES), name
