"""Writes of scenario assumptions, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.audit import audit_record
from accounts.models import Authority, User
from forecasting.models import Scenario, ScenarioAssumption
from forecasting.scenarios import FILE_COLUMNS, scenarios_ensure


def _state(row: ScenarioAssumption) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FILE_COLUMNS[1:] if getattr(row, name) not in (None, "")}


@transaction.atomic
def scenario_assumption_add(
    *, authority: Authority, user: User | None, scenario: str, values: dict[str, Any]
) -> ScenarioAssumption:
    scenarios_ensure(authority=authority)
    target, _ = Scenario.objects.get_or_create(authority=authority, name=scenario)
    row = ScenarioAssumption(scenario=target, **values)
    row.full_clean()
    row.save()
    audit_record(authority=authority, user=user, action="scenario.assumption_add", obj=row, after=_state(row))
    return row


@transaction.atomic
def scenario_assumption_delete(*, authority: Authority, user: User | None, row: ScenarioAssumption) -> None:
    if row.scenario.authority_id != authority.pk:
        raise ValueError("The assumption belongs to another authority")
    before = _state(row)
    label = str(row)
    row.delete()
    audit_record(
        authority=authority,
        user=user,
        action="scenario.assumption_delete",
        object_type="forecasting.ScenarioAssumption",
        object_repr=label,
        before=before,
    )


@transaction.atomic
def scenarios_replace(
    *, authority: Authority, user: User | None, rows: list[tuple[str, dict[str, Any]]]
) -> dict[str, int]:
    """Replace every assumption of the scenarios named in `rows` (a re-imported file replaces
    what it describes; scenarios it does not name keep theirs)."""
    scenarios_ensure(authority=authority)
    names = sorted({name for name, _ in rows})
    removed = 0
    for name in names:
        scenario, _ = Scenario.objects.get_or_create(authority=authority, name=name)
        before = [_state(r) for r in scenario.assumptions.all()]
        removed += scenario.assumptions.all().delete()[0]
        created = []
        for row_name, values in rows:
            if row_name == name:
                row = ScenarioAssumption(scenario=scenario, **values)
                row.full_clean()
                created.append(row)
        ScenarioAssumption.objects.bulk_create(created)
        audit_record(
            authority=authority,
            user=user,
            action="scenario.replace",
            obj=scenario,
            before={"rows": before},
            after={"rows": [_state(r) for r in created]},
        )
    return {"scenarios": len(names), "rows": len(rows), "replaced_rows": removed}
