"""One way of rendering every form field, the GOV.UK Design System's.

`FORM_RENDERER` points at `GovukFormRenderer`, so `{{ form }}` and `{{ field.as_field_group }}`
render through templates/govuk/forms/: a label (or a fieldset and legend for radios and
checkboxes), the hint with the id `<id>-hint`, the error message with the id `<id>-error`, and
the widget with its GOV.UK class, its error modifier and an `aria-describedby` naming exactly the
hint and error that are on the page. Forms say nothing about markup; a field that wants a
different width gives its widget a `govuk-input--width-N` class, and one whose label is the
page's heading (or a section's) says so with `label_as_heading`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.functional import LazyObject

# The GOV.UK component of each kind of widget: its class and, where it has one, its error modifier.
_CLASSES = {
    "input": ("govuk-input", "govuk-input--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
    "checkboxes": ("govuk-checkboxes__input", ""),
    "radios": ("govuk-radios__input", ""),
    "hidden": ("", ""),
}


def widget_kind(widget: forms.Widget) -> str:
    """Which GOV.UK component draws this widget."""
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


def _default_width(field: forms.Field, widget: forms.Widget) -> str:
    """A width that fits the answer, as the Design System asks, unless the form chose one."""
    if isinstance(field, forms.DateField) or widget.attrs.get("inputmode") in ("numeric", "decimal"):
        return "govuk-input--width-10"
    longest = getattr(field, "max_length", None)
    if longest is not None and longest <= 10:
        return "govuk-input--width-10"
    if longest is not None and longest <= 20:
        return "govuk-input--width-20"
    return ""


def label_as_heading(field: forms.Field, *, tag: str = "h2", size: str = "m") -> forms.Field:
    """Draw the field's label (a fieldset's legend) as a heading of the page: `tag` h1 for a page
    that asks one question, h2 for a section, at the GOV.UK `size` (s, m, l, xl)."""
    field.label_heading = tag  # type: ignore[attr-defined]
    field.label_size = size  # type: ignore[attr-defined]
    return field


class GovukBoundField(BoundField):
    """A field that knows its GOV.UK component and the ids of its hint and error message."""

    @property
    def govuk_kind(self) -> str:
        return widget_kind(self.field.widget)

    @property
    def label_heading(self) -> str:
        """The heading (h1, h2) the label or legend sits in, if the form made it one."""
        return str(getattr(self.field, "label_heading", ""))

    @property
    def label_size(self) -> str:
        return str(getattr(self.field, "label_size", ""))

    @property
    def note(self) -> str:
        """Words a form puts under the hint for this one field (say, that its text was carried
        forward), drawn as inset text and read with the field."""
        return str(getattr(self.field, "note", ""))

    @property
    def note_id(self) -> str:
        return f"{self.auto_id}-note" if self.auto_id and self.note and not self.is_hidden else ""

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}-hint" if self.auto_id and self.help_text and not self.is_hidden else ""

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}-error" if self.auto_id and self.errors and not self.is_hidden else ""

    @property
    def aria_describedby(self) -> str:
        # Exactly the hint and error rendered beside the field (Django's own would name
        # `<id>_helptext`, which nothing on the page carries).
        own = self.field.widget.attrs.get("aria-describedby", "")
        return " ".join(part for part in (own, self.hint_id, self.note_id, self.error_id) if part)

    @property
    def anchor(self) -> str:
        """The id the error summary links to: the input itself, or the first of a group's."""
        if self.use_fieldset and self.auto_id:
            return f"{self.auto_id}_0"
        return self.id_for_label or self.auto_id or ""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        widget = widget or self.field.widget
        built: dict[str, Any] = super().build_widget_attrs(attrs, widget)
        kind = widget_kind(widget)
        base, error_modifier = _CLASSES[kind]
        if not base:
            return built
        chosen = str(built.get("class") or widget.attrs.get("class") or "").split()
        classes = [base, *(name for name in chosen if name != base)]
        if kind == "input" and not any(name.startswith(("govuk-input--width", "govuk-!-width")) for name in chosen):
            classes.append(_default_width(self.field, widget))
        if self.errors and error_modifier:
            classes.append(error_modifier)
        built["class"] = " ".join(name for name in classes if name)
        return built


class GovukFormRenderer(TemplatesSetting):
    """Templates come from the project's TEMPLATES, so templates/govuk/forms/ is found."""

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
    bound_field_class = GovukBoundField


def error_items(*forms_: forms.BaseForm | None) -> list[tuple[str, str]]:
    """(link target, words) for every error of the given forms, in the order of the page: the
    form-wide errors first (linked to the first field), then each field's."""
    items: list[tuple[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound or not form.errors:
            continue
        bound = [form[name] for name in form.fields]
        visible = [field for field in bound if not field.is_hidden]
        first = getattr(visible[0], "anchor", visible[0].id_for_label) if visible else ""
        items.extend((first, str(error)) for error in form.non_field_errors())
        # A hidden field's error is the page's, not something typed: it goes with the form's own.
        items.extend((first, f"{field.label}: {error}") for field in bound if field.is_hidden for error in field.errors)
        for field in visible:
            target = getattr(field, "anchor", field.id_for_label)
            items.extend((target, f"{field.label}: {error}") for error in field.errors)
    return items


def has_errors(value: Any) -> bool:
    """A bound form (or a list of them) with errors."""
    if issubclass(type(value), LazyObject):
        return False  # read only when shown (`isinstance` would read it); never a form
    if isinstance(value, forms.BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, forms.BaseFormSet):
        return value.is_bound and not value.is_valid()
    if isinstance(value, list | tuple):
        return any(isinstance(item, forms.BaseForm | forms.BaseFormSet) and has_errors(item) for item in value)
    return False


def choices_form(fields: dict[str, forms.Field], values: dict[str, Any], *, auto_id: str = "%s") -> forms.Form:
    """An unbound form of the given fields showing `values`: the filters at the top of a list (a
    GET form, never with errors) and other small forms whose boxes a view builds from its data.
    `auto_id` keeps the ids a page's links and scripts already use."""
    form = forms.Form(initial=values, auto_id=auto_id)
    form.fields.update(fields)
    return form


def choice_filter(label: str, choices: Any, *, everything: str | None = "All") -> forms.ChoiceField:
    """A select for a list's filter: `everything` (a blank value) first, then (value, words)."""
    options = [("", everything)] if everything is not None else []
    return forms.ChoiceField(label=label, required=False, choices=[*options, *choices])


def audit_filters(actions: list[str], *, action: str, actor: str) -> forms.Form:
    """The audit log's kind of change (in words) and who made it."""
    from accounts.audit import action_words

    fields: dict[str, forms.Field] = {
        "action": choice_filter("Kind of change", [(name, action_words(name)) for name in actions]),
        "actor": forms.CharField(
            label="Who (username)", widget=forms.TextInput(attrs={"class": "govuk-input--width-20"})
        ),
    }
    return choices_form(fields, {"action": action, "actor": actor})
