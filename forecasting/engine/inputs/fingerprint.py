"""`inputs_hash`: the fingerprint stored with a run (FORECAST.md, Outputs of a run: "a hash of
every input"), independent of the order of rows, columns and scenarios."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..scenarios import ChosenDemand, PlacementAssumption, Scenario
from .tables import blank

if TYPE_CHECKING:
    from .engine_inputs import EngineInputs


def _canonical_value(value: object) -> str:
    """One cell as canonical text: numbers by value (1 == 1.0), dates ISO, blanks one token."""
    if not isinstance(value, (tuple, list, np.ndarray)) and blank(value):
        return "~"
    if isinstance(value, (bool, np.bool_)):
        return "T" if value else "F"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating, Decimal)):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, (pd.Timestamp, datetime)):
        stamp = pd.Timestamp(value)
        return str(stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat())
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, list, np.ndarray)):
        return "[" + ",".join(_canonical_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _canonical_column(column: pd.Series) -> list[str]:
    if pd.api.types.is_datetime64_any_dtype(column):
        stamps = pd.to_datetime(column)
        out = stamps.dt.strftime("%Y-%m-%d")
        timed = stamps.notna() & (stamps != stamps.dt.normalize())
        if timed.any():
            out[timed] = stamps[timed].map(lambda s: s.isoformat())
        return [str(v) for v in out.where(stamps.notna(), "~").tolist()]
    if pd.api.types.is_bool_dtype(column):
        return ["T" if v else "F" for v in column.to_numpy()]
    if pd.api.types.is_integer_dtype(column) and not isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
        return [str(v) for v in column.astype(str).tolist()]
    return [_canonical_value(v) for v in column.to_numpy(dtype=object)]


def _frame_digest(name: str, frame: pd.DataFrame) -> str:
    """Order-free digest of a frame: sorted column names, then the sorted canonical rows."""
    columns = sorted(str(c) for c in frame.columns)
    if len(frame) == 0:
        rows: list[str] = []
    else:
        cells = [_canonical_column(frame[c]) for c in columns]
        rows = sorted("\x1f".join(parts) for parts in zip(*cells, strict=True))
    digest = hashlib.sha256()
    digest.update(f"{name}\x1e{len(frame)}\x1e{'|'.join(columns)}\x1e".encode())
    for row in rows:
        digest.update(row.encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


def _assumption_dict(assumption: PlacementAssumption) -> dict[str, str]:
    return {
        "demand_method": _canonical_value(assumption.demand_method),
        "net_change": _canonical_value(assumption.net_change),
        "new_unit_cost": _canonical_value(assumption.new_unit_cost),
        "fee_uplift_pct": _canonical_value(assumption.fee_uplift_pct),
        "fee_uplift_from": _canonical_value(assumption.fee_uplift_from),
    }


def _scenario_dict(scenario: Scenario) -> dict[str, object]:
    return {
        "name": scenario.name,
        "placements": {k: _assumption_dict(v) for k, v in sorted(scenario.placements.items())},
        "agency_targets": {
            ("~" if k is None else str(k)): _canonical_value(v)
            for k, v in sorted(scenario.agency_targets.items(), key=lambda kv: "" if kv[0] is None else str(kv[0]))
        },
        "billable_factor": _canonical_value(scenario.billable_factor),
        "delivery_rates": {k: _canonical_value(v) for k, v in sorted(scenario.delivery_rates.items())},
    }


def _chosen_dict(chosen: ChosenDemand) -> dict[str, object]:
    return {
        "methods": {str(k): str(v) for k, v in sorted(chosen.methods.items())},
        "intervals": {str(k): _bands_dict(bands) for k, bands in sorted(chosen.intervals.items())},
        "method_intervals": {
            str(k): {str(m): _bands_dict(bands) for m, bands in sorted(by_method.items())}
            for k, by_method in sorted(chosen.method_intervals.items())
        },
    }


def _bands_dict(bands: Mapping[int, tuple[float, float]]) -> dict[str, object]:
    return {str(h): _canonical_value(list(band)) for h, band in sorted(bands.items())}


def inputs_hash(inputs: EngineInputs) -> str:
    """sha256 (hex) of a canonical serialisation of every frame and assumption of a run.

    The same inputs give the same hash whatever the order of rows, columns or scenarios; a
    change of one penny anywhere changes it. Numbers are compared by value (1 and 1.0 are the
    same), blanks (None, NaN, NaT) are one token, dates are ISO.
    """
    frames = {
        "budget_lines": inputs.budget_lines,
        "actuals": inputs.actuals,
        "placements": inputs.placements,
        "placement_types": inputs.placement_types,
        "posts": inputs.posts,
        "workers": inputs.workers,
        "savings": inputs.savings,
    }
    document = {
        "year": inputs.year.label,
        "as_at_period": int(inputs.as_at_period),
        "high_cost_threshold": int(inputs.high_cost_threshold),
        "chosen_demand": None if inputs.chosen_demand is None else _chosen_dict(inputs.chosen_demand),
        "history_from": None if inputs.history_from is None else inputs.history_from.isoformat(),
        "scenarios": sorted((_scenario_dict(s) for s in inputs.scenarios), key=lambda d: str(d["name"])),
        "frames": {name: _frame_digest(name, frame) for name, frame in frames.items()},
    }
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
