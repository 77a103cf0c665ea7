from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("uploads/", views.upload, name="upload"),
    path("uploads/<int:batch_id>/", views.upload_preview, name="upload_preview"),
    path("audit/", views.audit_log, name="audit"),
]
