"""One small read that changes whenever anything the live dashboard shows from the database
could: the authority's years, finished runs, published versions and commentary, its DfE link
and the published statistics loaded. The page's frame (selectors, published versions, the
benchmarks panel) and its drawn body are kept in the cache under it, so a reader's request costs
this one read instead of a dozen.

Each table is stamped by how many rows it has and its newest row (rows are added and removed;
runs, published versions and statistics are never edited in place, and commentary and the DfE
link carry the time they were last changed). Counting is over an authority's own rows only,
through the indexes on `authority_id`; the statistics, read by every authority, by their newest
id alone (a release is loaded by replacing its rows, which gives them new ids)."""

from __future__ import annotations

from django.db import connection

from accounts.models import Authority
from benchmarks.models import AuthorityLink, PublishedValue, Release, StatisticalNeighbour
from dashboards.models import PublishedPeriod, ServiceCommentary
from forecasting.models import FinancialYear, ForecastRun


def _sql() -> str:
    year = FinancialYear._meta.db_table
    run = ForecastRun._meta.db_table
    published = PublishedPeriod._meta.db_table
    commentary = ServiceCommentary._meta.db_table
    link = AuthorityLink._meta.db_table
    return f"""
        SELECT
          (SELECT COUNT(*) FROM {year} WHERE authority_id = %(a)s),
          (SELECT MAX(id) FROM {year} WHERE authority_id = %(a)s),
          (SELECT COUNT(*) FROM {run} WHERE authority_id = %(a)s AND status = %(succeeded)s),
          (SELECT MAX(id) FROM {run} WHERE authority_id = %(a)s AND status = %(succeeded)s),
          (SELECT COUNT(*) FROM {published} WHERE authority_id = %(a)s),
          (SELECT MAX(id) FROM {published} WHERE authority_id = %(a)s),
          (SELECT COUNT(*) FROM {commentary} WHERE authority_id = %(a)s),
          (SELECT MAX(updated_at) FROM {commentary} WHERE authority_id = %(a)s),
          (SELECT MAX(updated_at) FROM {link} WHERE authority_id = %(a)s),
          (SELECT MAX(id) FROM {Release._meta.db_table}),
          (SELECT MAX(id) FROM {PublishedValue._meta.db_table}),
          (SELECT MAX(id) FROM {StatisticalNeighbour._meta.db_table})
    """  # noqa: S608 - table names from the models; the values are parameters


def dashboard_stamp(*, authority: Authority) -> str:
    with connection.cursor() as cursor:
        cursor.execute(_sql(), {"a": authority.pk, "succeeded": ForecastRun.Status.SUCCEEDED.value})
        row = cursor.fetchone()
    return "|".join("" if value is None else str(value) for value in row)
