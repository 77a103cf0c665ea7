"""The SSDA903 uploads kept by placements before there was one pipeline become ImportBatches
(core 0003, then placements 0006 removes their model), and going back restores them."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Authority, User

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("core", "0002_import_files"), ("placements", "0005_placement_type_to_forecasting")]
AFTER = [("core", "0003_ssda903_imports"), ("placements", "0006_remove_ssda903import")]
WHEN = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def zipped(*files: tuple[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for position, (name, data) in enumerate(files):
            archive.writestr(f"{position:03d}/{name}", data)
    return out.getvalue()


def test_ssda903_uploads_are_copied_with_their_files_and_back_again(
    authority: Authority, finance_officer: User
) -> None:
    old = migrate(BEFORE)
    Ssda903Import = old.get_model("placements", "Ssda903Import")
    kept = Ssda903Import.objects.create(
        authority_id=authority.pk,
        file_names=["h.csv", "e.csv", "h.csv"],
        content=zipped(("h.csv", b"header 2019"), ("e.csv", b"episodes"), ("h.csv", b"header 2020")),
        status="applied",
        progress=100,
        summary={"counts": {"create": 2}, "used": 2},
        errors=[],
        warnings=[{"source": "e.csv", "row": None, "column": "X", "value": "", "message": "ignored"}],
        issues=[{"file": "e.csv", "row": 3, "action": "merged"}],
        created_by_id=finance_officer.pk,
    )
    Ssda903Import.objects.create(
        authority_id=authority.pk, file_names=["a.csv", "b.csv"], content=b"", status="cancelled"
    )
    Ssda903Import.objects.filter(pk=kept.pk).update(created_at=WHEN)

    new = migrate(AFTER)
    ImportBatch = new.get_model("core", "ImportBatch")
    ImportFile = new.get_model("core", "ImportFile")
    batches = list(ImportBatch.objects.filter(kind="ssda903").order_by("pk"))
    assert [(b.status, b.authority_id) for b in batches] == [("applied", authority.pk), ("cancelled", authority.pk)]
    first = batches[0]
    assert (first.created_at, first.created_by_id, first.progress) == (WHEN, finance_officer.pk, 100)
    assert first.summary == {"counts": {"create": 2}, "used": 2}
    assert first.issues == [{"file": "e.csv", "row": 3, "action": "merged"}]
    assert first.warnings[0]["message"] == "ignored"
    files = [(f.name, bytes(f.content), f.size) for f in ImportFile.objects.filter(batch=first).order_by("position")]
    assert files == [("h.csv", b"header 2019", 11), ("e.csv", b"episodes", 8), ("h.csv", b"header 2020", 11)]
    names = list(ImportFile.objects.filter(batch=batches[1]).order_by("position").values_list("name", "size"))
    assert names == [("a.csv", 0), ("b.csv", 0)]
    assert "placements_ssda903import" not in connection.introspection.table_names()

    back = migrate(BEFORE)
    restored = back.get_model("placements", "Ssda903Import").objects.order_by("pk")
    assert [(u.file_names, u.status) for u in restored] == [
        (["h.csv", "e.csv", "h.csv"], "applied"),
        (["a.csv", "b.csv"], "cancelled"),
    ]
    with zipfile.ZipFile(io.BytesIO(bytes(restored[0].content))) as archive:
        assert [archive.read(n) for n in sorted(archive.namelist())] == [b"header 2019", b"episodes", b"header 2020"]
    assert not back.get_model("core", "ImportBatch").objects.filter(kind="ssda903").exists()


@pytest.fixture(autouse=True)
def latest_schema_after():  # type: ignore[no-untyped-def]
    """Whatever happens in the test, the database ends on every app's latest migration, which the
    tests after it expect."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
