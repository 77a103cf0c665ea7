from django.contrib import admin

from placements.models import RegisterSetting


@admin.register(RegisterSetting)
class RegisterSettingAdmin(admin.ModelAdmin[RegisterSetting]):
    list_display = ("authority", "complete_from")
