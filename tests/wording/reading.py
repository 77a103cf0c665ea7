"""What a person reads on a page, in a PDF or in a download's header row, and the rules of issue 12
(point 4) it must keep: no snake_case code, no "-£", no negative under- or overspend, percentages
to one decimal place, counts without ".0"."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from typing import Any

from openpyxl import load_workbook

CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")
# Addresses are not read as words; they may hold underscores.
ADDRESS = re.compile(r"\S+@\S+|https?://\S+|/[\w/.\-?=&%]+")
NEGATIVE_MONEY = re.compile(r"-\s?£")
NEGATIVE_VARIANCE = re.compile(r"(underspend|overspend)\s+of\s+[-(]", re.IGNORECASE)
# The 10th and 90th percentiles name a band of a forecast; they are not figures.
PERCENTILES = re.compile(r"\b10%?\s?[–—‐−-]\s?90%|\b(?:10th|90th)\b")
# How far a task has gone ("Progress 5%", "(40%)" after a run's stage) is not a figure of the
# report: whole per cent, as every progress bar shows it.
PROGRESS = re.compile(r"Progress \d+% \d+%|Progress \d+%|\(\d+%\)")
PERCENT = re.compile(r"(?<![\w.])(-?\d[\d,]*(?:\.(\d+))?)\s?%")
POINT_NOUGHT = re.compile(r"(?<![£\d.,])\b\d[\d,]*\.0\b(?![\d%m]|\.\d)")
SKIPPED = {"script", "style", "template", "head"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """Visible text, the labels a screen reader speaks, and the words in charts' JSON."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []
        self.json_script = False
        self.json_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("aria-label", "alt", "title", "placeholder"):
            if found.get(name):
                self.parts.append(str(found[name]))
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.parts.append(str(found["value"]))
        if tag in VOID:
            return
        if tag == "script" and found.get("type") == "application/json":
            self.json_script = True
        if tag in SKIPPED:
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        if tag == "script":
            self.json_script = False

    def handle_data(self, data: str) -> None:
        if self.json_script:
            self.json_parts.append(data)
        elif not self.skipping:
            self.parts.append(data)


def _figure_words(value: Any, key: str = "") -> list[str]:
    """Chart titles, axis titles, legend names, tick text and hover text from a Plotly figure."""
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_figure_words(v, k))
    elif isinstance(value, list):
        for v in value:
            out.extend(_figure_words(v, key))
    elif isinstance(value, str) and key in ("text", "name", "ticktext", "hovertemplate", "title", "legendgrouptitle"):
        out.append(re.sub(r"%\{[^}]*\}|<extra>.*?</extra>|<[^>]+>", " ", value))
    return out


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    words = list(parser.parts)
    for blob in parser.json_parts:
        try:
            words.extend(_figure_words(json.loads(blob)))
        except ValueError:
            continue
    return " ".join(" ".join(words).split())


def problems(text: str, where: str) -> list[str]:
    """Every breach of the rules in `text`, each naming where it was read."""
    found: list[str] = []
    readable = ADDRESS.sub(" ", text)
    for match in sorted(set(CODE.findall(readable))):
        found.append(f"{where}: a code '{match}' in '{_around(readable, match)}'")
    for pattern, what in ((NEGATIVE_MONEY, "a negative amount"), (NEGATIVE_VARIANCE, "a negative variance")):
        for match in pattern.finditer(text):
            found.append(f"{where}: {what} in '{_around(text, match.group(0))}'")
    figures = PROGRESS.sub(" ", PERCENTILES.sub(" ", text))
    for match in PERCENT.finditer(figures):
        if match.group(2) is None or len(match.group(2)) != 1:
            seen = figures[max(0, match.start() - 50) : match.end() + 50]
            found.append(f"{where}: a percentage not to one decimal place in '{seen}'")
    for match in POINT_NOUGHT.finditer(readable):
        found.append(f"{where}: a count with '.0' in '{_around(readable, match.group(0))}'")
    return found


def _around(text: str, part: str) -> str:
    at = text.find(part)
    return text[max(0, at - 50) : at + len(part) + 50]


def csv_header(content: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(content.decode("utf-8-sig"))), [])


def xlsx_header(content: bytes) -> list[str]:
    """The bold header row of a workbook: the first row after the title rows (row 3)."""
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    rows = list(sheet.iter_rows(min_row=1, max_row=3, values_only=True))
    return [str(v) for v in (rows[-1] if rows else []) if v is not None]


HREF = re.compile(r"""href="([^"#]+)""")
NOT_PAGES = ("/static/", "/admin/", "/accounts/sign-out", "/healthz", "/accounts/set-password")


def _shape(url: str) -> str:
    """A URL with its numbers and references blanked, so that one of many alike is enough."""
    path, _, query = url.partition("?")
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return re.sub(r"/[A-Z]*\d[\w-]*", "/#", path) + "?" + "&".join(keys)


def _is_download(url: str) -> bool:
    path, _, query = url.partition("?")
    return path.endswith((".csv", ".xlsx")) or "format=csv" in query or "format=xlsx" in query


def crawl(client: Any, start: str = "/", *, per_shape: int = 3, limit: int = 400) -> tuple[dict[str, str], list[str]]:
    """Every page reachable by links from `start`, up to `per_shape` of each URL shape: each page's
    readable text, and the download URLs found on the way."""
    import html as html_lib

    seen_shapes: dict[str, int] = {}
    queue = [start]
    visited: set[str] = set()
    pages: dict[str, str] = {}
    downloads: list[str] = []
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in visited:
            continue
        visited.add(url)
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        body = response.content.decode()
        pages[url] = page_text(body)
        for raw in HREF.findall(body):
            link = html_lib.unescape(raw)
            if not link.startswith("/") or link.startswith(NOT_PAGES) or link in visited:
                continue
            if _is_download(link):
                if link not in downloads:
                    downloads.append(link)
                continue
            if "/pdf" in link:
                continue
            shape = _shape(link)
            if seen_shapes.get(shape, 0) >= per_shape:
                continue
            seen_shapes[shape] = seen_shapes.get(shape, 0) + 1
            queue.append(link)
    return pages, downloads


def download_header(client: Any, url: str) -> list[str] | None:
    response = client.get(url)
    if response.status_code != 200:
        return None
    kind = response.get("Content-Type", "")
    if kind.startswith("text/csv"):
        return csv_header(response.content)
    if "spreadsheetml" in kind:
        return xlsx_header(response.content)
    return None
