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
    error, entered = "", ""
    if request.method == "POST":
        entered = request.POST.get("la_number", "").strip()
        try:
            number = int(entered)
        except ValueError:
            error = "Enter the council's DfE LA number, a whole number such as 886."
        else:
            try:
                authority_link_set(authority=authority, la_number=number, user=request.user)
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                area = bench.area_of(number)
                named = f" ({area.name})" if area is not None else ""
                messages.success(request, f"The council's DfE LA number is now {number}{named}.")
                return redirect("dashboards:benchmark_link")
    current = bench.la_number_of(authority)
    context = {
        "current": current,
        "current_area": bench.area_of(current),
        "entered": entered or (str(current) if current is not None else ""),
        "error": error,
        "councils": bench.councils(),
    }
    return render(request, "dashboards/benchmark_link.html", context, status=400 if error else 200)
