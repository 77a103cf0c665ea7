"""The form an administrator fills to issue a feed token: its shape only; the service checks the rest."""

from __future__ import annotations

from django import forms


class TokenForm(forms.Form):
    # Not required here: the service says what is missing, in the same words as from a command.
    name = forms.CharField(
        label="What it is for",
        help_text="For example: Finance team Power BI report",
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "govuk-!-width-two-thirds"}),
    )


class RevokeForm(forms.Form):
    """Why a token is revoked: optional, kept in the audit log."""

    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "govuk-!-width-two-thirds"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["reason"].label_size = "s"  # type: ignore[attr-defined]
