"""What the financial core tells the layers above it, without knowing them."""

from django.dispatch import Signal

# A finance officer submitted a period (sent inside the submitting transaction).
# Arguments: period, user, forecast (False when the caller does not want a forecast run).
period_submitted = Signal()
