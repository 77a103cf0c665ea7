"""Reading a page's forms as a screen reader meets them: each control's accessible name, what its
aria-describedby points at, the error summary's links and the page title."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

CONTROLS = {"input", "select", "textarea"}
UNNAMED_INPUTS = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    inside_label: bool = False

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


@dataclass
class Page:
    elements: list[Element] = field(default_factory=list)
    title: str = ""

    def by_id(self) -> dict[str, Element]:
        return {e.attrs["id"]: e for e in self.elements if e.attrs.get("id")}

    def with_class(self, name: str) -> list[Element]:
        return [e for e in self.elements if name in e.classes]

    def controls(self) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag in CONTROLS
            and not (e.tag == "input" and e.attrs.get("type", "text") in UNNAMED_INPUTS)
            and "hidden" not in e.attrs
        ]


class _Reader(HTMLParser):
    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "area", "base", "embed", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.open: list[Element] = []
        self.in_title = False
        self.labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: (v or "") for k, v in attrs}, inside_label=self.labels > 0)
        self.page.elements.append(element)
        if tag == "title":
            self.in_title = True
        if tag == "label":
            self.labels += 1
        if tag not in self.VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag == "label":
            self.labels = max(0, self.labels - 1)
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data
        for element in self.open:
            element.text += data


def read(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    return reader.page


def problems(html: str) -> list[str]:
    """What a screen reader user would stumble on in the page's forms."""
    page = read(html)
    found: list[str] = []
    ids = [e.attrs["id"] for e in page.elements if e.attrs.get("id")]
    found += [f"the id {i!r} is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    by_id = page.by_id()
    labelled = {e.attrs.get("for") for e in page.elements if e.tag == "label" and e.text.strip()}
    for control in page.controls():
        name = control.attrs.get("name", control.attrs.get("id", "?"))
        has_name = (
            control.attrs.get("id") in labelled
            or control.inside_label
            or control.attrs.get("aria-label", "").strip()
            or any(by_id.get(i) and by_id[i].text.strip() for i in control.attrs.get("aria-labelledby", "").split())
        )
        if not has_name:
            found.append(f"{control.tag} {name!r} has no accessible name")
        for target in control.attrs.get("aria-describedby", "").split():
            if target not in by_id:
                found.append(f"{control.tag} {name!r} is described by {target!r}, which is not on the page")
    for element in page.elements:
        if element.tag == "fieldset":
            for target in element.attrs.get("aria-describedby", "").split():
                if target not in by_id:
                    found.append(f"a fieldset is described by {target!r}, which is not on the page")
    summaries = page.with_class("govuk-error-summary")
    to_fields = False
    for link in (e for e in page.elements if e.tag == "a" and e.attrs.get("href", "").startswith("#")):
        target = link.attrs["href"][1:]
        if target and target not in by_id:
            found.append(f"the link to #{target} ({link.text.strip()!r}) leads nowhere")
        to_fields = to_fields or (target in by_id and by_id[target].tag in CONTROLS)
    # A summary of what was typed (its links lead to the boxes) puts "Error: " before the title.
    if summaries and to_fields and not page.title.strip().startswith("Error: "):
        found.append(f"the page shows errors but its title {page.title.strip()!r} does not start 'Error: '")
    if page.with_class("govuk-error-message") and not summaries:
        found.append("the page shows error messages without an error summary")
    return found


def field_error_problems(html: str, control_id: str, *, error_class: str = "", described_by: str = "") -> list[str]:
    """What is missing for a field sent back with an error, as the renderer draws it: the title
    starts "Error: ", the error summary links to `control_id`, the control (or `described_by`, a
    group's fieldset) names the error message in its aria-describedby, the message is there and
    starts with a hidden "Error:", and the control carries `error_class` when one is given."""
    page = read(html)
    found: list[str] = []
    if not page.title.startswith("Error: "):
        found.append(f"title {page.title!r} does not start with 'Error: '")
    summary = [e for e in page.elements if e.tag == "a" and e.attrs.get("href") == f"#{control_id}"]
    if not page.with_class("govuk-error-summary") or not summary:
        found.append(f"no error summary link to #{control_id}")
    ids = page.by_id()
    control = ids.get(control_id)
    if control is None:
        return [*found, f"no #{control_id}"]
    if error_class and error_class not in control.classes:
        found.append(f"#{control_id} lacks {error_class}")
    holder = ids.get(described_by) if described_by else control
    named = (holder.attrs.get("aria-describedby", "") if holder is not None else "").split()
    errors = [name for name in named if name.endswith("-error")]
    if not errors:
        found.append(f"#{described_by or control_id} names no error message in aria-describedby: {named}")
    for name in errors:
        message = ids.get(name)
        if message is None or "govuk-error-message" not in message.classes:
            found.append(f"aria-describedby names #{name}, which is not an error message on the page")
        elif not message.text.strip().startswith("Error:"):
            found.append(f"#{name} does not start with a hidden 'Error:'")
    if not any("govuk-form-group--error" in e.classes for e in page.elements):
        found.append("no form group is marked as in error")
    return found
