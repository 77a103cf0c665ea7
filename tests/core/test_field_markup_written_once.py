"""Field markup is written once, in templates/govuk/forms/: every other template draws its boxes
through the renderer ({{ form }}, {{ field.as_field_group }}, cell.html, {% checkbox_group %}),
so no page can drift from the GOV.UK way or forget an error's aria-describedby."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "templates"
RENDERER = ROOT / "govuk"

# The classes only a field, its label or its error carries.
FIELD_CLASSES = re.compile(
    r"\b(govuk-input|govuk-select|govuk-textarea|govuk-file-upload|govuk-checkboxes__input|govuk-radios__input"
    r"|govuk-label|govuk-form-group|govuk-error-message)\b"
)
# A control, or a group of them, that says what describes it (a chart may be described by its table).
CONTROL_DESCRIBED = re.compile(r"<(input|select|textarea|fieldset)\b[^>]*\baria-describedby=", re.S)
# A box written as a tag: anything but a hidden input (the renderer's own or a form's bookkeeping).
CONTROL = re.compile(r"<(select|textarea|label)\b|<input\b(?![^>]*(type=\"hidden\"|\shidden[\s>]))", re.S)


def _hand_written(text: str) -> list[str]:
    found = [f"class {m.group(1)}" for m in FIELD_CLASSES.finditer(text)]
    found += [f"aria-describedby on <{m.group(1)}>" for m in CONTROL_DESCRIBED.finditer(text)]
    found += [f"a <{m.group(0).strip('<')}> tag" for m in CONTROL.finditer(text)]
    return found


def test_no_template_outside_the_renderer_writes_field_markup() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in sorted(ROOT.rglob("*.html"))
        if RENDERER not in path.parents
        for what in _hand_written(path.read_text())
    ]
    assert found == [], "\n".join(found)


def test_the_check_finds_each_kind_of_hand_written_field() -> None:
    # Each of these is a box, label or error written by hand; the check must see every one.
    written = [
        '<input class="govuk-input" id="a" name="a">',
        '<select class="govuk-select" id="b" name="b"></select>',
        '<textarea class="govuk-textarea" id="c" name="c"></textarea>',
        '<input class="govuk-checkboxes__input" type="checkbox" id="d" name="d">',
        '<input class="govuk-radios__input" type="radio" id="e" name="e">',
        '<label class="govuk-label" for="f">F</label>',
        '<div class="govuk-form-group govuk-form-group--error">',
        '<p class="govuk-error-message" id="g-error">G</p>',
        '<input id="h" name="h" aria-describedby="h-hint">',
        '<fieldset class="x" aria-describedby="i-hint">',
        "<select name='j'></select>",
    ]
    assert all(_hand_written(text) for text in written), [text for text in written if not _hand_written(text)]
    # What is not a field: a hidden input, a chart described by its table, a link to a task.
    assert _hand_written('<input type="hidden" name="run" value="1">') == []
    assert _hand_written('<input type="text" name="username" autocomplete="username" hidden>') == []
    assert _hand_written('<div class="ot-chart" role="img" aria-describedby="chart-1-summary"></div>') == []
    assert _hand_written('<a class="govuk-link" href="/" aria-describedby="step-1-hint">') == []
