from django.urls import path

from dashboards import benchmark_views, views

app_name = "dashboards"

urlpatterns = [
    path("", views.period, name="period"),
    path("service/", views.service, name="service"),
    path("commentary/", views.commentary, name="commentary"),
    path("sign-off/", views.sign_off, name="sign_off"),
    path("tables/<slug:name>.<slug:fmt>", views.table, name="table"),
    path("published/", views.published_list, name="published_list"),
    path("published/<int:published_id>/", views.published, name="published"),
    path("published/<int:published_id>/pdf/", views.published_pdf, name="published_pdf"),
    path("published/<int:published_id>/pdf/status/", views.published_pdf_status, name="published_pdf_status"),
    path("published/<int:published_id>/pdf/download/", views.published_pdf_download, name="published_pdf_download"),
    path("published/<int:published_id>/tables/<slug:name>.<slug:fmt>", views.published_table, name="published_table"),
    # DfE's published statistics: the benchmarks page and the council's LA number.
    path("benchmarks/", benchmark_views.benchmarks, name="benchmarks"),
    path("benchmarks/la-number/", benchmark_views.benchmark_link, name="benchmark_link"),
]
