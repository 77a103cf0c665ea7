"""Forms of the savings pages. Amounts are typed in pounds and cleaned to integer pence;
the services check the rest (years in the plan, re-profile totals) and their messages are shown
as form errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.template.defaultfilters import floatformat

from accounts.models import Authority
from core.forms import choice_filter, choices_form
from forecasting.engine.calendar import CalendarError, parse_year_label
from forecasting.forms import MoneyField, NumberField, WholeNumberField
from forecasting.models import BudgetLine, ServiceArea
from forecasting.parsing import MAX_PERIOD, decimal_bounds, field_length
from savings.models import (
    MAX_PROGRAMME_YEARS,
    MediumTermPlan,
    Mitigation,
    Programme,
    ProgrammeInvestment,
    Rag,
    Saving,
    SavingVersion,
    Status,
)

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_HINT = "For example, 31/07/2022"


def year_field_name(prefix: str, label: str) -> str:
    return f"{prefix}_{label.replace('/', '_')}"


class YearLabelField(forms.CharField):
    def to_python(self, value: Any) -> str:
        text = (super().to_python(value) or "").strip()
        if text:
            try:
                parse_year_label(text)
            except CalendarError as error:
                raise forms.ValidationError(str(error)) from None
        return text


def _date(label: str, *, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, input_formats=DATE_FORMATS, help_text=DATE_HINT)


class PlanForm(forms.Form):
    first_year = YearLabelField(label="First year of the plan", help_text="For example, 2022/23")
    last_year = YearLabelField(label="Last year of the plan", help_text="For example, 2025/26")
    approved_by = forms.CharField(
        max_length=field_length(MediumTermPlan, "approved_by"),
        label="Approved by",
        required=False,
        help_text="For example, Full Council",
    )
    approved_on = _date("Approved on")


class YearAmountsMixin:
    """Adds one money field per year: `<prefix>_2022_23`."""

    def add_year_fields(self, prefix: str, years: list[str], label: str, *, required: bool = False) -> None:
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        for year in years:
            fields[year_field_name(prefix, year)] = MoneyField(
                label=f"{label} {year} (£)",
                required=required,
                help_text="" if year != years[0] else "Positive pounds; leave blank for a year with no amount",
            )

    def year_amounts(self, prefix: str, years: list[str]) -> dict[str, int]:
        data: dict[str, Any] = self.cleaned_data  # type: ignore[attr-defined]
        return {y: data[year_field_name(prefix, y)] for y in years if data.get(year_field_name(prefix, y)) is not None}


class SavingDetailsForm(forms.Form):
    title = forms.CharField(max_length=field_length(Saving, "title"))
    service_area = forms.ModelChoiceField(queryset=ServiceArea.objects.none())
    line = forms.ModelChoiceField(
        queryset=BudgetLine.objects.none(),
        required=False,
        label="Budget line",
        help_text="The budget line the saving reduces, if any",
    )
    saving_type = forms.ChoiceField(choices=Saving.Type.choices, label="Type of saving")
    owner = forms.CharField(max_length=field_length(Saving, "owner"), required=False)
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="What the saving is and how it will be made"
    )
    programme = forms.ModelChoiceField(
        queryset=Programme.objects.none(), required=False, help_text="The programme it belongs to or was absorbed into"
    )
    start_date = _date("Start date (if part-way through a year)")
    full_year_effect = MoneyField(
        label="Full-year effect (£)",
        required=False,
        help_text="The saving in a whole year, where the first year is a part year",
    )

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this authority's rows can be chosen (another authority's ids are "not a valid choice").
        self.fields["service_area"].queryset = ServiceArea.objects.filter(authority=authority)  # type: ignore[attr-defined]
        self.fields["line"].queryset = BudgetLine.objects.filter(authority=authority)  # type: ignore[attr-defined]
        self.fields["programme"].queryset = Programme.objects.filter(authority=authority)  # type: ignore[attr-defined]


class SavingForm(YearAmountsMixin, SavingDetailsForm):
    """A new saving: what it is, its first profile and its first reporting cycle."""

    version = forms.ChoiceField(
        choices=[(v, label) for v, label in SavingVersion.Version.choices if v != SavingVersion.Version.REPROFILED],
        initial=SavingVersion.Version.APPROVED,
        label="Stage of the proposal",
    )
    approved_by = forms.CharField(
        max_length=field_length(SavingVersion, "approved_by"),
        required=False,
        label="Approving body",
        help_text="For example, Full Council",
    )
    approved_on = _date("Approved on")
    status = forms.ChoiceField(choices=Status.choices, label="Delivery status")
    rag = forms.ChoiceField(choices=[("", "From the status")] + list(Rag.choices), required=False, label="RAG")
    as_at = _date("Status as at", required=True)
    forecast_delivery = MoneyField(
        required=False,
        label="Forecast delivery this year (£)",
        help_text="Leave blank to use the delivery rate for the status",
    )
    progress = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Progress narrative")

    def __init__(self, *args: Any, authority: Authority, years: list[str], **kwargs: Any) -> None:
        super().__init__(*args, authority=authority, **kwargs)
        self.years = years
        self.fields = {
            "ref": forms.CharField(
                max_length=field_length(Saving, "ref"), label="Reference", help_text="For example, CHS/SAV/34"
            ),
            **self.fields,
        }
        self.add_year_fields("amount", years, "Saving in")


class StatusUpdateForm(forms.Form):
    as_at = _date("Status as at", required=True)
    year_label = forms.ChoiceField(label="Financial year of the forecast")
    period = WholeNumberField(
        low=1, high=MAX_PERIOD, what="a period", required=False, label="Reporting period (1 to 12)"
    )
    status = forms.ChoiceField(choices=Status.choices, label="Delivery status")
    rag = forms.ChoiceField(choices=[("", "From the status")] + list(Rag.choices), required=False, label="RAG")
    forecast_delivery = MoneyField(
        required=False,
        label="Forecast delivery in the year (£)",
        help_text="Leave blank to use the delivery rate for the status",
    )
    narrative = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Progress narrative")

    def __init__(self, *args: Any, years: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year_label"].choices = [(y, y) for y in years]  # type: ignore[attr-defined]


class ReprofileForm(YearAmountsMixin, forms.Form):
    approved_by = forms.CharField(
        max_length=field_length(SavingVersion, "approved_by"), required=False, label="Approving body"
    )
    approved_on = _date("Approved on")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason for the re-profile",
        help_text="For example, the programme started six months late",
    )

    def __init__(self, *args: Any, years: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = years
        self.add_year_fields("amount", years, "Saving in")


class MitigationForm(forms.Form):
    year_label = forms.ChoiceField(label="Financial year")
    amount = MoneyField(label="Amount mitigated (£)")
    source = forms.ChoiceField(choices=Mitigation.Source.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, years: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year_label"].choices = [(y, y) for y in years]  # type: ignore[attr-defined]


class ProgrammeForm(forms.Form):
    code = forms.CharField(
        max_length=field_length(Programme, "code"), help_text="A short name used in files, for example CTP"
    )
    name = forms.CharField(max_length=field_length(Programme, "name"))
    owner = forms.CharField(max_length=field_length(Programme, "owner"), required=False)
    narrative = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    first_year = YearLabelField(label="Year 1 of the benefit profile", help_text="For example, 2022/23")
    years = WholeNumberField(
        low=1, high=MAX_PROGRAMME_YEARS, what="a number of years", initial=8, label="Years in the profile"
    )
    planned_start = _date("Planned start")
    actual_start = _date("Actual start")
    delay_months = WholeNumberField(
        low=0,
        high=12,
        what="a number of months",
        initial=0,
        label="Delayed start (months)",
        help_text="The benefit profile is re-profiled by this many months; its lifetime total is unchanged",
    )
    delay_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Reason for the delay"
    )
    hurdle = NumberField(
        low=Decimal(0),
        high=decimal_bounds(Programme, "hurdle")[0],
        places=decimal_bounds(Programme, "hurdle")[1],
        what="a return on investment",
        initial=3,
        label="Return on investment hurdle",
        help_text="For example, 3 for 3:1",
    )
    approved_by = forms.CharField(
        max_length=field_length(Programme, "approved_by"), required=False, label="Approved by"
    )
    approved_on = _date("Approved on")


class ProgrammeProfilesForm(YearAmountsMixin, forms.Form):
    def __init__(self, *args: Any, years: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = years
        self.add_year_fields("target", years, "Target benefit")
        self.add_year_fields("stretch", years, "Stretch benefit")
        self.add_year_fields("cost", years, "Implementation cost")

    def rows(self) -> list[tuple[str, Any, Any, Any]]:
        """(year, target field, stretch field, cost field) for the grid."""
        return [
            (
                y,
                self[year_field_name("target", y)],
                self[year_field_name("stretch", y)],
                self[year_field_name("cost", y)],
            )
            for y in self.years
        ]


class InvestmentForm(forms.Form):
    description = forms.CharField(
        max_length=field_length(ProgrammeInvestment, "description"),
        help_text="For example, delivery partner for two years",
    )
    amount = MoneyField(label="Amount (£)")
    funding_source = forms.CharField(
        max_length=field_length(ProgrammeInvestment, "funding_source"),
        label="Funding source",
        help_text="For example, earmarked reserves",
    )


def tracker_filters(context: dict[str, Any]) -> forms.Form:
    """The tracker's year, status, RAG and service area, from the page's context."""
    filters, year = context["filters"], context["year"]
    years = context["years"] or ([year] if year else [])
    fields: dict[str, forms.Field] = {
        "year": forms.ChoiceField(label="Financial year", required=False, choices=[(y, y) for y in years]),
        "status": choice_filter("Status", context["statuses"]),
        "rag": choice_filter("RAG", [*context["rags"], ("none", "No RAG (absorbed)")]),
        "service": choice_filter("Service area", [(name, name) for name in context["service_areas"]]),
    }
    values = {"year": year, "status": filters.status, "rag": filters.rag, "service": filters.service_area}
    return choices_form(fields, values, auto_id="f-%s")


def return_filters(figures: Any, years: list[str]) -> forms.Form:
    """A programme's return on investment: which profile, on which basis, over which years, and
    the hurdle it is measured against."""
    hurdle = forms.CharField(
        label="Hurdle (x:1)", widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-4"})
    )
    fields: dict[str, forms.Field] = {
        "profile": forms.ChoiceField(label="Profile", choices=[("target", "Target"), ("stretch", "Stretch")]),
        "basis": forms.ChoiceField(
            label="Basis", choices=[("reprofiled", "After the delay"), ("original", "As approved")]
        ),
        "from": choice_filter("From year", [(y, y) for y in years], everything="First"),
        "to": choice_filter("To year", [(y, y) for y in years], everything="Last"),
        "hurdle": hurdle,
    }
    first, last = figures.window
    values = {
        "profile": figures.profile,
        "basis": figures.basis,
        "from": first,
        "to": last,
        "hurdle": floatformat(figures.hurdle, -2),
    }
    return choices_form(fields, values, auto_id="p-%s")
