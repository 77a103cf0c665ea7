"""PDF snapshots through headless Chromium: the only module that knows the browser.

The print template is rendered to a string and loaded with `set_content`; the print CSS,
plotly.js and our chart script are added from the static files with `add_style_tag` /
`add_script_tag`. That page is the renderer's own, never served to a user, so the site's
content security policy does not apply to it. Every network request from it is refused: the
PDF is made from the HTML and our files alone, with no CDN and nothing fetched.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A4 less the 15 mm side margins, in CSS pixels (96 per inch): the width charts are drawn at.
PRINT_WIDTH_PX = 680
CHARTS_TIMEOUT_MS = 30_000


def chromium_path() -> str:
    return getattr(settings, "PLAYWRIGHT_CHROMIUM", None) or os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium")


def static_path(relative: str) -> Path:
    """A file of our own static folder (not the collected copy, which may be stale in dev)."""
    for folder in settings.STATICFILES_DIRS:
        candidate = Path(folder) / relative
        if candidate.exists():
            return candidate
    return Path(settings.STATIC_ROOT) / relative


def _footer(identity: str) -> str:
    # Chromium draws the footer outside the page's CSS, so its styles are given inline here.
    return (
        '<div style="font-family: Arial, Helvetica, sans-serif; font-size: 8pt; color: #3d3d3d; width: 100%; '
        'padding: 0 15mm; display: flex; justify-content: space-between;">'
        f"<span>{escape(identity)}</span>"
        '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
    )


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render `template` with `context` and print it to an A4 PDF with vector charts, tagged for
    accessibility, with an outline from the headings and a footer with page numbers and
    `context["footer_identity"]`."""
    html = render_to_string(template, context)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1000})
            page.route("**/*", lambda route: route.abort())
            page.emulate_media(media="print")
            page.set_content(html, wait_until="load")
            for css in ("vendor/plotly/plotly.css", "css/dashboards.css"):
                page.add_style_tag(path=static_path(css))
            page.add_script_tag(path=static_path("vendor/plotly/plotly-finance.min.js"))
            page.add_script_tag(path=static_path("js/charts.js"))
            page.wait_for_function("document.body.dataset.chartsReady === 'true'", timeout=CHARTS_TIMEOUT_MS)
            failed = page.evaluate("document.body.dataset.chartsFailed || ''")
            if failed:
                raise RuntimeError(f"charts could not be drawn: {failed}")
            return page.pdf(
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=_footer(str(context.get("footer_identity", ""))),
                margin={"top": "15mm", "bottom": "20mm", "left": "15mm", "right": "15mm"},
                tagged=True,
                outline=True,
            )
        finally:
            browser.close()


def pdf_page_count(content: bytes) -> int:
    """Pages in a PDF written by Chromium (page objects are not compressed into streams)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", content))
