from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from core.forms import choices_form, label_as_heading
from core.importing import SourceFile, importers
from forecasting.engine.money import pence_to_pounds
from forecasting.models import BudgetLine, PlacementType, ServiceArea
from forecasting.parsing import MAX_CHILDREN, field_length, parse_decimal, parse_int, parse_money


class MoneyField(forms.CharField):
    """Pounds as typed (£1,234.56) -> integer pence."""

    error_lead = "Enter an amount in pounds: "

    def __init__(self, **kwargs: Any) -> None:
        # A text box as wide as an amount (a number keypad would have no minus sign for income).
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "govuk-input--width-10"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in ("", None):
            return None
        try:
            return parse_money(text)
        except ValueError as error:
            raise forms.ValidationError(f"{self.error_lead}{error}") from None


class WholeNumberField(forms.CharField):
    """A whole number typed as the files write it (forecasting.parsing.parse_int: no '+', no
    exponent), from `low` to `high`. A text box with a numeric keypad, as the GOV.UK Design
    System advises, rather than a number input."""

    def __init__(self, *, low: int, high: int, what: str = "a whole number", **kwargs: Any) -> None:
        self.low, self.high, self.what = low, high, what
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in ("", None):
            return None
        try:
            return parse_int(text, low=self.low, high=self.high, what=self.what)
        except ValueError as error:
            raise forms.ValidationError(f"Enter {self.what} from {self.low:,} to {self.high:,}: {error}") from None


class NumberField(forms.CharField):
    """A number typed as the files write it (forecasting.parsing.parse_decimal), from `low` to
    `high` with at most `places` decimal places."""

    def __init__(self, *, low: Decimal, high: Decimal, places: int = 2, what: str = "a number", **kwargs: Any) -> None:
        self.low, self.high, self.places, self.what = low, high, places, what
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in ("", None):
            return None
        try:
            return parse_decimal(
                text.strip().removesuffix("%"), low=self.low, high=self.high, places=self.places, what=self.what
            )
        except ValueError as error:
            raise forms.ValidationError(f"Enter {self.what} from {self.low:,} to {self.high:,}: {error}") from None


class BudgetLineForm(forms.Form):
    code = forms.CharField(max_length=field_length(BudgetLine, "code"), label="Line code")
    name = forms.CharField(max_length=field_length(BudgetLine, "name"), label="Line name")
    service_area = forms.CharField(max_length=field_length(ServiceArea, "name"))
    category = forms.ChoiceField(choices=BudgetLine.Category.choices)
    placement_type = forms.ModelChoiceField(queryset=PlacementType.objects.all(), required=False)
    team_code = forms.CharField(max_length=field_length(BudgetLine, "team_code"), required=False, label="Team code")
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
    budget_numbers = NumberField(
        low=Decimal(0),
        high=Decimal(MAX_CHILDREN),
        what="a number of children",
        required=False,
        label="Budgeted average number of children",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Reason for the change")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or several files chosen at once (an SSDA903 return's header, episodes and UASC files)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        chosen = data if isinstance(data, list | tuple) else [data]
        if not chosen and self.required:  # nothing chosen: each-file cleaning below would see no file
            raise forms.ValidationError("Choose a file to upload", code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in chosen]


def too_large(files: list[UploadedFile[bytes]], *, limit: int, name_each: bool = False) -> list[str]:
    """A message for every file over the largest size accepted (naming it, when asked or when
    several files were chosen)."""
    problems = []
    for upload in files:
        size = upload.size or 0
        if size > limit:
            name = upload.name if name_each or len(files) > 1 else "The file"
            problems.append(f"{name} is {size / 1048576:.1f} MB; the largest file accepted is {limit / 1048576:.0f} MB")
    return problems


def source_files(files: list[UploadedFile[bytes]]) -> list[SourceFile]:
    """The uploaded files as the import pipeline takes them, in the order chosen."""
    return [SourceFile(upload.name or f"file {n}", upload.read()) for n, upload in enumerate(files, start=1)]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds")
    file = MultipleFileField(
        label="File",
        help_text="Choose every file at once for a kind read together, such as an SSDA903 return's header, "
        "episodes and UASC files.",
        widget=MultipleFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    year = forms.CharField(
        required=False,
        label="Financial year (for budget and actuals files)",
        help_text="For example, 2019/20. Leave blank if the file has a financial_year column.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    as_at = forms.DateField(
        required=False,
        label="As-at date (workforce files)",
        help_text="For example, 2019-07-31",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, importer.title) for kind, importer in importers().items()]  # type: ignore[attr-defined]

    def clean_file(self) -> list[UploadedFile[bytes]]:
        files: list[UploadedFile[bytes]] = self.cleaned_data["file"]
        problems = too_large(files, limit=settings.OUTTURN_MAX_UPLOAD_BYTES)
        if problems:
            raise forms.ValidationError(problems)
        return files

    def import_options(self) -> dict[str, Any]:
        as_at = self.cleaned_data["as_at"]
        return {"year": self.cleaned_data["year"] or None, "as_at": as_at.isoformat() if as_at else None}


class PeriodChangeForm(forms.Form):
    """Submitting, locking, unlocking or sending back a period: the reason, where the change asks
    for one (its label is the page's question). Whether the change may happen, and whether the
    reason will do, is the service's to say; the view adds its answer as the form's error."""

    def __init__(self, *args: Any, reason_label: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")  # the box is `reason`, as it always was
        super().__init__(*args, **kwargs)
        if reason_label:
            self.fields["reason"] = label_as_heading(
                forms.CharField(
                    label=reason_label,
                    required=False,
                    strip=False,
                    help_text="Recorded in the audit log.",
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
            )

    def refuse(self, words: str) -> None:
        """The service's refusal, against the reason when there is one to correct."""
        self.add_error("reason" if "reason" in self.fields else None, words)


class ActualAmountField(MoneyField):
    """One budget line's actual for the period, in pounds as typed; blank clears it (not nil)."""

    error_lead = ""  # the grid's summary names the line; the parser's words say what is wrong

    def __init__(self, **kwargs: Any) -> None:
        # Text, not a number keypad: income is negative and a keypad may have no minus sign.
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "class": "ot-amount-input"}))
        super().__init__(required=False, **kwargs)


class ActualsForm(forms.Form):
    """The actuals grid: one box per budget line, `line-<id>`, labelled with the line's code and
    name, holding what is stored (or what was typed, when the page comes back with an error)."""

    def __init__(self, *args: Any, rows: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        for row in rows:
            name = self.line_field(row.line.pk)
            self.fields[name] = ActualAmountField(label=f"{row.line.code} {row.line.name}")
            # Put back as typed: 1234.56, no £ or commas.
            self.initial[name] = "" if row.actual is None else f"{pence_to_pounds(row.actual)}"

    @staticmethod
    def line_field(line_id: int) -> str:
        return f"line-{line_id}"

    def amounts(self) -> dict[int, int | None]:
        """Pence by budget line id (None: left blank) once valid."""
        return {int(name.removeprefix("line-")): value for name, value in self.cleaned_data.items()}


def year_picker(years: Any, year: Any) -> forms.Form:
    """The financial year chooser at the top of the periods, lines and runs pages."""
    choices = [(y.label, y.label) for y in years]
    field = forms.ChoiceField(label="Financial year", choices=choices)
    return choices_form({"year": field}, {"year": year.label if year else None}, auto_id="%s-picker")
