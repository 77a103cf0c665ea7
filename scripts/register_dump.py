"""The stored placements and children of an authority as CSV, ordered by key: what the import
benchmarks write with `--dump`, to compare what the code before and after a change stores."""

from __future__ import annotations

from pathlib import Path


def dump_register(authority, folder: Path) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from placements.models import Child, Placement

    folder.mkdir(parents=True, exist_ok=True)
    fields = [f.name if not f.is_relation else f"{f.name}_id" for f in Placement._meta.concrete_fields]
    fields = [f for f in fields if f not in ("id", "authority_id", "child_id", "updated_at")]
    rows = pd.DataFrame.from_records(
        Placement.objects.filter(authority=authority).values(*fields, "child__child_ref", "line__code")
    ).drop(columns=["line_id"])
    rows.sort_values(["placement_ref", "start_date"]).to_csv(folder / "placements.csv", index=False)
    children = pd.DataFrame.from_records(
        Child.objects.filter(authority=authority).values("child_ref", "date_of_birth", "uasc")
    )
    children.sort_values("child_ref").to_csv(folder / "children.csv", index=False)
