from django.urls import path  # noqa: F401

app_name = "dashboards"

urlpatterns: list = []  # type: ignore[type-arg]
