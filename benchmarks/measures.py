"""The published measures the benchmarks page compares, in the councils' own words.

Any other measure a release holds is kept all the same and listed under DfE's own title from its
data dictionary (data/dfe-published/lait-data-dictionary.csv).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Known:
    code: str
    label: str
    unit: str  # number | rate | percent | weekly_pounds | pounds
    group: str
    # What a year means for the measure: "31 March", "30 September" or "financial year".
    when: str
    lower_is_better: bool | None = None
    # How a sentence names it after the council's name: "Kent's <phrase> was ...".
    phrase: str = ""


GROUPS = {
    "children": "Children looked after",
    "placements": "Placement mix at 31 March",
    "costs": "Section 251 outturn costs",
    "workforce": "Children's social work workforce",
}

KNOWN: tuple[Known, ...] = (
    Known("LACnum", "Children looked after at 31 March", "number", "children", "31 March"),
    Known(
        "LAC",
        "Children looked after per 10,000 children",
        "rate",
        "children",
        "31 March",
        True,
        phrase="rate of children looked after",
    ),
    Known("LACnum_Start", "Children who started to be looked after", "number", "children", "year to 31 March"),
    Known("LACceased", "Children who ceased to be looked after", "number", "children", "year to 31 March"),
    Known(
        "LAC_Foster_Placements",
        "In foster care",
        "percent",
        "placements",
        "31 March",
        phrase="share of children looked after in foster care",
    ),
    Known(
        "LAC_SecHome_And_ChildHome",
        "In secure homes and children's homes",
        "percent",
        "placements",
        "31 March",
        phrase="share of children looked after in secure homes and children's homes",
    ),
    Known(
        "LAC_Ind_SInd_Liv_Arr",
        "In independent and semi-independent living or supported accommodation",
        "percent",
        "placements",
        "31 March",
        phrase="share of children looked after in independent or semi-independent living",
    ),
    Known(
        "LAC_Other_Res_Settings",
        "In other residential settings",
        "percent",
        "placements",
        "31 March",
        phrase="share of children looked after in other residential settings",
    ),
    Known(
        "LAC_Parents_OR_Others",
        "With parents or others with parental responsibility",
        "percent",
        "placements",
        "31 March",
        phrase="share of children looked after placed with parents",
    ),
    Known(
        "LAC_Other_Place_Inc_Unreg",
        "In other placements",
        "percent",
        "placements",
        "31 March",
        phrase="share of children looked after in other placements",
    ),
    Known(
        "FosteringFinance",
        "Fostering: weekly unit cost",
        "weekly_pounds",
        "costs",
        "financial year",
        True,
        phrase="weekly unit cost of fostering",
    ),
    Known(
        "RescareFinance",
        "Residential care: weekly unit cost",
        "weekly_pounds",
        "costs",
        "financial year",
        True,
        phrase="weekly unit cost of residential care",
    ),
    Known("TotalLACFinance", "Total spend on children looked after", "pounds", "costs", "financial year"),
    Known("Work_Force_Agecy_Rate", "Agency rate", "percent", "workforce", "30 September", True),
    Known("Work_Force_Vac_Rate", "Vacancy rate", "percent", "workforce", "30 September", True),
    Known(
        "Work_Force_AvgNumCase_SW",
        "Average caseload per social worker",
        "decimal",
        "workforce",
        "30 September",
        True,
        phrase="average caseload per social worker",
    ),
)
BY_CODE = {known.code: known for known in KNOWN}
