"""The Celery app. Tasks live in each app's tasks.py and take ids, never model instances."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("outturn")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="outturn.ping")
def ping(value: str) -> str:
    """A task that proves the broker, a worker and the result backend round-trip."""
    return f"pong:{value}"
