"""No 500 from any form (issue 13, point 4): hypothesis posts bad values (the review's bad
values, random and unicode text, huge numbers, exponents) to every field of every form that
takes values; each form must report errors in words or give values within the bounds of what
their columns hold, and never raise. A few go through the pages too, with the test client."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Authority
from forecasting.engine.money import MAX_AMOUNT_PENCE
from forecasting.forms import BudgetForm, BudgetLineForm, MoneyField, NumberField, WholeNumberField
from forecasting.scenario_views import AssumptionForm
from forecasting.services import financial_year_get_or_create
from placements import forms as placement_forms
from savings import forms as savings_forms
from savings.models import Programme
from savings.services import programme_save
from tests.core.test_bad_input import cell
from tests.workforce.conftest import GOOD as WORKFORCE
from tests.workforce.conftest import run_import, workforce_lines  # noqa: F401 (a fixture)
from workforce import forms as workforce_forms
from workforce.models import Worker

pytestmark = pytest.mark.django_db

CASES: Counter[str] = Counter()
YEARS = ["2022/23", "2023/24"]

# Each form that takes values, with what it needs to be made (the authority, the years shown).
FORMS: list[tuple[str, Callable[[Authority], Callable[..., forms.Form]]]] = [
    ("budget line", lambda a: BudgetLineForm),
    ("budget", lambda a: BudgetForm),
    ("scenario assumption", lambda a: AssumptionForm),
    ("savings plan", lambda a: savings_forms.PlanForm),
    ("saving", lambda a: lambda **k: savings_forms.SavingForm(authority=a, years=YEARS, **k)),
    ("saving details", lambda a: lambda **k: savings_forms.SavingDetailsForm(authority=a, **k)),
    ("saving progress", lambda a: lambda **k: savings_forms.StatusUpdateForm(years=YEARS, **k)),
    ("re-profile", lambda a: lambda **k: savings_forms.ReprofileForm(years=YEARS, **k)),
    ("mitigation", lambda a: lambda **k: savings_forms.MitigationForm(years=YEARS, **k)),
    ("programme", lambda a: savings_forms.ProgrammeForm),
    ("programme profiles", lambda a: lambda **k: savings_forms.ProgrammeProfilesForm(years=YEARS, **k)),
    ("investment", lambda a: savings_forms.InvestmentForm),
    ("team", lambda a: lambda **k: workforce_forms.TeamForm(authority=a, **k)),
    ("worker", lambda a: lambda **k: workforce_forms.WorkerForm(authority=a, **k)),
    ("worker end", lambda a: workforce_forms.EndForm),
    ("absence", lambda a: workforce_forms.AbsenceForm),
    ("snapshot", lambda a: workforce_forms.SnapshotForm),
    ("register filter", lambda a: placement_forms.RegisterFilterForm),
    ("placement", lambda a: lambda **k: placement_forms.PlacementForm(authority=a, **k)),
    ("placement end", lambda a: placement_forms.EndForm),
    ("rate change", lambda a: placement_forms.RateForm),
    ("code mapping", lambda a: placement_forms.CodeMappingForm),
    ("unit cost", lambda a: placement_forms.UnitCostForm),
]


def within_bounds(field: forms.Field, value: Any) -> bool:
    if value is None:
        return True
    if isinstance(field, MoneyField):
        return abs(value) <= MAX_AMOUNT_PENCE
    if isinstance(field, WholeNumberField | NumberField):
        return field.low <= value <= field.high
    if isinstance(field, forms.CharField) and field.max_length is not None:
        return len(value) <= field.max_length
    return True


@pytest.mark.parametrize(("name", "make"), FORMS, ids=[name for name, _ in FORMS])
@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_form_reports_bad_values_and_never_raises(
    authority: Authority, placement_types: Any, name: str, make: Any, data: st.DataObject
) -> None:
    form_class = make(authority)
    names = list(form_class().fields)
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, unique=True)) if names else []
    posted = {field: data.draw(cell) for field in chosen}
    form = form_class(data=posted)
    valid = form.is_valid()
    CASES[f"{name}: {'valid' if valid else 'errors'}"] += 1
    for field, messages in form.errors.items():
        assert messages and all(str(m).strip() for m in messages), (field, messages)
    # Every field that took its value (even in a form with errors elsewhere) is within bounds.
    for field, value in form.cleaned_data.items():
        if field in form.fields:
            assert within_bounds(form.fields[field], value), (field, value)


def test_exponents_and_plus_signs_are_refused_by_forms_as_by_files() -> None:
    form = BudgetForm(data={"amount": "1e3", "budget_numbers": "+12"})
    assert not form.is_valid()
    assert form.errors["amount"] == [
        "Enter an amount in pounds: '1e3' is written as a power of ten; write the amount in full, e.g. 1000 or 1,000.00"
    ]
    assert form.errors["budget_numbers"] == [
        "Enter a number of children from 0 to 10,000: '+12' has a plus sign; write a number of children without "
        "one, and a negative with a minus (-4)"
    ]
    form = BudgetForm(data={"amount": "1000000000.01"})
    assert not form.is_valid()
    assert "£1bn" in form.errors["amount"][0]
    form = BudgetForm(data={"amount": "-1,000,000,000", "budget_numbers": "10000"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == -100_000_000_000 and form.cleaned_data["budget_numbers"] == 10_000


def test_bad_values_through_the_pages_get_messages_not_errors(  # type: ignore[no-untyped-def]
    authority, placement_types, finance_officer, client_for
) -> None:
    client = client_for(finance_officer)
    before = (Programme.objects.count(), Worker.objects.count())
    posts = [
        (
            reverse("savings:programme_new"),
            {
                "code": "C" * 41,
                "name": "N",
                "first_year": "2022/23",
                "years": "+8",
                "delay_months": "1e1",
                "hurdle": "1e30",
            },
            ["Ensure this value has at most 40 characters", "has a plus sign", "is written as a power of ten"],
        ),
        (
            reverse("workforce:worker_new"),
            {"ref": "W1", "worker_type": "agency", "fte": "1e3", "start_date": "2019-01-01", "caseload": "9" * 30},
            ["is written as a power of ten", "is far too large for a number of cases"],
        ),
        (
            reverse("placements:add"),
            {"child_ref": "C1", "child_dob": "01/05/2010", "weekly_cost": "99999999999999999", "provider": "\\N"},
            ["is more than £1,000,000,000 (£1bn) either way"],
        ),
        (
            reverse("forecasting:scenarios"),
            {"scenario": "middle", "net_change": "1e30", "billable_factor": "0.8855"},
            ["is written as a power of ten", "has more than 3 decimal places"],
        ),
    ]
    for url, posted, expected in posts:
        response = client.post(url, posted)
        text = response.content.decode()
        assert response.status_code == 200, (url, response.status_code)
        for words in expected:
            assert words in text.replace("&#x27;", "'"), (url, words)
    assert (Programme.objects.count(), Worker.objects.count()) == before


def test_zz_report_the_number_of_cases() -> None:
    total = sum(CASES.values())
    print(f"\nbad form cases checked: {total}")
    for name, count in sorted(CASES.items()):
        print(f"  {name}: {count}")


def test_the_kpi_threshold_and_a_posted_id_are_parsed_not_trusted(  # type: ignore[no-untyped-def]
    authority, placement_types, finance_officer, client_for
) -> None:
    financial_year_get_or_create(authority=authority, label="2019/20")
    client = client_for(finance_officer)
    for threshold, words in (
        ("inf", "'inf' is not an amount in pounds"),
        ("1e3", "'1e3' is not an amount in pounds"),
        ("99999999999999999", "'99999999999999999' is not an amount in pounds"),
    ):
        response = client.get("/placements/kpis/", {"year": "2019/20", "threshold": threshold}, follow=True)
        assert response.status_code == 200, threshold
        assert words in response.content.decode().replace("&#x27;", "'"), threshold
    response = client.get("/placements/kpis/", {"year": "2019/20", "threshold": "£1,200"})
    assert response.status_code == 200 and "is not an amount" not in response.content.decode()
    for posted_id in ("abc", "1e3", "9" * 40, "-1", ""):
        response = client.post("/placements/unit-costs/", {"action": "delete", "id": posted_id})
        assert response.status_code == 404, posted_id


@pytest.mark.usefixtures("workforce_lines")
def test_numbers_in_page_addresses_are_parsed_not_trusted(  # type: ignore[no-untyped-def]
    authority, placement_types, finance_officer, client_for
) -> None:
    financial_year_get_or_create(authority=authority, label="2019/20")
    plan, _ = run_import(authority, WORKFORCE)
    assert plan.ok
    programme = programme_save(authority=authority, user=None, code="CTP", name="Programme", first_year="2019/20")
    client = client_for(finance_officer)
    for bad in ("²", "1e3", "+4", "9" * 40, "-1", "NaN"):
        assert client.get("/workforce/kpis/", {"year": "2019/20", "period": bad}).status_code == 200, bad
        assert client.get("/workforce/workers/new/", {"team": bad}).status_code == 200, bad
        assert client.get(f"/savings/programmes/{programme.pk}/", {"hurdle": bad}).status_code == 200, bad
