from django.urls import path

from forecasting import run_views, scenario_views, views

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
    path("forecasts/", run_views.runs, name="runs"),
    path("forecasts/request/", run_views.run_request, name="run_request"),
    path("forecasts/backtest/", run_views.backtest_page, name="backtest"),
    path("forecasts/<int:run_id>/", run_views.run_detail, name="run"),
    path("forecasts/<int:run_id>/status/", run_views.run_status, name="run_status"),
    path("forecasts/<int:run_id>/<slug:table>.<slug:fmt>", run_views.run_download, name="run_download"),
    path("scenarios/", scenario_views.scenarios, name="scenarios"),
    path("scenarios/<int:assumption_id>/delete/", scenario_views.assumption_delete, name="assumption_delete"),
]
