"""The add-a-user form: what an administrator types, checked for shape; the service checks the rest."""

from __future__ import annotations

from django import forms

from accounts.models import Role


class AddUserForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter their first name"}
    )
    last_name = forms.CharField(label="Last name", max_length=150, error_messages={"required": "Enter their last name"})
    email = forms.EmailField(
        label="Email address",
        help_text="Their work email. The link to choose a password is sent here.",
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
        error_messages={"invalid": "A username can have only letters, numbers and . @ + - _"},
    )
