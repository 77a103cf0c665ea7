"""The plain-CSV path of the SSDA903 reader (placements/ssda903/plaincsv.py): a file it takes
gives exactly the frame the bounded reader gives, and any file it is not sure of goes to the
bounded reader, which words the errors."""

from __future__ import annotations

import itertools
import sys

import pandas as pd
import pytest

from placements.ssda903 import Ssda903FileError, read_903_files
from placements.ssda903 import reading as reading_module
from placements.ssda903.plaincsv import read_plain_csv
from tablereader import Limits

EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
ROW_1 = "C1,01/05/2018,S,C2,N1,U1,PR1,,,,AB1 2CD,,"
ROW_2 = "C2,2018-06-01,P,C2,N1,R1,PR4,31/07/2018,E11,,,,SC1"


def _bounded(monkeypatch: pytest.MonkeyPatch, files: list[tuple[str, bytes]]) -> object:
    """What the reader gives with the plain path turned off."""
    with monkeypatch.context() as patch:
        patch.setattr(reading_module, "plain_csv_table", lambda *args: None)
        return read_903_files(files)


PLAIN = {
    "line feeds": f"{EPISODES}\n{ROW_1}\n{ROW_2}\n",
    "Windows line ends": f"{EPISODES}\r\n{ROW_1}\r\n{ROW_2}\r\n",
    "no line break at the end": f"{EPISODES}\n{ROW_1}\n{ROW_2}",
    "a byte order mark": f"\ufeff{EPISODES}\n{ROW_1}\n{ROW_2}\n",
    "a blank record (only commas)": f"{EPISODES}\n{ROW_1}\n,,,,,,,,,,,,\n{ROW_2}\n",
    "a blank line": f"{EPISODES}\n{ROW_1}\n\n{ROW_2}\n\n",
    "the header alone": f"{EPISODES}\n",
    "lower-case names": f"{EPISODES.lower()}\n{ROW_1}\n",
}


