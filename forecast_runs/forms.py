"""The small forms of the runs pages, built from the year's data and drawn by the one renderer."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import choices_form


def run_request_form(year: Any, default_period: int) -> forms.Form:
    """Asking for a forecast of `year` as at a period (0 to 12; 0 is a budget-setting forecast)."""
    period = forms.ChoiceField(
        label="Forecast as at period",
        choices=[(str(n), f"Period {n}") for n in range(0, 13)],
        help_text="Actuals of periods 1 to this one are used; the rest of the year is forecast. "
        "0 is a budget-setting forecast.",
    )
    fields = {"year": forms.CharField(widget=forms.HiddenInput), "period": period}
    return choices_form(fields, {"year": year.label, "period": str(default_period)}, auto_id="run-%s")


def scenario_picker(scenarios: list[str], scenario: str) -> forms.Form:
    """Which scenario a run's page shows."""
    field = forms.ChoiceField(label="Show the scenario", choices=[(s, s[:1].upper() + s[1:]) for s in scenarios])
    return choices_form({"scenario": field}, {"scenario": scenario})
