"""A saving's versions (consultation, approved, re-profiled): its yearly amounts and who approved them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from accounts.audit import audit_record
from accounts.models import Authority, User
from forecasting.engine.calendar import parse_year_label
from forecasting.engine.savings import reprofile_problem
from savings.models import Saving, SavingAmount, SavingVersion
from savings.services.plan import plan_years_problems
from savings.services.problems import SavingInputError, pounds, same_authority

APPROVED = SavingVersion.Version.APPROVED
REPROFILED = SavingVersion.Version.REPROFILED


@dataclass
class VersionInput:
    """A version's amounts (pence by FY) and who approved it.

    `replace_years`: the years this input describes. None means the whole profile (years not in
    `amounts` are removed); an import passes its year columns, so years it does not mention stay.
    """

    amounts: Mapping[str, int]
    approved_by: str = ""
    approved_on: date | None = None
    note: str = ""
    replace_years: Iterable[str] | None = None


def amount_problems(authority: Authority, amounts: Mapping[str, int], *, what: str = "amounts") -> list[str]:
    """Years outside the plan, and negative amounts (a saving is written as a positive amount)."""
    problems = plan_years_problems(authority, amounts.keys(), what=what)
    for year, amount in amounts.items():
        if int(amount) < 0:
            problems.append(f"{what} {year}: {pounds(amount)} is negative; write a saving as a positive amount")
    return problems


def saving_versions_check(
    *,
    authority: Authority,
    saving: Saving | None,
    versions: Mapping[str, VersionInput],
    ref: str | None = None,
) -> list[str]:
    """Every problem with setting these versions, judged on the profiles as they would end up."""
    ref = ref or (saving.ref if saving else "")
    problems: list[str] = []
    stored: dict[str, dict[str, int]] = {}
    if saving is not None and saving.pk:
        for version, year, amount in SavingAmount.objects.filter(version__saving=saving).values_list(
            "version__version", "year_label", "amount"
        ):
            stored.setdefault(version, {})[year] = amount
    final = {k: dict(v) for k, v in stored.items()}
    for version, given in versions.items():
        if version not in SavingVersion.Version.values:
            problems.append(f"version '{version}' is not one of {', '.join(SavingVersion.Version.values)}")
            continue
        problems += amount_problems(authority, given.amounts, what=f"{SavingVersion.Version(version).label} amounts")
        final[version] = _merged(stored.get(version, {}), given)
        if not final[version]:
            problems.append(f"{SavingVersion.Version(version).label.lower()}: give an amount for at least one year")
    if REPROFILED in final and (REPROFILED in versions or APPROVED in versions):
        if APPROVED not in final:
            problems.append(f"saving {ref}: a re-profile replaces the approved profile, which it does not have yet")
        else:
            # FORECAST.md / the seed: "over the lifetime of the programme the savings will be the same".
            message = reprofile_problem(ref, sum(final[APPROVED].values()), sum(final[REPROFILED].values()))
            if message:
                problems.append(message)
    return problems


def _merged(stored: Mapping[str, int], given: VersionInput) -> dict[str, int]:
    if given.replace_years is None:
        return {y: int(a) for y, a in given.amounts.items()}
    described = set(given.replace_years)
    kept = {y: a for y, a in stored.items() if y not in described}
    kept.update({y: int(a) for y, a in given.amounts.items()})
    return kept


@transaction.atomic
def saving_versions_set(
    *,
    authority: Authority,
    user: User | None,
    saving: Saving,
    versions: Mapping[str, VersionInput],
) -> dict[str, str]:
    """Set one or more versions' yearly amounts together (so an approved change and its re-profile
    can arrive in the same file). Returns {version: create|update|unchanged}."""
    same_authority(authority, saving)
    problems = saving_versions_check(authority=authority, saving=saving, versions=versions)
    if problems:
        raise SavingInputError(problems)
    outcome: dict[str, str] = {}
    for version, given in versions.items():
        row, created = SavingVersion.objects.get_or_create(saving=saving, version=version)
        stored = dict(row.amounts.values_list("year_label", "amount"))
        wanted = _merged(stored, given)
        meta_before = (row.approved_by, row.approved_on, row.note)
        row.approved_by = given.approved_by.strip() or row.approved_by
        row.approved_on = given.approved_on or row.approved_on
        row.note = given.note.strip() or row.note
        if (row.approved_by, row.approved_on, row.note) != meta_before:
            row.save()
        if wanted == stored and not created and (row.approved_by, row.approved_on, row.note) == meta_before:
            outcome[version] = "unchanged"
            continue
        row.amounts.all().delete()
        SavingAmount.objects.bulk_create(
            [
                SavingAmount(version=row, year_label=y, amount=a)
                for y, a in sorted(wanted.items(), key=lambda p: parse_year_label(p[0]))
            ]
        )
        audit_record(
            authority=authority,
            user=user,
            action=f"saving.{version}",
            obj=saving,
            object_repr=f"{saving.ref} {row.get_version_display()}",
            before=None
            if created
            else {"amounts": stored, "approved_by": meta_before[0], "approved_on": meta_before[1]},
            after={"amounts": wanted, "approved_by": row.approved_by, "approved_on": row.approved_on},
            reason=row.note,
        )
        outcome[version] = "create" if created else "update"
    return outcome
