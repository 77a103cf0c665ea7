from django.urls import path

from forecasting import upload_views
from placements import views

app_name = "placements"

# An upload of each kind is previewed, confirmed and followed on the one preview page of every
# upload, at the addresses the import pages have always used.
REGISTER_UPLOAD = {"kind": "placements", "back": "placements:import"}
SSDA903_UPLOAD = {"kind": "ssda903", "back": "placements:import"}

urlpatterns = [
    path("", views.register, name="register"),
    path("add/", views.placement_add_view, name="add"),
    path("p/<str:placement_ref>/", views.placement_detail, name="placement"),
    path("p/<str:placement_ref>/end/", views.placement_end_view, name="end"),
    path("p/<str:placement_ref>/rate/", views.placement_rate_view, name="rate"),
    path("import/", views.import_page, name="import"),
    path("import/register/<int:batch_id>/", upload_views.upload_preview, REGISTER_UPLOAD, name="import_batch"),
    path("import/ssda903/<int:batch_id>/", upload_views.upload_preview, SSDA903_UPLOAD, name="ssda903_import"),
    path("import/<slug:kind>/<int:pk>/status/", views.import_status, name="import_status"),
    path("mapping/", views.mapping, name="mapping"),
    path("mapping/new/", views.mapping_edit, name="mapping_new"),
    path("mapping/<int:mapping_id>/", views.mapping_edit, name="mapping_edit"),
    path("unit-costs/", views.unit_costs, name="unit_costs"),
    path("kpis/", views.kpi_page, name="kpis"),
]
