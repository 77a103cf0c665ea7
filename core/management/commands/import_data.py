"""import_data KIND FILE [FILE...] [--year 2019/20] [--as-at DATE] [--dry-run] (DATA_FORMATS.md, Commands)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Authority
from core.importing import ImportPlan, SourceFile, every_importer, importer_for
from core.services import import_run


def authority_from_option(code: str | None) -> Authority:
    """The --authority given, or the only authority there is."""
    if code:
        try:
            return Authority.objects.get(code=code)
        except Authority.DoesNotExist:
            raise CommandError(f"No authority with code '{code}'") from None
    authorities = list(Authority.objects.all()[:2])
    if not authorities:
        raise CommandError('There is no authority yet; create one with create_authority CODE "NAME"')
    if len(authorities) > 1:
        raise CommandError("This deployment holds several authorities; say which with --authority CODE")
    return authorities[0]


class Command(BaseCommand):
    # A data import needs the models, not the whole site: the system checks would import every
    # URL and view (about a second) before a single file is read. `manage.py check` runs them.
    requires_system_checks = ()
    help = (
        "Import a budget, actuals, placements, ssda903, workforce, savings, scenarios, benchmarks or "
        "statistical_neighbours file (all or nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind")
        parser.add_argument("files", nargs="+")
        parser.add_argument("--authority")
        parser.add_argument("--year", help="financial year, e.g. 2019/20")
        parser.add_argument("--as-at", dest="as_at", help="date the file describes, e.g. 2019-07-31")
        parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        try:
            importer = importer_for(kind)
        except KeyError:
            raise CommandError(f"'{kind}' is not a kind of import; use one of {', '.join(every_importer())}") from None
        authority = authority_from_option(options["authority"])
        paths = [Path(f) for f in options["files"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        if len(paths) > 1 and not importer.multi_file:
            raise CommandError(f"a {kind} import takes one file")
        plan, result = import_run(
            authority=authority,
            kind=kind,
            files=[SourceFile(path.name, path.read_bytes()) for path in paths],
            options={"year": options["year"], "as_at": options["as_at"]},
            user=None,
            dry_run=options["dry_run"],
        )
        self._report(plan)
        if not plan.ok:
            self.stderr.write(f"{len(plan.errors)} error(s); nothing was written.")
            sys.exit(1)
        if options["dry_run"]:
            self.stdout.write("Dry run: the file is valid; nothing was written.")
        else:
            label = paths[0].name if len(paths) == 1 else f"{len(paths)} files"
            self.stdout.write(f"Imported {label}: " + ", ".join(f"{k} {v}" for k, v in (result or {}).items()))

    def _report(self, plan: ImportPlan) -> None:
        # One write for all the lines: an SSDA903 return has thousands of warnings.
        lines = [f"ERROR {problem}" for problem in plan.errors] + [f"WARNING {problem}" for problem in plan.warnings]
        if lines:
            self.stderr.write("".join(line if line.endswith("\n") else line + "\n" for line in lines), ending="")
        counts = plan.counts()
        if counts:
            self.stdout.write("Changes: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
