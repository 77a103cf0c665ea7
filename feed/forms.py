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
