"""The benchmarks page (DfE's published statistics against the council's own figures), its
downloads, and the administrator's setting of the council's DfE LA number."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from accounts.access import ADMINISTRATORS, STAFF_READERS, AuthenticatedHttpRequest, authority_of, role_required
from benchmarks import selectors as bench
from benchmarks.services import authority_link_set
from core.exports import table_download
from dashboards import benchmark_reads
from dashboards.forms import LaNumberForm

FORMATS = ("csv", "xlsx")


@role_required(*STAFF_READERS)
def benchmarks(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    fmt = request.GET.get("format")
    if fmt is not None:
        if fmt not in FORMATS:
            raise Http404("CSV or XLSX")
        frame, filename, title = benchmark_reads.benchmark_table(authority=authority, code=request.GET.get("table", ""))
        return table_download(frame, filename=filename, fmt=fmt, title=title)
    return render(request, "dashboards/benchmarks.html", benchmark_reads.benchmarks_page(authority=authority))


@role_required(*ADMINISTRATORS)
def benchmark_link(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    current = bench.la_number_of(authority)
    form = LaNumberForm(
        request.POST if request.method == "POST" else None,
        initial={"la_number": "" if current is None else str(current)},
    )
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["la_number"]
        try:
            authority_link_set(authority=authority, la_number=number, user=request.user)
        except ValidationError as problem:
            form.add_error("la_number", " ".join(problem.messages))
        else:
            area = bench.area_of(number)
            named = f" ({area.name})" if area is not None else ""
            messages.success(request, f"The council's DfE LA number is now {number}{named}.")
            return redirect("dashboards:benchmark_link")
    context = {
        "current": current,
        "current_area": bench.area_of(current),
        "form": form,
        "councils": bench.councils(),
    }
    return render(request, "dashboards/benchmark_link.html", context, status=400 if form.errors else 200)
