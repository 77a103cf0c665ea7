"""Recording changes (PRODUCT.md: every change to financial data is audited)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import models

import wording
from accounts.models import AuditEvent, Authority, User


def actor_name(user: User | None) -> str:
    return user.get_username() if user is not None else "system"


def audit_record(
    *,
    authority: Authority,
    user: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:250]
    return AuditEvent.objects.create(
        authority=authority,
        user=user,
        actor=actor_name(user),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:250],
        before=before,
        after=after,
        reason=reason,
    )


def audit_bulk(
    *,
    authority: Authority,
    user: User | None,
    action: str,
    changes: Iterable[tuple[str, str, str, dict[str, Any] | None, dict[str, Any] | None]],
    reason: str = "",
) -> int:
    """Record many changes at once: (object_type, object_id, object_repr, before, after)."""
    events = [
        AuditEvent(
            authority=authority,
            user=user,
            actor=actor_name(user),
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:250],
            before=before,
            after=after,
            reason=reason,
        )
        for object_type, object_id, object_repr, before, after in changes
    ]
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)


# What each kind of change is called where people read the log (issue 12: "Signed off period 7",
# never "dashboards.sign_off"). A kind not listed is written from its code's words.
ACTION_WORDS = {
    "actuals.demo": "Loaded demo actuals",
    "actuals.import": "Imported actuals",
    "budget.revise": "Revised a budget",
    "budget.set": "Set a budget",
    "budget_line.create": "Added a budget line",
    "dashboards.commentary": "Wrote variance commentary",
    "dashboards.pdf_request": "Asked for the committee PDF",
    "dashboards.sign_off": "Signed off",
    "feed_token.issue": "Issued a data feed token",
    "feed_token.revoke": "Revoked a data feed token",
    "feed_token.used": "Read the data feed (first request of the day)",
    "period.submitted": "Submitted",
    "period.locked": "Locked",
    "period.open": "Unlocked",
    "placement.add": "Added a placement",
    "placement.end": "Ended a placement",
    "placement.rate_change": "Changed a placement's weekly rate",
    "placement.reprice": "Repriced placements",
    "placement_mapping.delete": "Removed an SSDA903 code mapping",
    "placement_mapping.save": "Saved an SSDA903 code mapping",
    "placement_unit_cost.delete": "Removed a unit cost",
    "placement_unit_cost.save": "Saved a unit cost",
    "placements.demo": "Loaded demo placements",
    "placements.import": "Imported placements",
    "post.create": "Added a post",
    "programme.create": "Added a savings programme",
    "programme.investment_add": "Added a programme investment",
    "programme.profiles_set": "Set a programme's benefit profile",
    "saving.approved": "Recorded the approved version of a saving",
    "saving.consultation": "Recorded the consultation version of a saving",
    "saving.create": "Added a saving",
    "saving.mitigation_add": "Added a mitigation to a saving",
    "saving.reprofiled": "Re-profiled a saving",
    "saving.status": "Changed a saving's status",
    "saving.update": "Updated a saving's progress",
    "savings_plan.set": "Set the medium-term savings plan",
    "scenario.assumption_add": "Added a scenario assumption",
    "scenario.assumption_delete": "Removed a scenario assumption",
    "scenario.replace": "Replaced a scenario's assumptions",
    "team.create": "Added a team",
    "team.import": "Imported a team",
    "user.create": "Added a user",
    "user.password_reset": "Forced a password reset",
    "user.reactivate": "Reactivated a user",
    "user.recovery_code_used": "Signed in with a recovery code",
    "user.role_change": "Changed a user's role",
    "user.second_factor_reset": "Reset a user's authenticator app",
    "user.second_factor_set_up": "Set up an authenticator app",
    "user.sso_create": "Added a user at their first council sign-in",
    "user.sso_link": "Linked a user to their council account",
    "user.sso_refused": "Refused a council sign-in",
    "user.unlock": "Unlocked a user's sign-in",
    "worker.absence": "Recorded an absence",
    "worker.end": "Ended a worker's engagement",
    "worker.update": "Updated a worker",
    "workforce.demo": "Loaded demo workforce",
    "workforce.import": "Imported the workforce",
    "workforce_snapshot.create": "Took a workforce snapshot",
    "workforce_snapshot.delete": "Removed a workforce snapshot",
}
# Fields whose numbers are pence: written in pounds.
MONEY_FIELDS = {
    "amount",
    "annual_cost",
    "weekly_rate",
    "weekly_cost",
    "outturn",
    "budget",
    "variance",
    "target",
    "stretch",
    "forecast_delivery",
    "planned",
    "costs",
    "amounts",
    "years",
    "new_unit_cost",
    "unit_cost",
}
FIELD_WORDS = {"fte": "FTE", "rag": "RAG", "asye": "ASYE", "ref": "Reference", "run": "Forecast run"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CODE_VALUE = re.compile(r"^[a-z]+(_[a-z]+)+$")


def _words(code: str) -> str:
    text = code.replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


def action_words(action: str) -> str:
    """A kind of change in words: dashboards.sign_off -> Signed off."""
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    if action.startswith("import."):
        return f"Imported a {_words(action.split('.', 1)[1]).lower()} file"
    return _words(action)


def field_words(name: str) -> str:
    return FIELD_WORDS.get(name) or _words(str(name))


def value_words(value: Any, *, money: bool = False) -> str:
    """A recorded value in words: pence as pounds, ISO dates as dates, codes as words."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return ", ".join(f"{field_words(str(k).strip())} {value_words(v, money=money)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(value_words(v, money=money) for v in value)
    if money and isinstance(value, int | float):
        # A record: whole pounds, or to the penny when the amount has pence.
        return wording.money(int(value), 0 if int(value) % 100 == 0 else 2)
    text = str(value)
    if ISO_DATE.match(text):
        return wording.date_text(date.fromisoformat(text))
    if CODE_VALUE.match(text):
        return _words(text)
    return text


def changes_words(values: Any) -> str:
    """An event's before or after values in words: "Outturn £130,465,702; Status On track"."""
    if not isinstance(values, dict):
        return "" if values in (None, "") else value_words(values)
    return "; ".join(
        f"{field_words(str(key))}: {value_words(value, money=str(key) in MONEY_FIELDS)}"
        for key, value in values.items()
    )


def event_words(action: str, object_repr: str) -> str:
    """The change and its object in one phrase: "Signed off period 7 of 2019/20"."""
    verb = action_words(action)
    return f"{verb} {object_repr}" if verb in ("Signed off", "Submitted", "Locked", "Unlocked") else verb
