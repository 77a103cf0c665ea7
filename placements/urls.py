from django.urls import path  # noqa: F401

app_name = "placements"

urlpatterns: list = []  # type: ignore[type-arg]
