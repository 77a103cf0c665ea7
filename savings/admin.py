"""Read-only admin views: savings change through the audited services and pages, never here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from savings.models import MediumTermPlan, Programme, Saving


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MediumTermPlan)
class MediumTermPlanAdmin(ReadOnlyAdmin):
    list_display = ("authority", "first_year", "last_year", "approved_by", "approved_on")


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "authority", "first_year", "delay_months")
    list_filter = ("authority",)


@admin.register(Saving)
class SavingAdmin(ReadOnlyAdmin):
    list_display = ("ref", "title", "authority", "status", "rag", "programme")
    list_filter = ("authority", "status", "rag")
    search_fields = ("ref", "title")
