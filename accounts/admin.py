from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from accounts.audit import audit_record
from accounts.models import AuditEvent, Authority, User


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin[Authority]):
    list_display = ("code", "name")


@admin.register(User)
class OutturnUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "authority", "role", "is_active")
    list_filter = ("authority", "role", "is_active")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Outturn", {"fields": ("authority", "role")}))

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        before = User.objects.filter(pk=obj.pk).values_list("role", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        if obj.authority is not None and before != obj.role:
            user = request.user if isinstance(request.user, User) else None
            audit_record(
                authority=obj.authority,
                user=user,
                action="user.role_change",
                obj=obj,
                before={"role": before} if before else None,
                after={"role": obj.role},
            )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("created_at", "authority", "actor", "action", "object_repr")
    list_filter = ("authority", "action")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
