from django.contrib import admin
from django.urls import include, path

from accounts.urls import auth_patterns
from core import views as core_views
from dashboards.home_views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include(auth_patterns)),
    path("accounts/", include("accounts.urls")),
    path("", include("core.urls")),
    path("", include("forecasting.urls")),
    path("", include("forecast_runs.urls")),
    path("placements/", include("placements.urls")),
    path("workforce/", include("workforce.urls")),
    path("savings/", include("savings.urls")),
    path("dashboards/", include("dashboards.urls")),
    # The data feed for spreadsheets and BI tools (token, not session) and its token pages.
    path("", include("feed.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
