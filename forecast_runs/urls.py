from django.urls import path

from forecast_runs import mtfp_views, views

app_name = "forecast_runs"

urlpatterns = [
    path("forecasts/", views.runs, name="runs"),
    path("forecasts/request/", views.run_request, name="run_request"),
    path("forecasts/backtest/", views.backtest_page, name="backtest"),
    path("forecasts/medium-term/", mtfp_views.mtfp_page, name="mtfp"),
    path("forecasts/<int:run_id>/", views.run_detail, name="run"),
    path("forecasts/<int:run_id>/status/", views.run_status, name="run_status"),
    path("forecasts/<int:run_id>/<slug:table>.<slug:fmt>", views.run_download, name="run_download"),
]
