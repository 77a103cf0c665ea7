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


class CodeForm(forms.Form):
    """The second step's one box: a code from the authenticator app (or, signing in, a recovery
    code). Whether it is right is the service's to say; the view adds its answer to `code`."""

    code = forms.CharField(
        label="Code from the app",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "class": "govuk-input--width-10"}
        ),
    )

    def __init__(self, *args: Any, empty: str, asking: bool = False, **kwargs: Any) -> None:
        # The ids stay `code` (and `code-error`), as the pages have always had them.
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.error_messages["required"] = empty
        if asking:  # the page that asks only this: its label is the page's heading
            field.label = "Enter the code from your authenticator app"
            field.help_text = (
                "Directors and administrators give a second proof that it is them. Open the authenticator "
                "app you set up for Outturn and enter the 6-digit code it shows. If you have lost your "
                "phone, enter one of your recovery codes instead."
            )
            # The renderer's headings (core.forms.label_as_heading), set here as accounts sits below core.
            field.label_heading, field.label_size = "h1", "l"  # type: ignore[attr-defined]
        else:
            field.label_size = "s"  # type: ignore[attr-defined]


class RefusalForm(forms.Form):
    """A refusal that has no box to correct (a password where the council's sign-in is the only
    way), given as the error of a form with no fields: the error summary says it, unlinked, and
    the page's title starts "Error: " as for any other error."""

    def __init__(self, words: str) -> None:
        super().__init__(data={})
        self.full_clean()
        self.add_error(None, words)


class RoleForm(forms.Form):
    """One person's role on the users page, changed from their row of the table."""

    user_id = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, user: Any) -> None:
        # Ids of their own on a page of many rows: role-<id>.
        super().__init__(initial={"user_id": user.pk, "role": user.role}, auto_id=f"%s-{user.pk}")
        self.fields["role"].label = f"Role for {user.get_full_name() or user.get_username()}"
