from django.urls import path  # noqa: F401

app_name = "workforce"

urlpatterns: list = []  # type: ignore[type-arg]
