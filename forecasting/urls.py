from django.urls import path

from forecasting import scenario_views, upload_views, views

app_name = "forecasting"

urlpatterns = [
    path("periods/", views.periods, name="periods"),
    path("periods/<int:period_id>/submit/", views.period_submit_view, name="period_submit"),
    path("periods/<int:period_id>/actuals/", views.actuals, name="actuals"),
    path("periods/<int:period_id>/<slug:action>/", views.period_change_view, name="period_change"),
    path("lines/", views.lines, name="lines"),
    path("lines/new/", views.line_edit, name="line_new"),
    path("lines/<int:line_id>/", views.line_edit, name="line_edit"),
    path("lines/<int:line_id>/budget/<str:year_label>/", views.budget_edit, name="budget_edit"),
    path("uploads/", upload_views.upload, name="upload"),
    path("uploads/<int:batch_id>/", upload_views.upload_preview, name="upload_preview"),
    path("uploads/templates/<slug:kind>.<slug:fmt>", upload_views.upload_template, name="upload_template"),
    path("scenarios/", scenario_views.scenarios, name="scenarios"),
    path("scenarios/<int:assumption_id>/delete/", scenario_views.assumption_delete, name="assumption_delete"),
]
