"""The forms of the period dashboard's pages whose fields come from the forecast: commentary (one
box per service) and sign-off (one box per thing that needs a look)."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.utils.html import format_html

import wording
from core.forms import choices_form, label_as_heading
from forecasting.engine.scenarios import REPORTED_SCENARIO

# Commentary and a sign-off comment are read by a committee: long enough, not without end.
LONGEST = 5000


class CommentaryForm(forms.Form):
    """One box per service of the reported scenario, `commentary-<n>` in the forecast's order,
    labelled with the service and its figures; text carried forward from an earlier period is
    marked under its hint."""

    def __init__(self, *args: Any, rows: list[dict[str, Any]], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        for row in rows:
            variance = f"variance {row['variance_words']}" if row["variance"] else "no variance"
            field = label_as_heading(
                forms.CharField(
                    label=row["name"],
                    required=False,
                    strip=False,
                    help_text=(
                        f"Forecast outturn {wording.money(row['outturn'])}, budget {wording.money(row['budget'])}, "
                        f"{variance}."
                    ),
                    # Longer text is cut by the service, as it always was: the browser stops it first.
                    widget=forms.Textarea(attrs={"rows": 4, "maxlength": LONGEST}),
                )
            )
            if row["carried_from"]:
                field.note = format_html(  # type: ignore[attr-defined]
                    "<strong>Carried forward from {} — edit before you submit.</strong> "
                    "It is saved for this period only once you change it.",
                    row["carried_from"],
                )
            name = f"commentary-{row['index']}"
            self.fields[name] = field
            self.initial[name] = row["text"]

    @staticmethod
    def texts_of(data: Any, names: list[str]) -> dict[str, str]:
        """Each service's text as sent, by the service's name (`names` in the form's order). Every
        text is taken (the service cuts what is too long), so the form never comes back with an error."""
        return {name: data.get(f"commentary-{index}", "") for index, name in enumerate(names)}


class SignOffForm(forms.Form):
    """Signing off a run: the run (hidden), a box for each thing that needs a look, the comment
    and, where the council's benchmarks are loaded, whether to include them. Whether it may be
    signed off is the service's to say; the view adds its answer to the field it is about."""

    run = forms.IntegerField(widget=forms.HiddenInput)
    comment = label_as_heading(
        forms.CharField(
            label="Sign-off comment",
            required=False,
            strip=False,
            help_text="What you are confirming and any reservations. It is shown on the committee's cover page.",
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": LONGEST}),
        )
    )

    def __init__(self, *args: Any, run_id: int, items: list[Any], benchmarks: bool, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.initial["run"] = run_id
        self.words = {item.key: item.words for item in items}
        if items:
            choices = [
                (
                    item.key,
                    format_html(
                        '<span class="ot-check-words">{}</span> <strong>I have looked at this.</strong>', item.words
                    ),
                )
                for item in items
            ]
            self.fields["acknowledged"] = label_as_heading(
                forms.MultipleChoiceField(
                    label="What needs a look before you sign off",
                    required=False,
                    choices=choices,
                    help_text=(
                        "Tick each one to confirm you have looked at it. "
                        "What you confirm is recorded with the published period."
                    ),
                    widget=forms.CheckboxSelectMultiple,
                    error_messages={
                        "invalid_choice": "What needs a look has changed since the page was drawn: look at it again"
                    },
                )
            )
            self.order_fields(["run", "acknowledged", "comment"])
        if benchmarks:
            self.fields["include_benchmarks"] = forms.BooleanField(
                label="Include how we compare with our statistical neighbours, region and England",
                required=False,
                help_text="DfE's latest published statistics are added to the published report and its PDF, "
                "and frozen with it.",
                widget=forms.CheckboxInput(attrs={"value": "yes"}),
            )

    def ticked(self) -> set[str]:
        """The keys of the boxes ticked, as sent (the service checks them against what needs a look)."""
        return set(self.data.getlist("acknowledged")) if hasattr(self.data, "getlist") else set()

    def not_looked_at(self, items: list[Any]) -> None:
        """The service's refusal for things not acknowledged: one error for each, on its boxes."""
        field = "acknowledged" if "acknowledged" in self.fields else None  # none offered when the page was drawn
        for item in items:
            self.add_error(field, f"Confirm that you have looked at this: {item.words}")


def _scenario_words(name: str) -> str:
    """Best, Middle (reported), Worst: as the pages name a scenario."""
    return f"{name[:1].upper()}{name[1:]}{' (reported)' if name == REPORTED_SCENARIO else ''}"


def period_selectors(context: dict[str, Any]) -> forms.Form:
    """The period dashboard's year, period and scenario, from what its page shows."""
    run = context.get("run")
    scenarios = context.get("scenarios") or [REPORTED_SCENARIO]
    fields: dict[str, forms.Field] = {
        "year": forms.ChoiceField(label="Financial year", choices=[(y.label, y.label) for y in context["years"]]),
        "period": forms.ChoiceField(
            label="Period", choices=[(str(p), f"Period {p}") for p in context.get("periods") or []]
        ),
        "scenario": forms.ChoiceField(label="Scenario", choices=[(name, _scenario_words(name)) for name in scenarios]),
    }
    year = context.get("year")
    values = {
        "year": year.label if year else None,
        "period": str(run.period) if run else None,
        "scenario": context.get("scenario"),
    }
    form = choices_form(fields, values)
    # The same choices and values draw the same markup: the page keeps it under this digest.
    drawn = [[(name, field.label, list(field.choices), values[name]) for name, field in fields.items()]]  # type: ignore[attr-defined]
    form.drawn_key = hashlib.blake2b(repr(drawn).encode(), digest_size=16).hexdigest()  # type: ignore[attr-defined]
    return form


class LaNumberForm(forms.Form):
    """The council's DfE LA number: a whole number here; the service checks the rest."""

    NOT_A_NUMBER = "Enter the council's DfE LA number, a whole number such as 886."

    la_number = forms.CharField(
        label="DfE LA number",
        help_text="A whole number from 1 to 999, as in DfE's published statistics.",
        error_messages={"required": NOT_A_NUMBER},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.fields["la_number"].label_size = "s"  # type: ignore[attr-defined]

    def clean_la_number(self) -> int:
        try:
            return int(self.cleaned_data["la_number"])
        except ValueError:
            raise forms.ValidationError(self.NOT_A_NUMBER) from None
