"""The period's own part: movement since the last published period and the commentary."""

from __future__ import annotations

from datetime import UTC, datetime

from dashboards.document.movement import CommentaryNote, EarlierPublication, commentary_rows, movement_since

NOW = {
    "department": {"outturn": 1_250_000},
    "services": [{"name": "Children in Care", "outturn": 1_000_000}, {"name": "Legal", "outturn": 250_000}],
}


def test_movement_compares_with_the_published_copy_service_by_service() -> None:
    before = EarlierPublication(
        published_id=3,
        year="2019/20",
        period=3,
        version=2,
        document={"department": {"outturn": 1_100_000}, "services": [{"name": "Children in Care", "outturn": 900_000}]},
    )
    movement = movement_since(NOW, before)
    assert movement is not None
    # Department 1,250,000 − 1,100,000 = +150,000p; care 1,000,000 − 900,000 = +100,000p;
    # Legal was not in period 3's copy: no previous figure.
    assert movement["department"] == {"previous": 1_100_000, "outturn": 1_250_000, "movement": 150_000}
    assert movement["services"] == [
        {"service": "Children in Care", "previous": 900_000, "outturn": 1_000_000, "movement": 100_000},
        {"service": "Legal", "previous": None, "outturn": 250_000, "movement": None},
    ]
    assert (movement["previous_title"], movement["previous_id"], movement["previous_version"]) == (
        "2019/20 period 3",
        3,
        2,
    )
    assert movement_since(NOW, None) is None


def test_a_published_copy_names_every_author_and_when_the_note_changed() -> None:
    at = datetime(2019, 8, 5, 9, 30, tzinfo=UTC)
    notes = [
        CommentaryNote(service="Legal", text="Run rate.", author_name="", author_username="fran", updated_at=at),
        CommentaryNote(service="Care", text="Up.", author_name="Fran Okafor", author_username="fran", updated_at=at),
    ]
    live = commentary_rows(notes, published=False)
    assert live == [
        {"service": "Legal", "text": "Run rate.", "author": ""},
        {"service": "Care", "text": "Up.", "author": "Fran Okafor"},
    ]
    published = commentary_rows(notes, published=True)
    assert [(r["service"], r["author"]) for r in published] == [("Care", "Fran Okafor"), ("Legal", "fran")]
    assert published[0]["updated_at"] == "2019-08-05T09:30:00+00:00"
