"""SSDA903 columns and codes, the columns of what the cleaner returns, and its errors."""

from __future__ import annotations

HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)
UASC_COLUMNS = ("CHILD", "SEX", "DOB", "DUC")
REGIONAL_COLUMNS = ("LA", "YEAR")

KIND_COLUMNS = {"header": HEADER_COLUMNS, "episodes": EPISODE_COLUMNS, "uasc": UASC_COLUMNS}
# Columns without which a file of that kind cannot be used.
REQUIRED_COLUMNS = {
    "header": ("CHILD", "DOB"),
    "episodes": ("CHILD", "DECOM", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "DEC"),
    "uasc": ("CHILD", "DUC"),
}
# Columns that only one kind of file has: they tell the kinds apart (CHILD, SEX, DOB are shared).
DISTINCTIVE_COLUMNS = {
    "episodes": frozenset(EPISODE_COLUMNS) - {"CHILD"},
    "header": frozenset({"ETHNIC", "UPN", "MOTHER", "MC_DOB"}),
    "uasc": frozenset({"DUC"}),
}

# Reason for new episode: S started to be looked after, P change of placement, B change of
# placement and legal status; L, T, U are the codes our brief treats as "the same placement
# continues" (L change of legal status only).
RNE_CODES = frozenset({"S", "P", "L", "T", "U", "B"})
CONTINUING_RNE = frozenset({"L", "T", "U"})
SHORT_BREAK_LS = frozenset({"V3", "V4"})
TEMPORARY_PLACES = frozenset({"T0", "T1", "T2", "T3", "T4"})
PROVIDER_CODES = frozenset({"PR0", "PR1", "PR2", "PR3", "PR4", "PR5"})
PLACE_CODES = frozenset(
    {
        "A3",
        "A4",
        "A5",
        "A6",
        "H5",
        "K1",
        "K2",
        "K3",
        "P1",
        "P2",
        "P3",
        "R1",
        "R2",
        "R3",
        "R5",
        "S1",
        "U1",
        "U2",
        "U3",
        "U4",
        "U5",
        "U6",
        "Z1",
        "Z11",
        "Z12",
        "Z13",
        "Z14",
    }
    | TEMPORARY_PLACES
)

ISSUE_COLUMNS = ["file", "row", "column", "value", "reason", "action", "rule", "record"]
PLACEMENT_COLUMNS = [
    "placement_ref",
    "child_ref",
    "child_dob",
    "uasc",
    "placement_type",
    "place",
    "place_provider",
    "start_date",
    "end_date",
    "source",
]
MAPPING_COLUMNS = ["place", "place_provider", "valid_from_year", "valid_to_year", "finance_type"]


class Ssda903FileError(ValueError):
    """One or more files cannot be read as SSDA903 files. ``errors`` lists every problem."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


class MappingError(ValueError):
    """The PLACE x PLACE_PROVIDER mapping is incomplete or ambiguous."""
