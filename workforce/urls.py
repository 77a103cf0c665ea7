from django.urls import path

from workforce import views

app_name = "workforce"

urlpatterns = [
    path("", views.teams, name="teams"),
    path("teams/new/", views.team_edit, name="team_new"),
    path("teams/<int:team_id>/", views.team_detail, name="team"),
    path("teams/<int:team_id>/edit/", views.team_edit, name="team_edit"),
    path("workers/new/", views.worker_edit, name="worker_new"),
    path("workers/<int:worker_id>/", views.worker_detail, name="worker"),
    path("workers/<int:worker_id>/edit/", views.worker_edit, name="worker_edit"),
    path("workers/<int:worker_id>/end/", views.worker_end_view, name="worker_end"),
    path("workers/<int:worker_id>/absence/", views.worker_absence_view, name="worker_absence"),
    path("snapshots/", views.snapshots, name="snapshots"),
    path("snapshots/<int:snapshot_id>/delete/", views.snapshot_delete_view, name="snapshot_delete"),
    path("kpis/", views.kpi_page, name="kpis"),
]
