"""The period document: one finished run's figures, tables, charts and words, as JSON-able data.

`period_document(run, scenario, publication)` (build.py) is the one place it is assembled. Its
parts each have a module taking frames and plain values and returning chart specs and tables:
headline.py, children.py, money.py, workforce.py, savings.py, accuracy.py, movement.py. Every
database read is in reads.py; downloads.py and drill.py turn a document into files and the
drill-down. See docs/dashboards.md.
"""

from dashboards.document.build import (
    CACHE_SECONDS,
    DOCUMENT_SCHEMA,
    LiveBody,
    Publication,
    live_body,
    period_document,
    run_document,
)

__all__ = [
    "CACHE_SECONDS",
    "DOCUMENT_SCHEMA",
    "LiveBody",
    "Publication",
    "live_body",
    "period_document",
    "run_document",
]
