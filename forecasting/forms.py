from __future__ import annotations

from typing import Any

from django import forms

from forecasting.models import BudgetLine, PlacementType
from forecasting.parsing import parse_money


class MoneyField(forms.CharField):
    """Pounds as typed (£1,234.56) -> integer pence."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in ("", None):
            return None
        try:
            return parse_money(text)
        except ValueError as error:
            raise forms.ValidationError(f"Enter an amount in pounds: {error}") from None


class BudgetLineForm(forms.Form):
    code = forms.CharField(max_length=40, label="Line code")
    name = forms.CharField(max_length=200, label="Line name")
    service_area = forms.CharField(max_length=120)
    category = forms.ChoiceField(choices=BudgetLine.Category.choices)
    placement_type = forms.ModelChoiceField(queryset=PlacementType.objects.all(), required=False)
    team_code = forms.CharField(max_length=40, required=False, label="Team code")
    method = forms.ChoiceField(choices=BudgetLine.Method.choices, label="Forecast method (other and income lines)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("category") == BudgetLine.Category.PLACEMENTS and not data.get("placement_type"):
            self.add_error("placement_type", "Choose the placement type of a placements line")
        if data.get("category") == BudgetLine.Category.WORKFORCE and not data.get("team_code"):
            self.add_error("team_code", "Enter the team code of a workforce line")
        return data


class BudgetForm(forms.Form):
    amount = MoneyField(label="Annual budget (£)", help_text="Income as a negative amount")
    budget_numbers = forms.DecimalField(
        required=False, min_value=0, max_digits=9, decimal_places=2, label="Budgeted average number of children"
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Reason for the change")


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason")


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds")
    file = forms.FileField()
    year = forms.CharField(required=False, label="Financial year (e.g. 2019/20)")
    as_at = forms.DateField(required=False, label="As at date (workforce)", input_formats=["%Y-%m-%d", "%d/%m/%Y"])
