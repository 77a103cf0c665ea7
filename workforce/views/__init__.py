"""Workforce pages: teams and their establishment, a worker's history, entry of workers,
absences and agency engagements, snapshots, and the KPI page. Every table downloads as CSV and
XLSX (`?table=NAME&format=csv|xlsx`).

Finance officers change things; directors and administrators read; committee members see
nothing here. Every query is scoped to the user's authority.

- teams: the teams, one team, a team's details
- workers: a worker, and entry of workers, last days and absences
- snapshots: monthly snapshots and the month-by-month trend
- kpi: the KPI page
- shared: downloads, dates, query strings and form problems every page uses
"""

from workforce.views.kpi import kpi_page
from workforce.views.snapshots import snapshot_delete_view, snapshots
from workforce.views.teams import team_detail, team_edit, teams
from workforce.views.workers import worker_absence_view, worker_detail, worker_edit, worker_end_view

__all__ = [
    "kpi_page",
    "snapshot_delete_view",
    "snapshots",
    "team_detail",
    "team_edit",
    "teams",
    "worker_absence_view",
    "worker_detail",
    "worker_edit",
    "worker_end_view",
]
