"""Scenario assumptions in the browser: see, add, remove, download (upload is the `scenarios` file)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import FINANCE, STAFF_READERS, AuthenticatedHttpRequest, authority_of, role_required
from core.exports import Title, table_download
from forecasting.engine.scenarios import REPORTED_SCENARIO, scenario_rank
from forecasting.forms import MoneyField, NumberField
from forecasting.models import PlacementType, Scenario, ScenarioAssumption
from forecasting.parsing import MAX_CHILDREN, MAX_TEAM_FTE, decimal_bounds, field_length
from forecasting.scenario_services import scenario_assumption_add, scenario_assumption_delete
from forecasting.scenarios import FILE_COLUMNS, scenario_rows, scenarios_ensure


def _assumption_number(name: str, low: Decimal | int, high: Decimal | int, label: str) -> NumberField:
    """A number of an assumption, parsed as the scenarios file parses it, within its column."""
    largest, places = decimal_bounds(ScenarioAssumption, name)
    return NumberField(
        low=max(Decimal(low), -largest), high=min(Decimal(high), largest), places=places, required=False, label=label
    )


class AssumptionForm(forms.Form):
    scenario = forms.SlugField(max_length=40, initial=REPORTED_SCENARIO, help_text="best, middle, worst or a new name")
    placement_type = forms.ChoiceField(required=False, label="Placement type (blank: every type)")
    demand_method = forms.ChoiceField(
        required=False, choices=[("", "(not set)"), *ScenarioAssumption.DemandMethod.choices]
    )
    net_change = _assumption_number("net_change", -MAX_CHILDREN, MAX_CHILDREN, "Net change in children by March")
    new_unit_cost = MoneyField(required=False, label="Weekly cost of new placements (£)")
    fee_uplift_pct = _assumption_number("fee_uplift_pct", -50, 100, "Fee uplift (%)")
    fee_uplift_from = forms.DateField(required=False, label="Fee uplift from (e.g. 2019-10-01)")
    agency_target_fte = _assumption_number("agency_target_fte", 0, MAX_TEAM_FTE, "Agency FTE by the end of March")
    team = forms.CharField(
        required=False,
        max_length=field_length(ScenarioAssumption, "team"),
        label="Team code for the agency target (blank: overall)",
    )
    billable_factor = _assumption_number("billable_factor", Decimal("0.01"), Decimal("1.5"), "Agency billable factor")
    delivery_achieved_pct = _assumption_number("delivery_achieved_pct", 0, 1000, "Delivery of achieved savings (%)")
    delivery_on_track_pct = _assumption_number("delivery_on_track_pct", 0, 1000, "Delivery of on-track savings (%)")
    delivery_at_risk_pct = _assumption_number("delivery_at_risk_pct", 0, 1000, "Delivery of at-risk savings (%)")
    delivery_undeliverable_pct = _assumption_number(
        "delivery_undeliverable_pct", 0, 1000, "Delivery of undeliverable savings (%)"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["placement_type"].choices = [("", "(every type)")] + [  # type: ignore[attr-defined]
            (t.code, t.name) for t in PlacementType.objects.all()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("demand_method") == "net_change" and data.get("net_change") is None:
            self.add_error("net_change", "Enter the change by March for the net change method")
        if data.get("new_unit_cost") is not None and data["new_unit_cost"] < 0:
            self.add_error("new_unit_cost", "A weekly cost is £0 or more")
        values = [v for k, v in data.items() if k not in ("scenario", "placement_type", "team") and v not in (None, "")]
        if not values:
            raise ValidationError("Set at least one assumption")
        return data


@role_required(*STAFF_READERS)
def scenarios(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    scenarios_ensure(authority=authority)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        frame = pd.DataFrame(scenario_rows(authority=authority), columns=list(FILE_COLUMNS))
        title = Title(authority.name, "Scenario assumptions")
        return table_download(
            frame, filename="scenarios", fmt=fmt, title=title, money=["new_unit_cost"], file_columns=True
        )
    user = request.user
    form = AssumptionForm(request.POST or None)
    if request.method == "POST":
        if not user.is_finance_officer:
            return HttpResponse(status=403)
        if form.is_valid():
            data = dict(form.cleaned_data)
            name = data.pop("scenario").lower()
            values = {k: (v if v is not None else None) for k, v in data.items()}
            values["placement_type"] = values.get("placement_type") or ""
            values["demand_method"] = values.get("demand_method") or ""
            values["team"] = values.get("team") or ""
            scenario_assumption_add(authority=authority, user=user, scenario=name, values=values)
            messages.success(request, f"Assumption added to the {name} scenario.")
            return redirect("forecasting:scenarios")
    groups = [
        (scenario, list(scenario.assumptions.all()))
        for scenario in Scenario.objects.filter(authority=authority).order_by("name")
    ]
    groups.sort(key=lambda g: (scenario_rank(g[0].name), g[0].name))
    return render(request, "forecasting/scenarios.html", {"groups": groups, "form": form})


@require_POST
@role_required(*FINANCE)
def assumption_delete(request: AuthenticatedHttpRequest, assumption_id: int) -> HttpResponse:
    authority = authority_of(request)
    row = get_object_or_404(ScenarioAssumption, pk=assumption_id, scenario__authority=authority)
    user = request.user
    scenario_assumption_delete(authority=authority, user=user, row=row)
    messages.success(request, "Assumption removed.")
    return redirect("forecasting:scenarios")
