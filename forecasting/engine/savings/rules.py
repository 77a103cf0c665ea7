"""The savings tracker's vocabulary: statuses and RAGs, versions, programme profiles and the
rules FORECAST.md, Savings sets in pence (key decisions, payback hurdle, which lines add a
shortfall to the outturn)."""

from __future__ import annotations

from collections.abc import Mapping

ABSORBED = "absorbed"
ACHIEVED = "achieved"
RAGS = ("green", "amber", "red")
# FORECAST.md, Savings / DATA_FORMATS.md, savings: the RAG when the tracker leaves it blank. An
# absorbed saving has no RAG of its own: its delivery is rated as part of the programme that
# absorbed it, so green would overstate confidence here and red would count a pressure twice.
RAG_FROM_STATUS: Mapping[str, str | None] = {
    "achieved": "green",
    "on_track": "green",
    "at_risk": "amber",
    "undeliverable": "red",
    "absorbed": None,
}
VERSIONS = ("consultation", "approved", "reprofiled")
PROGRAMME_PROFILES = ("target", "stretch")
# FORECAST.md, Savings: the shortfall is added to the outturn only for lines that assume the
# budget, net of the saving, is spent as planned.
METHODS_ADDING_SHORTFALL = frozenset({"profile", "budget"})
# Lines forecast from drivers or run rate already show delivery (or its absence) in the drivers.
METHODS_NOT_ADDING_SHORTFALL = frozenset({"placements", "workforce", "run_rate"})
KEY_DECISION_THRESHOLD = 75_000_000  # pence: £750,000 in any one year (FORECAST.md, Savings)
DEFAULT_PAYBACK_HURDLE = 3.0  # a 3:1 return, as in Nottingham City's programme requirement


class SavingsError(ValueError):
    """Savings data the engine cannot use; the message says which saving and what is wrong."""
