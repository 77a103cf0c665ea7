"""Entering workers, agency engagements, leavers and absences in the browser's services: the
same rules as the import, every change audited, nothing reaching another authority."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from workforce.models import Post, Team, Worker
from workforce.services import (
    WorkerData,
    WorkforceChangeError,
    snapshot_take,
    team_save,
    worker_absence_set,
    worker_add,
    worker_end,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(authority, workforce_lines, finance_officer) -> Team:  # type: ignore[no-untyped-def]
    return team_save(
        authority=authority,
        user=finance_officer,
        code="CP-N",
        name="Child protection North",
        budget_line=workforce_lines["CP"],
        hard_to_retain=True,
        manageable_caseload=20,
    )


@pytest.fixture
def post(authority, team) -> Post:  # type: ignore[no-untyped-def]
    return Post.objects.create(authority=authority, team=team, ref="P1", fte=Decimal("1.00"), annual_cost=4_160_000)


def permanent(team: Team, ref: str = "W1", **values) -> WorkerData:  # type: ignore[no-untyped-def]
    data = WorkerData(
        ref=ref,
        team=team,
        worker_type="permanent",
        fte=Decimal("1"),
        start_date=date(2019, 4, 1),
        annual_cost=3_600_000,
    )
    for key, value in values.items():
        setattr(data, key, value)
    return data


def test_adding_a_worker_is_audited(authority, team, finance_officer) -> None:  # type: ignore[no-untyped-def]
    worker = worker_add(authority=authority, user=finance_officer, data=permanent(team))
    event = AuditEvent.objects.get(action="worker.create")
    assert event.object_id == str(worker.pk) and event.user == finance_officer
    assert event.after["annual_cost"] == 3_600_000 and event.after["fte"] == "1"


def test_an_agency_engagement_needs_a_rate_and_a_reason(authority, team, finance_officer) -> None:  # type: ignore[no-untyped-def]
    data = permanent(team, ref="A1", worker_type="agency", annual_cost=None)
    with pytest.raises(WorkforceChangeError) as caught:
        worker_add(authority=authority, user=finance_officer, data=data)
    assert set(caught.value.message_dict) == {"weekly_rate", "agency_reason"}
    data.weekly_rate, data.agency_reason = 110_000, "vacancy"
    worker = worker_add(authority=authority, user=finance_officer, data=data)
    assert worker.is_agency and worker.annual_cost is None
    assert AuditEvent.objects.filter(action="agency_engagement.create").count() == 1


def test_two_full_time_permanent_workers_cannot_fill_one_post_over_the_same_dates(
    authority,
    team,
    post,  # type: ignore[no-untyped-def]
    finance_officer,
) -> None:
    worker_add(authority=authority, user=finance_officer, data=permanent(team, post=post))
    with pytest.raises(WorkforceChangeError, match="post P1 \\(1 FTE\\) is already filled by W1"):
        worker_add(authority=authority, user=finance_officer, data=permanent(team, ref="W2", post=post))
    # After W1's last day the post is free again.
    w1 = Worker.objects.get(ref="W1")
    worker_end(authority=authority, user=finance_officer, worker=w1, end_date=date(2019, 8, 31))
    worker_add(
        authority=authority,
        user=finance_officer,
        data=permanent(team, ref="W2", post=post, start_date=date(2019, 9, 1)),
    )


def test_a_worker_cannot_fill_a_post_of_another_team(authority, team, post, workforce_lines, finance_officer) -> None:  # type: ignore[no-untyped-def]
    other = team_save(
        authority=authority,
        user=finance_officer,
        code="AS-E",
        name="Assessment East",
        budget_line=workforce_lines["AS"],
    )
    with pytest.raises(WorkforceChangeError, match="post P1 belongs to team CP-N, not AS-E"):
        worker_add(authority=authority, user=finance_officer, data=permanent(other, post=post))


def test_ending_before_the_start_is_refused(authority, team, finance_officer) -> None:  # type: ignore[no-untyped-def]
    worker = worker_add(authority=authority, user=finance_officer, data=permanent(team))
    with pytest.raises(WorkforceChangeError, match="is before the start date"):
        worker_end(authority=authority, user=finance_officer, worker=worker, end_date=date(2019, 3, 31))
    worker_end(authority=authority, user=finance_officer, worker=worker, end_date=date(2019, 10, 31), reason="resigned")
    event = AuditEvent.objects.get(action="worker.end")
    assert event.before["end_date"] is None and event.after["end_date"] == "2019-10-31"
    assert event.reason == "resigned"


def test_an_absence_is_recorded_and_ended_with_an_audit_trail(authority, team, finance_officer) -> None:  # type: ignore[no-untyped-def]
    worker = worker_add(authority=authority, user=finance_officer, data=permanent(team))
    worker_absence_set(
        authority=authority, user=finance_officer, worker=worker, absence="maternity", since=date(2019, 6, 1)
    )
    worker.refresh_from_db()
    assert worker.absence == "maternity" and worker.absence_since == date(2019, 6, 1)
    worker_absence_set(authority=authority, user=finance_officer, worker=worker, absence="")
    worker.refresh_from_db()
    assert worker.absence == "" and worker.absence_since is None
    mine = AuditEvent.objects.filter(object_type=worker._meta.label, object_id=str(worker.pk))  # ids are per kind
    actions = mine.order_by("id").values_list("action", flat=True)
    assert list(actions) == ["worker.create", "worker.absence", "worker.return"]


@pytest.mark.parametrize(
    ("field", "value", "column"),
    [
        ("fte", Decimal("0"), "fte"),
        ("fte", Decimal("1.6"), "fte"),
        ("annual_cost", None, "annual_cost"),
        ("annual_cost", 500_000_000, "annual_cost"),
    ],
)
def test_bad_values_entered_in_a_form_get_the_imports_messages(
    authority,
    team,
    finance_officer,
    field,
    value,  # type: ignore[no-untyped-def]
    column,
) -> None:
    with pytest.raises(WorkforceChangeError) as caught:
        worker_add(authority=authority, user=finance_officer, data=permanent(team, **{field: value}))
    assert column in caught.value.message_dict
    assert not Worker.objects.exists()


def test_a_team_must_be_paid_from_this_authoritys_workforce_line(
    authority, other_workforce_lines, finance_officer
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkforceChangeError, match="workforce budget lines"):
        team_save(
            authority=authority, user=finance_officer, code="CP", name="CP", budget_line=other_workforce_lines["CP"]
        )


def test_taking_a_snapshot_keeps_everyone_not_gone_by_its_date(authority, team, post, finance_officer) -> None:  # type: ignore[no-untyped-def]
    worker_add(authority=authority, user=finance_officer, data=permanent(team, end_date=date(2019, 5, 31)))
    worker_add(authority=authority, user=finance_officer, data=permanent(team, ref="W2"))
    snapshot = snapshot_take(authority=authority, user=finance_officer, as_at=date(2019, 6, 30))
    assert set(snapshot.rows.values_list("ref", flat=True)) == {"P1", "W2"}
    assert snapshot.rows.get(ref="W2").budget_team == "CP"
    again = snapshot_take(authority=authority, user=finance_officer, as_at=date(2019, 6, 30))
    assert again.pk == snapshot.pk and again.rows.count() == 2
    assert AuditEvent.objects.filter(action="workforce_snapshot.replace").count() == 1
