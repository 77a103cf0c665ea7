"""Error reporting to a Sentry-compatible service, off unless SENTRY_DSN is set
(docs/deployment.md, "Errors"). Nothing personal is sent: no user details, request bodies or
local variables, since the pages hold children's records."""

from __future__ import annotations

import os


def sentry_init(dsn: str) -> bool:
    """Start the SDK when a DSN is given; return whether it was started."""
    if not dsn.strip():
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn.strip(),
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
    return True
