"""Forms for the workforce pages. Choices of teams, posts and budget lines are always limited to
the signed-in user's authority, so another council's ids are never valid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from accounts.models import Authority
from core.forms import choices_form
from forecasting.forms import MoneyField, NumberField, WholeNumberField
from forecasting.models import BudgetLine
from forecasting.parsing import MAX_CASELOAD, field_length
from workforce.models import MAX_FTE, Absence, AgencyReason, Post, Team, Worker, WorkerType

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class UKDateField(forms.DateField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("help_text", "For example, 2019-07-31 or 31/07/2019")
        super().__init__(**kwargs)


class TeamForm(forms.Form):
    code = forms.CharField(max_length=field_length(Team, "code"), label="Team code")
    name = forms.CharField(max_length=field_length(Team, "name"), label="Team name")
    budget_line = forms.ModelChoiceField(
        queryset=BudgetLine.objects.none(), label="Workforce budget line that pays for it"
    )
    hard_to_retain = forms.BooleanField(required=False, label="Hard to recruit to and retain")
    manageable_caseload = WholeNumberField(
        low=1,
        high=100,
        what="a number of cases",
        required=False,
        label="Manageable caseload per worker",
        help_text="For example 15 in assessment, 20 in child protection",
    )

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = BudgetLine.objects.filter(  # type: ignore[attr-defined]
            authority=authority, category=BudgetLine.Category.WORKFORCE
        )


class WorkerForm(forms.Form):
    ref = forms.CharField(max_length=field_length(Worker, "ref"), label="Worker reference")
    team = forms.ModelChoiceField(queryset=Team.objects.none())
    post = forms.ModelChoiceField(queryset=Post.objects.none(), required=False, label="Post filled (if any)")
    role = forms.CharField(
        max_length=field_length(Worker, "role"), required=False, help_text="For example social worker, team manager"
    )
    worker_type = forms.ChoiceField(choices=WorkerType.choices, label="Permanent or agency")
    fte = NumberField(
        low=Decimal(0), high=MAX_FTE, what="an FTE", label="FTE", help_text=f"More than 0 and at most {MAX_FTE}"
    )
    start_date = UKDateField(label="Start date")
    end_date = UKDateField(
        required=False,
        label="Last day (actual or expected)",
        help_text="The last day worked, inclusive. Leave blank if there is no end date",
    )
    annual_cost = MoneyField(
        required=False, label="Annual cost (£, permanent)", help_text="Full cost including on-costs, at their FTE"
    )
    weekly_rate = MoneyField(required=False, label="Weekly rate (£, agency)", help_text="The agency's charge a week")
    agency_reason = forms.ChoiceField(
        choices=[("", "—"), *AgencyReason.choices], required=False, label="Reason for the agency worker"
    )
    caseload = WholeNumberField(
        low=0, high=MAX_CASELOAD, what="a number of cases", required=False, label="Open cases held"
    )
    asye = forms.BooleanField(required=False, label="Newly qualified (ASYE year)")

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(authority=authority)  # type: ignore[attr-defined]
        self.fields["post"].queryset = (  # type: ignore[attr-defined]
            Post.objects.filter(authority=authority).select_related("team")
        )

    def clean_fte(self) -> Decimal:
        fte: Decimal = self.cleaned_data["fte"]
        if fte <= 0 or fte > MAX_FTE:
            raise forms.ValidationError(f"Enter an FTE more than 0 and at most {MAX_FTE}")
        return fte


class EndForm(forms.Form):
    end_date = UKDateField(label="Last day (inclusive)")
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Reason (optional)")


class AbsenceForm(forms.Form):
    absence = forms.ChoiceField(
        choices=[("", "Back at work (no absence)"), *Absence.choices], required=False, label="Absence"
    )
    since = UKDateField(required=False, label="Since")
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note (optional)")


class SnapshotForm(forms.Form):
    as_at = UKDateField(label="As-at date")


def kpi_filters(context: dict[str, Any], group_choices: list[tuple[str, str]]) -> forms.Form:
    """The KPIs page's year, month, grouping and agency reasons' group, from the page's context."""
    fields: dict[str, forms.Field] = {
        "year": forms.ChoiceField(label="Financial year", choices=[(label, label) for label in context["labels"]]),
        "period": forms.ChoiceField(label="Month", choices=[(str(p), words) for p, words in context["months"]]),
        "by": forms.ChoiceField(label="Show", choices=list(context["groupings"].items())),
        "group": forms.ChoiceField(label="Agency reasons for", choices=group_choices),
    }
    values = {
        "year": context["calendar"].label,
        "period": str(context["period"]),
        "by": context["by"],
        "group": context["group"],
    }
    return choices_form(fields, values, auto_id="kpi-%s")


def teams_filter(on: date) -> forms.Form:
    """The day the teams page counts the staff in post on."""
    field = forms.CharField(label="Staff in post on", help_text="For example, 2019-07-31")
    field.widget.attrs["class"] = "govuk-input--width-10"
    return choices_form({"on": field}, {"on": on.isoformat()})
