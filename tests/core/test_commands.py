"""The operator commands of DATA_FORMATS.md (Commands)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import AuditEvent, Authority, Role, User
from forecasting.models import Actual, Budget, BudgetLine, Period

pytestmark = pytest.mark.django_db


def test_create_authority_and_create_user_with_a_password_file(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("create_authority", "NOTTS", "Nottinghamshire County Council")
    secret = tmp_path / "pw"
    secret.write_text("a-long-enough-password-77\n", encoding="utf-8")
    call_command(
        "create_user", "fran", "--authority", "NOTTS", "--role", "finance_officer", "--password-file", str(secret)
    )
    user = User.objects.get(username="fran")
    assert user.authority == Authority.objects.get(code="NOTTS")
    assert user.role == Role.FINANCE_OFFICER and user.check_password("a-long-enough-password-77")
    assert "Created fran (Finance officer)" in capsys.readouterr().out


def test_create_user_refuses_a_weak_password_and_an_unknown_authority(tmp_path) -> None:  # type: ignore[no-untyped-def]
    call_command("create_authority", "NOTTS", "Nottinghamshire County Council")
    weak = tmp_path / "pw"
    weak.write_text("password\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Password refused"):
        call_command("create_user", "fran", "--authority", "NOTTS", "--role", "director", "--password-file", str(weak))
    with pytest.raises(CommandError, match="No authority with code 'XX'"):
        call_command("create_user", "fran", "--authority", "XX", "--role", "director", "--password-file", str(weak))
    assert not User.objects.exists()


def test_create_authority_refuses_a_duplicate_code() -> None:
    call_command("create_authority", "NOTTS", "Nottinghamshire County Council")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_authority", "NOTTS", "Another")


def test_import_data_exits_1_and_prints_every_error(authority, placement_types, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "budget.csv"
    path.write_text(
        "line_code,line_name,service_area,category,annual_budget\nA,Line A,Legal,other,abc\nB,Line B,Legal,odd,5\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_data", "budget", str(path), "--year", "2019/20")
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "budget.csv row 2, column annual_budget: 'abc' is not an amount of money in pounds" in err
    assert "budget.csv row 3, column category: 'odd' is not one of" in err
    assert "2 error(s); nothing was written." in err
    assert not BudgetLine.objects.exists()


def test_import_data_budget_then_actuals_with_dry_run_first(authority, placement_types, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    budget = tmp_path / "budget.csv"
    budget.write_text(
        "line_code,line_name,service_area,category,annual_budget\nLEG-EXT,Legal,Legal,other,1200\n", encoding="utf-8"
    )
    call_command("import_data", "budget", str(budget), "--year", "2019/20")
    actuals = tmp_path / "actuals.csv"
    actuals.write_text("line_code,period,amount\nLEG-EXT,1,100.10\n", encoding="utf-8")
    call_command("import_data", "actuals", str(actuals), "--year", "2019/20", "--dry-run")
    assert "nothing was written" in capsys.readouterr().out
    assert not Actual.objects.exists()
    call_command("import_data", "actuals", str(actuals), "--year", "2019/20")
    assert Actual.objects.get().amount == 10_010
    assert AuditEvent.objects.filter(action="import.actuals").count() == 1


def test_import_data_needs_authority_when_there_are_several(authority, other_authority, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "a.csv"
    path.write_text("line_code,period,amount\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--authority"):
        call_command("import_data", "actuals", str(path))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_data", "actuals", str(tmp_path / "missing.csv"), "--authority", "NOTTS")
    with pytest.raises(CommandError, match="not a kind of import"):
        call_command("import_data", "ledger", str(path), "--authority", "NOTTS")


def test_seed_demo_loads_a_realistic_county_with_one_user_per_role_and_is_repeatable(capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("seed_demo", "--year", "2019/20", "--period", "4")
    authority = Authority.objects.get(code="DEMO")
    assert {u.role for u in User.objects.filter(authority=authority)} == set(Role.values)
    total = sum(
        Budget.objects.filter(year__label="2019/20", line__authority=authority).values_list("amount", flat=True)
    )
    assert 110_000_000_00 <= total <= 135_000_000_00  # "about £120m"
    categories = set(BudgetLine.objects.filter(authority=authority).values_list("category", flat=True))
    assert categories == {"placements", "workforce", "other", "income"}
    statuses = dict(
        Period.objects.filter(year__label="2019/20", year__authority=authority).values_list("number", "status")
    )
    assert statuses[1] == statuses[2] == "locked" and statuses[3] == "submitted" and statuses[4] == "open"
    assert Actual.objects.filter(period__year__label="2019/20", period__number=5).count() == 0
    assert Actual.objects.filter(period__year__label="2019/20", period__number=4).count() > 40
    first = sorted(Actual.objects.values_list("line__code", "period__number", "amount"))
    out = capsys.readouterr().out
    assert "finance" in out and "outturn-demo-pass" in out
    call_command("seed_demo")
    assert "already loaded" in capsys.readouterr().out
    assert sorted(Actual.objects.values_list("line__code", "period__number", "amount")) == first
