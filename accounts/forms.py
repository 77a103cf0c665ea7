"""The add-a-user form: what an administrator types, checked for shape; the service checks the rest.
The sign-in and choose-a-password forms are Django's, with the words and widths of our pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm

from accounts.models import Role

# Names are not words to correct or to remember between people.
_NAME = {"autocomplete": "off", "spellcheck": "false"}


class AddUserForm(forms.Form):
    first_name = forms.CharField(
        label="First name",
        max_length=150,
        error_messages={"required": "Enter their first name"},
        widget=forms.TextInput(attrs={**_NAME, "class": "govuk-!-width-two-thirds"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        error_messages={"required": "Enter their last name"},
        widget=forms.TextInput(attrs={**_NAME, "class": "govuk-!-width-two-thirds"}),
    )
    email = forms.EmailField(
        label="Email address",
        help_text="Their work email. The link to choose a password is sent here.",
        widget=forms.EmailInput(attrs=_NAME),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Choose a role"), *Role.choices],
        error_messages={"required": "Choose a role", "invalid_choice": "Choose a role"},
    )
    username = forms.RegexField(
        label="Username (optional)",
        required=False,
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text="What they type to sign in. Leave blank to use the first part of their email address.",
        widget=forms.TextInput(attrs={**_NAME, "class": "govuk-input--width-20"}),
        error_messages={"invalid": "A username can have only letters, numbers and . @ + - _"},
    )


class SignInForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The page's heading is read first; a box that takes focus on load would skip it.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].widget.attrs["spellcheck"] = "false"


class ChoosePasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The page says what makes a good password, in a sentence rather than the validators' list.
        for name, label in (("new_password1", "New password"), ("new_password2", "New password again")):
            field = self.fields[name]
            field.label, field.help_text = label, ""
            field.widget.attrs["class"] = "govuk-!-width-two-thirds"
