"""Forms of the placement pages. Money is typed in pounds and cleaned to integer pence."""

from __future__ import annotations

from typing import Any

from django import forms

import wording
from core.forms import choices_form
from forecasting.engine.placements import DEFAULT_HIGH_COST_THRESHOLD
from forecasting.forms import MoneyField, MultipleFileField, MultipleFileInput, WholeNumberField
from forecasting.models import BudgetLine, PlacementType
from forecasting.parsing import field_length
from placements.models import Child, CodeMapping, Placement

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_HINT = "For example, 31/07/2019"


def _date(label: str, *, required: bool = True, help_text: str = DATE_HINT) -> forms.DateField:
    return forms.DateField(label=label, required=required, input_formats=DATE_FORMATS, help_text=help_text)


class RegisterFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", help_text="Placement reference, child reference or provider")
    placement_type = forms.ChoiceField(required=False, label="Placement type")
    open_on = _date("Open on", required=False, help_text="Only placements open on this date, e.g. 31/07/2019")
    high_cost = forms.BooleanField(
        required=False,
        label=f"High cost only ({wording.money(DEFAULT_HIGH_COST_THRESHOLD)} a week, excluding secure and UASC)",
    )
    ending_soon = forms.BooleanField(required=False, label="Ending in the next 90 days")
    turning_18 = forms.BooleanField(required=False, label="Child turns 18 this financial year")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["placement_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All types")] + [(t.code, t.name) for t in PlacementType.objects.all()]


class PlacementForm(forms.Form):
    child_ref = forms.CharField(
        max_length=field_length(Child, "child_ref"),
        label="Child reference",
        help_text="The pseudonymous reference, never a name",
    )
    child_dob = _date("Date of birth", help_text="The first of the month is enough, e.g. 01/05/2010")
    uasc = forms.BooleanField(required=False, label="Unaccompanied asylum-seeking child")
    placement_ref = forms.CharField(
        max_length=field_length(Placement, "placement_ref"),
        required=False,
        label="Placement reference",
        help_text="Leave blank to have one made from the child and start date",
    )
    placement_type = forms.ModelChoiceField(queryset=PlacementType.objects.all(), label="Placement type")
    provider = forms.CharField(max_length=field_length(Placement, "provider"), required=False, label="Provider")
    procurement = forms.ChoiceField(
        choices=[("", "Not known")] + list(Placement.Procurement.choices), required=False, label="Procurement route"
    )
    start_date = _date("Start date")
    end_date = _date("End date", required=False, help_text="The first day no longer in placement, if known")
    planned_end_date = _date("Planned end date", required=False, help_text="The expected end, for the forecast")
    weekly_cost = MoneyField(label="Weekly cost (£)", help_text="Gross, for example 950.00")
    health_contribution = MoneyField(required=False, label="Health contribution (£ a week)")
    education_contribution = MoneyField(required=False, label="Education contribution (£ a week)")
    line = forms.ModelChoiceField(
        queryset=BudgetLine.objects.none(),
        required=False,
        label="Budget line",
        help_text="Leave blank for the placements line of the type",
    )

    def __init__(self, *args: Any, authority: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = BudgetLine.objects.filter(  # type: ignore[attr-defined]
            authority=authority, category=BudgetLine.Category.PLACEMENTS
        )


class EndForm(forms.Form):
    end_date = _date("End date", help_text="The first day the child is no longer in the placement, e.g. 01/08/2019")
    reason = forms.CharField(required=False, label="Reason", widget=forms.Textarea(attrs={"rows": 2}))


class RateForm(forms.Form):
    from_date = _date("New rate from", help_text="The first day at the new rate, e.g. 01/08/2019")
    weekly_cost = MoneyField(label="New weekly cost (£)")
    health_contribution = MoneyField(
        required=False, label="Health contribution (£ a week)", help_text="Leave blank to keep the current one"
    )
    education_contribution = MoneyField(
        required=False, label="Education contribution (£ a week)", help_text="Leave blank to keep the current one"
    )
    reason = forms.CharField(required=False, label="Reason", widget=forms.Textarea(attrs={"rows": 2}))


class CodeMappingForm(forms.Form):
    place = forms.CharField(
        max_length=field_length(CodeMapping, "place"), label="PLACE code", help_text="For example, U4"
    )
    place_provider = forms.CharField(
        max_length=field_length(CodeMapping, "place_provider"),
        required=False,
        label="PLACE_PROVIDER",
        help_text="PR0 to PR5; leave blank for any provider",
    )
    valid_from_year = WholeNumberField(
        low=2000,
        high=2100,
        what="a year",
        required=False,
        label="From collection year",
        help_text="The year the collection year starts, e.g. 2024 for 2024/25",
    )
    valid_to_year = WholeNumberField(
        low=2000,
        high=2100,
        what="a year",
        required=False,
        label="Until collection year",
        help_text="e.g. 2023 for 2023/24; blank = still valid",
    )
    placement_type = forms.ModelChoiceField(queryset=PlacementType.objects.all(), label="Finance placement type")


class UnitCostForm(forms.Form):
    placement_type = forms.ModelChoiceField(queryset=PlacementType.objects.all(), label="Placement type")
    effective_from = _date("Effective from")
    weekly_cost = MoneyField(label="Weekly unit cost (£)")


class ImportForm(forms.Form):
    """What the files hold, the files and, for a regional SSDA903 file, the council's LA value.
    Whether the files suit the kind is the view's check (placements.views._import_problems)."""

    kind = forms.ChoiceField(
        label="What the files hold",
        choices=[
            ("placements", "Placement cost register (one file)"),
            ("ssda903", "SSDA903 return: header, episodes and UASC files, one or several years"),
        ],
        initial="placements",
        widget=forms.RadioSelect,
        help_text="A register replaces every row of the placements in the file. An SSDA903 return replaces the "
        "SSDA903 placements of the children in the files; placements already in the register with costs are kept.",
        error_messages={"required": "Choose what the files hold", "invalid_choice": "Choose what the files hold"},
    )
    # The name the page has always posted; Django moves declared fields off the class, so the
    # form's own `files` (the uploads) is untouched.
    files = MultipleFileField(  # type: ignore[assignment]
        label="Files (CSV or XLSX)",
        required=False,
        help_text="Choose every file of an SSDA903 return at once.",
        widget=MultipleFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    la = forms.CharField(
        required=False,
        max_length=20,
        label="Authority in a regional SSDA903 file (optional)",
        help_text="The LA value of your council's rows when a regional file holds several councils.",
    )


def kpi_filters(*, years: list[str], year: str, threshold_pounds: str) -> forms.Form:
    """The placement KPIs' year and high-cost threshold (a threshold that is not an amount is
    said in a message and the default used: a filter never comes back with an error)."""
    threshold = forms.CharField(
        label="High-cost threshold (£ a week)",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )
    fields = {
        "year": forms.ChoiceField(label="Financial year", choices=[(y, y) for y in years]),
        "threshold": threshold,
    }
    return choices_form(fields, {"year": year, "threshold": threshold_pounds})
