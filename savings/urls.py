from django.urls import path  # noqa: F401

app_name = "savings"

urlpatterns: list = []  # type: ignore[type-arg]
