"""Issue 14, point 4: every kind of widget renders the GOV.UK way through the one renderer, with
its hint and error named by aria-describedby, its error class, its wrappers, a summary linking to
it and "Error: " before the page title."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils.datastructures import MultiValueDict

from tests.core.form_markup import Page, problems, read

PAGE = Template(
    "{% load govuk_forms %}<html><head><title>{% error_title_prefix %}A page</title></head><body>"
    "{% error_summary form %}<form method='post' novalidate>{{ form }}</form></body></html>"
)
CHOICES = [("a", "Apples"), ("b", "Pears")]


def _render(form: forms.Form) -> tuple[str, Page]:
    html = PAGE.render(Context({"form": form}))
    return html, read(html)


def _one(page: Page, element_id: str) -> Any:
    found = page.by_id().get(element_id)
    assert found is not None, f"no element #{element_id}"
    return found


def _check_described(page: Page, control_id: str, *, hint: bool) -> None:
    """The control names exactly the hint (when there is one) and the error, and both exist."""
    control = _one(page, control_id)
    expected = ([f"{control_id}-hint"] if hint else []) + [f"{control_id}-error"]
    assert control.attrs.get("aria-describedby", "").split() == expected
    assert "govuk-hint" in _one(page, f"{control_id}-hint").classes if hint else True
    error = _one(page, f"{control_id}-error")
    assert "govuk-error-message" in error.classes and error.text.strip().startswith("Error:")


def _group_of(page: Page, control_id: str) -> None:
    groups = [e for e in page.with_class("govuk-form-group") if "govuk-form-group--error" in e.classes]
    assert groups, "the field's form group is not marked as in error"


def _summary_links(page: Page) -> list[str]:
    return [e.attrs["href"] for e in page.elements if e.tag == "a" and e.attrs.get("href", "").startswith("#")]


def test_a_text_input_has_its_class_width_error_class_hint_and_error() -> None:
    class F(forms.Form):
        code = forms.CharField(max_length=8, label="Line code", help_text="For example, LEG-EXT")

    html, page = _render(F(data={"code": ""}))
    control = _one(page, "id_code")
    assert {"govuk-input", "govuk-input--width-10", "govuk-input--error"} <= control.classes
    _check_described(page, "id_code", hint=True)
    _group_of(page, "id_code")
    assert _one(page, "id_code").attrs["type"] == "text"
    assert [e for e in page.elements if e.tag == "label" and e.attrs.get("for") == "id_code"][0].text == "Line code"
    assert _summary_links(page) == ["#id_code"]
    assert page.title.startswith("Error: ")
    assert problems(html) == []


def test_a_number_email_password_and_date_input_are_inputs_of_their_type() -> None:
    class F(forms.Form):
        fte = forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}))
        email = forms.EmailField()
        password = forms.CharField(widget=forms.PasswordInput)
        start = forms.DateField(input_formats=["%d/%m/%Y"], help_text="For example, 31/07/2019")

    html, page = _render(F(data={"fte": "", "email": "not an address", "password": "", "start": "31/02/2019"}))
    assert {"govuk-input", "govuk-input--width-10", "govuk-input--error"} <= _one(page, "id_fte").classes
    assert _one(page, "id_fte").attrs["inputmode"] == "decimal"
    assert _one(page, "id_email").attrs["type"] == "email" and "govuk-input--error" in _one(page, "id_email").classes
    assert _one(page, "id_password").attrs["type"] == "password"
    assert {"govuk-input", "govuk-input--width-10", "govuk-input--error"} <= _one(page, "id_start").classes
    for name in ("fte", "email", "password"):
        _check_described(page, f"id_{name}", hint=False)
    _check_described(page, "id_start", hint=True)
    assert _summary_links(page) == ["#id_fte", "#id_email", "#id_password", "#id_start"]
    assert problems(html) == []


def test_a_width_the_form_chooses_is_kept_and_no_default_is_added() -> None:
    class F(forms.Form):
        year = forms.CharField(max_length=7, widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}))

    _, page = _render(F())
    assert _one(page, "id_year").classes == {"govuk-input", "govuk-input--width-5"}
    assert "aria-describedby" not in _one(page, "id_year").attrs  # nothing to describe it yet


def test_a_textarea_and_a_select() -> None:
    class F(forms.Form):
        reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="Recorded in the audit log")
        fruit = forms.ChoiceField(choices=CHOICES)

    html, page = _render(F(data={"reason": "", "fruit": "plums"}))
    assert _one(page, "id_reason").tag == "textarea"
    assert {"govuk-textarea", "govuk-textarea--error"} <= _one(page, "id_reason").classes
    assert _one(page, "id_fruit").tag == "select"
    assert {"govuk-select", "govuk-select--error"} <= _one(page, "id_fruit").classes
    _check_described(page, "id_reason", hint=True)
    _check_described(page, "id_fruit", hint=False)
    assert problems(html) == []


def test_a_single_checkbox_is_in_the_govuk_checkboxes_wrappers() -> None:
    class F(forms.Form):
        agree = forms.BooleanField(label="Hard to recruit to", help_text="Counts towards the KPI")

    html, page = _render(F(data={}))
    box = _one(page, "id_agree")
    assert box.attrs["type"] == "checkbox" and box.classes == {"govuk-checkboxes__input"}
    items = page.with_class("govuk-checkboxes__item")
    assert len(items) == 1 and page.with_class("govuk-checkboxes")
    label = [e for e in page.elements if e.tag == "label" and e.attrs.get("for") == "id_agree"][0]
    assert {"govuk-label", "govuk-checkboxes__label"} <= label.classes
    assert "govuk-checkboxes__hint" in _one(page, "id_agree-hint").classes
    _check_described(page, "id_agree", hint=True)
    # The box sits inside its item, after which comes its label: the order the styles need.
    order = [e.attrs.get("id") or e.tag for e in page.elements]
    assert order.index("id_agree") < order.index("id_agree-hint")
    assert problems(html) == []


def test_checkboxes_and_radios_are_a_fieldset_with_a_legend_described_by_hint_and_error() -> None:
    class F(forms.Form):
        many = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple, help_text="Any")
        one = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)

    html, page = _render(F(data={"many": ["plums"]}))
    fieldsets = [e for e in page.elements if e.tag == "fieldset"]
    assert [f.attrs["aria-describedby"] for f in fieldsets] == ["id_many-hint id_many-error", "id_one-error"]
    assert all("govuk-fieldset" in f.classes for f in fieldsets)
    legends = [e.text.strip() for e in page.elements if e.tag == "legend"]
    assert legends == ["Many", "One"]
    for name, kind in (("many", "checkboxes"), ("one", "radios")):
        for n, words in enumerate(("Apples", "Pears")):
            option = _one(page, f"id_{name}_{n}")
            assert option.classes == {f"govuk-{kind}__input"}
            label = [e for e in page.elements if e.tag == "label" and e.attrs.get("for") == f"id_{name}_{n}"][0]
            assert label.text == words and f"govuk-{kind}__label" in label.classes
            # The fieldset carries the description; each option does not repeat it.
            assert "aria-describedby" not in option.attrs
        assert len([e for e in page.with_class(f"govuk-{kind}__item")]) == 2
    assert _summary_links(page) == ["#id_many_0", "#id_one_0"]
    assert problems(html) == []


def test_a_file_upload() -> None:
    class F(forms.Form):
        file = forms.FileField(help_text="CSV or XLSX")

        def clean_file(self) -> Any:
            raise forms.ValidationError("The file is empty")

    upload = SimpleUploadedFile("budget.csv", b"x")
    html, page = _render(F(data={}, files=MultiValueDict({"file": [upload]})))
    control = _one(page, "id_file")
    assert control.attrs["type"] == "file"
    assert control.classes == {"govuk-file-upload", "govuk-file-upload--error"}
    _check_described(page, "id_file", hint=True)
    assert "The file is empty" in _one(page, "id_file-error").text
    assert problems(html) == []


def test_a_hidden_field_is_only_its_input_and_its_error_is_in_the_summary() -> None:
    class F(forms.Form):
        run = forms.IntegerField(widget=forms.HiddenInput)
        name = forms.CharField()

    html, page = _render(F(data={"run": "x", "name": "Fran"}))
    run = _one(page, "id_run")
    assert run.attrs["type"] == "hidden" and "class" not in run.attrs and "aria-describedby" not in run.attrs
    assert not [e for e in page.elements if e.tag == "label" and e.attrs.get("for") == "id_run"]
    summary = page.with_class("govuk-error-summary__list")[0].text
    assert "Run: Enter a whole number." in summary
    assert _summary_links(page) == ["#id_name"]  # the hidden field's error leads to the first box
    assert problems(html) == []


def test_a_form_wide_error_is_in_the_summary_linked_to_the_first_field() -> None:
    class F(forms.Form):
        start = forms.CharField()
        end = forms.CharField()

        def clean(self) -> dict[str, Any]:
            raise forms.ValidationError("The end is before the start")

    html, page = _render(F(data={"start": "b", "end": "a"}))
    assert page.with_class("govuk-error-summary__list")[0].text.strip() == "The end is before the start"
    assert _summary_links(page) == ["#id_start"] and page.title.startswith("Error: ")
    assert problems(html) == []


def test_no_error_no_summary_no_prefix_and_no_error_classes() -> None:
    class F(forms.Form):
        code = forms.CharField(help_text="For example, LEG-EXT")

    for form in (F(), F(data={"code": "LEG"})):
        html, page = _render(form)
        assert not page.with_class("govuk-error-summary") and not page.title.startswith("Error")
        assert not [e for e in page.elements if any(c.endswith("--error") for c in e.classes)]
        assert _one(page, "id_code").attrs["aria-describedby"] == "id_code-hint"
        assert problems(html) == []


def test_several_errors_on_one_field_share_one_message_id() -> None:
    class F(forms.Form):
        file = forms.CharField()

        def clean_file(self) -> Any:
            raise forms.ValidationError(["a.csv is too large", "b.csv is too large"])

    html, page = _render(F(data={"file": "x"}))
    assert [e.attrs["id"] for e in page.with_class("govuk-error-message")] == ["id_file-error"]
    assert _summary_links(page) == ["#id_file", "#id_file"]
    assert problems(html) == []


def test_the_checker_itself_finds_what_is_wrong() -> None:
    """The reading the page tests rely on catches each fault it looks for."""
    bad = (
        "<html><head><title>Page</title></head><body><div class='govuk-error-summary'>"
        "<a href='#nowhere'>x</a><a href='#a'>y</a></div>"
        "<input id='a' name='a' aria-describedby='a-hint'><input id='a' name='b'>"
        "<fieldset aria-describedby='gone'></fieldset><p class='govuk-error-message'>z</p></body></html>"
    )
    found = " | ".join(problems(bad))
    for words in ("used twice", "no accessible name", "'a-hint', which is not", "'gone'", "#nowhere", "'Error: '"):
        assert words in found, words


def test_a_label_or_legend_made_a_heading_and_a_note_read_with_the_field() -> None:
    from django.utils.html import format_html

    from core.forms import label_as_heading

    class F(forms.Form):
        code = label_as_heading(forms.CharField(label="Enter the code", help_text="Six digits"), tag="h1", size="l")
        text = forms.CharField(label="Legal", widget=forms.Textarea, help_text="Outturn £288,000")
        many = label_as_heading(
            forms.MultipleChoiceField(label="What needs a look", choices=CHOICES, widget=forms.CheckboxSelectMultiple)
        )

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.fields["text"].note = format_html("<strong>Carried forward from {}</strong>", "period 3")  # type: ignore[attr-defined]

    html, page = _render(F(data={"code": "", "text": "", "many": []}))
    # The label sits in an h1 wrapper at size l; the legend holds an h2 at size m (the defaults).
    wrapper = [e for e in page.elements if e.tag == "h1" and "govuk-label-wrapper" in e.classes]
    assert wrapper and wrapper[0].text == "Enter the code"
    label = [e for e in page.elements if e.tag == "label" and e.attrs.get("for") == "id_code"][0]
    assert {"govuk-label", "govuk-label--l"} <= label.classes
    legend = page.with_class("govuk-fieldset__legend")[0]
    assert "govuk-fieldset__legend--m" in legend.classes
    assert [e.text for e in page.elements if e.tag == "h2" and "govuk-fieldset__heading" in e.classes] == [
        "What needs a look"
    ]
    # The note is inset text with its own id, named between the hint and the error (the textarea is
    # required and sent blank, so it has one).
    note = _one(page, "id_text-note")
    assert "govuk-inset-text" in note.classes and note.text == "Carried forward from period 3"
    assert _one(page, "id_text").attrs["aria-describedby"].split() == ["id_text-hint", "id_text-note", "id_text-error"]
    assert problems(html) == []


def test_the_summary_heading_can_say_more_and_several_yes_no_fields_share_a_legend() -> None:
    class F(forms.Form):
        amount = forms.CharField(label="Legal")
        high_cost = forms.BooleanField(label="High cost", required=False)
        ending = forms.BooleanField(label="Ending soon", required=False)

    form = F(data={"amount": ""})
    html = Template(
        "{% load govuk_forms %}{% error_summary form title='There is a problem – nothing was saved' %}"
        "{% checkbox_group 'Show only' form.high_cost form.ending small=True %}"
    ).render(Context({"form": form}))
    page = read(html)
    assert page.with_class("govuk-error-summary__title")[0].text == "There is a problem – nothing was saved"
    assert [e.text for e in page.elements if e.tag == "legend"] == ["Show only"]
    assert "govuk-checkboxes--small" in page.with_class("govuk-checkboxes")[0].classes
    assert [e.attrs["id"] for e in page.with_class("govuk-checkboxes__input")] == ["id_high_cost", "id_ending"]