@pytest.mark.parametrize("text", PLAIN.values(), ids=PLAIN.keys())
def test_a_plain_file_is_read_by_the_plain_path_into_the_bounded_readers_frame(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = text.encode("utf-8")
    assert read_plain_csv("2018-episodes.csv", data, Limits()) is not None
    files = [("2018-episodes.csv", data)]
    fast, bounded = read_903_files(files), _bounded(monkeypatch, files)
    pd.testing.assert_frame_equal(fast.episodes, bounded.episodes)  # type: ignore[attr-defined]
    assert fast.files == bounded.files  # type: ignore[attr-defined]


# Files the plain path reads with names the general path deals with, or with another
# shape: read with and without the plain path, they give the same frames.
PLAIN_SETS = {
    "an extra column": [("2018-episodes.csv", f"{EPISODES},NOTE\n{ROW_1},x\n{ROW_2},\n")],
    "an empty column named Unnamed": [("2018-episodes.csv", f"{EPISODES},Unnamed: 13\n{ROW_1},\n{ROW_2},\n")],
    "a plain and a quoted file of one kind": [
        ("2018-episodes.csv", f"{EPISODES}\n{ROW_1}\n"),
        ("2019-episodes.csv", f'{EPISODES}\n"C3",01/05/2019,S,C2,N1,U1,PR1,,,,,,\n{ROW_2}\n'),
    ],
    "the regional shape": [
        ("episodes.csv", f"LA,YEAR,{EPISODES}\nBarnet,2019,{ROW_1}\nBarnet,x,{ROW_2}\n"),
        ("header.csv", "LA,YEAR,CHILD,SEX,DOB\nBarnet,2019,C1,1,01/01/2010\n"),
    ],
    "blank records only": [("2018-episodes.csv", f"{EPISODES}\n,,,,,,,,,,,,\n")],
}


@pytest.mark.parametrize("files", PLAIN_SETS.values(), ids=PLAIN_SETS.keys())
def test_files_read_by_the_plain_path_give_the_bounded_readers_frames(
    files: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = [(name, text.encode("utf-8")) for name, text in files]
    fast, bounded = read_903_files(data), _bounded(monkeypatch, data)
    for kind in ("header", "episodes", "uasc"):
        pd.testing.assert_frame_equal(getattr(fast, kind), getattr(bounded, kind))
    assert fast.files == bounded.files and fast.warnings == bounded.warnings  # type: ignore[attr-defined]


def test_a_plain_file_with_a_name_twice_is_refused_as_the_bounded_reader_refuses_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = [("2018-episodes.csv", f"{EPISODES},URN\n{ROW_1},1\n".encode())]
    with pytest.raises(Ssda903FileError, match="URN appear more than once"):
        read_903_files(data)
    with pytest.raises(Ssda903FileError, match="URN appear more than once"):
        _bounded(monkeypatch, data)


NOT_PLAIN = {
    "a quoted cell": f'{EPISODES}\n"C1",01/05/2018,S,C2,N1,U1,PR1,,,,,,\n',
    "a cell starting with a space": f"{EPISODES}\n C1,01/05/2018,S,C2,N1,U1,PR1,,,,,,\n",
    "a cell ending with a space": f"{EPISODES}\nC1 ,01/05/2018,S,C2,N1,U1,PR1,,,,,,\n",
    "a cell ending with a tab": f"{EPISODES}\nC1,01/05/2018,S,C2,N1,U1,PR1,,,,,,\t\n",
    "a blank line first": f"\n{EPISODES}\n{ROW_1}\n",
    "a short line": f"{EPISODES}\n{ROW_1}\nC3,01/05/2018\n",
    "a long line": f"{EPISODES}\n{ROW_1},extra\n",
    "a trailing comma in the header": f"{EPISODES},\n{ROW_1},\n",
    "a lone carriage return": f"{EPISODES}\r{ROW_1}\r",
    "text that is not ASCII": f"{EPISODES}\nC1,01/05/2018,S,C2,N1,U1,PR1,,,,Ynys Môn,,\n",
    "a control character": f"{EPISODES}\nC1\x01,01/05/2018,S,C2,N1,U1,PR1,,,,,,\n",
}


@pytest.mark.parametrize("text", NOT_PLAIN.values(), ids=NOT_PLAIN.keys())
def test_a_file_that_is_not_plain_goes_to_the_bounded_reader(text: str) -> None:
    assert read_plain_csv("2018-episodes.csv", text.encode("utf-8"), Limits()) is None


def test_a_file_over_a_limit_goes_to_the_bounded_reader_which_names_the_limit() -> None:
    # 3 lines against a limit of 2 rows, 13 columns against 12; the longest cell has 20
    # characters (the longest name, REASON_PLACE_CHANGE, 19)
    data = f"{EPISODES}\n{ROW_1}\n{ROW_2}\n".encode()
    assert read_plain_csv("2018-episodes.csv", data, Limits(rows=2)) is None
    assert read_plain_csv("2018-episodes.csv", data, Limits(columns=12)) is None
    long = f"{EPISODES}\nC1234567890123456789,01/05/2018,S,C2,N1,U1,PR1,,,,,,\n".encode()
    assert read_plain_csv("2018-episodes.csv", long, Limits(cell_chars=20)) is not None
    assert read_plain_csv("2018-episodes.csv", long, Limits(cell_chars=19)) is None
    with pytest.raises(Ssda903FileError, match="more than 2 rows"):
        read_903_files([("2018-episodes.csv", data)], limits=Limits(rows=2))


def test_an_xlsx_named_csv_is_not_taken_for_a_csv() -> None:
    assert read_plain_csv("2018-episodes.csv", b"PK\x03\x04rest", Limits()) is None
    assert read_plain_csv("2018-episodes.xlsx", f"{EPISODES}\n".encode(), Limits()) is None


def test_every_spelling_of_child_repeating_the_header_is_found() -> None:
    # Every character whose upper case is a letter of CHILD, found by trying them all: the list
    # the reader looks rows up in must be every combination of them (the dotless i among them).
    letters = {letter: {chr(c) for c in range(sys.maxunicode + 1) if chr(c).upper() == letter} for letter in "CHILD"}
    assert letters["I"] == {"I", "i", "\u0131"}
    expected = {"".join(chars) for chars in itertools.product(*(sorted(letters[x]) for x in "CHILD"))}
    assert reading_module._CHILD_SPELLINGS == expected
    data = f"{EPISODES}\n{ROW_1}\nch\u0131ld,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,X,Y,Z,U\n".encode()
    with pytest.raises(Ssda903FileError, match="row 3 repeats the column names"):
        read_903_files([("2018-episodes.csv", data)])
    # The plain path (ASCII only) finds it in any mix of cases.
    data = f"{EPISODES}\n{ROW_1}\n{ROW_2}\ncHiLd,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,X,Y,Z,U\n".encode()
    assert read_plain_csv("2018-episodes.csv", data, Limits()) is not None
    with pytest.raises(Ssda903FileError, match="row 4 repeats the column names"):
        read_903_files([("2018-episodes.csv", data)])
