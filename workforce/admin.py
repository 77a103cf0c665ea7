"""Read-only admin views: changes go through the audited services and pages."""

from django.contrib import admin

from workforce.models import Post, Team, Worker, WorkforceSnapshot


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Team)
class TeamAdmin(ReadOnly):
    list_display = ("code", "name", "authority", "budget_line", "hard_to_retain", "manageable_caseload")
    list_filter = ("authority", "hard_to_retain")


@admin.register(Post)
class PostAdmin(ReadOnly):
    list_display = ("ref", "team", "role", "fte", "annual_cost")
    list_filter = ("authority",)


@admin.register(Worker)
class WorkerAdmin(ReadOnly):
    list_display = ("ref", "team", "worker_type", "fte", "start_date", "end_date", "absence")
    list_filter = ("authority", "worker_type", "absence")


@admin.register(WorkforceSnapshot)
class SnapshotAdmin(ReadOnly):
    list_display = ("as_at", "authority", "source", "created_at")
    list_filter = ("authority",)
