"""manage.py forecast_demand runs without setting Django up (``run_without_setup``): the same
file and the same words as the command run by Django, the same exit codes and messages, and
Django's own options still mean what they mean to Django."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from forecast_runs.management.commands.forecast_demand import run_without_setup
from tablereader.limits import Limits
from tests.forecast_runs.test_forecast_demand import REPO, monthly_counts, run_in_a_fresh_interpreter, sample_files


def manage(*words: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "forecast_demand", *words],
        cwd=REPO,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_without_django_the_file_and_the_screen_are_those_of_the_django_command(tmp_path: Path) -> None:
    words = ["--ssda903", *sample_files(), "--as-at", "2019-03-31", "--horizon", "6", "--method", "flow"]
    quick = manage(*words, "--output", str(tmp_path / "quick.csv"))
    # --settings is Django's: with it the command runs as a Django command.
    django = manage(*words, "--settings", "config.settings", "--output", str(tmp_path / "django.csv"))
    assert quick.returncode == django.returncode == 0, quick.stderr + django.stderr
    assert (tmp_path / "quick.csv").read_bytes() == (tmp_path / "django.csv").read_bytes()
    assert quick.stdout == django.stdout
    assert "Open episodes missing from a later return:" in quick.stdout
    assert "entries and exits (asked for)" in quick.stdout
    assert quick.stderr.replace("quick.csv", "out") == django.stderr.replace("django.csv", "out")


def test_no_setting_no_app_and_no_database_is_loaded(tmp_path: Path) -> None:
    counts = monthly_counts(tmp_path)
    code = (
        "import sys\n"
        "from forecast_runs.management.commands.forecast_demand import run_without_setup\n"
        "try:\n"
        f"    run_without_setup(['manage.py', 'forecast_demand', '--series', {counts!r}, '--method', 'naive',"
        f" '--output', {str(tmp_path / 'o.csv')!r}])\n"
        "except SystemExit as done:\n"
        "    status = done.code\n"
        "from django.apps import apps\n"
        "from django.conf import settings\n"
        "print('STATUS', status, 'SETTINGS', settings.configured, 'APPS', apps.ready,"
        " 'CELERY', 'celery' in sys.modules, 'STATISTICAL', 'statsforecast' in sys.modules)\n"
    )
    done = run_in_a_fresh_interpreter(code)
    assert "STATUS 0 SETTINGS False APPS False CELERY False STATISTICAL False" in done.stdout, done.stderr
    assert (tmp_path / "o.csv").read_text().startswith("series,date,p10,mid,p90,method")


def test_what_cannot_be_done_exits_1_with_the_django_commands_words(tmp_path: Path) -> None:
    counts = monthly_counts(tmp_path)
    for words in (
        ["--series", counts, "--method", "auto", "--no-back-test"],
        ["--series", counts, "--horizon", "0"],
        ["--series", str(tmp_path / "missing.csv")],
    ):
        quick = manage(*words, "--output", str(tmp_path / "o.csv"))
        django = manage(*words, "--settings", "config.settings", "--output", str(tmp_path / "o.csv"))
        assert quick.returncode == django.returncode == 1
        assert quick.stderr == django.stderr
        assert quick.stderr.startswith("CommandError: ")
    missing = manage("--ssda903", str(tmp_path / "missing.csv"), *sample_files(), "--output", str(tmp_path / "o.csv"))
    assert missing.stderr == f"CommandError: cannot read {tmp_path / 'missing.csv'}: No such file or directory\n"
    folder = manage("--series", str(tmp_path), "--output", str(tmp_path / "o.csv"))
    assert folder.returncode == 1 and folder.stderr == f"CommandError: cannot read {tmp_path}: Is a directory\n"
    traced = manage("--series", counts, "--horizon", "0", "--traceback", "--output", str(tmp_path / "o.csv"))
    traced_by_django = manage(
        "--series",
        counts,
        "--horizon",
        "0",
        "--traceback",
        "--settings",
        "config.settings",
        "--output",
        str(tmp_path / "o.csv"),
    )
    assert traced.returncode == traced_by_django.returncode == 1 and "Traceback" in traced.stderr
    last = "django.core.management.base.CommandError: --horizon must be between 1 and 120, not 0"
    assert traced.stderr.splitlines()[-1] == traced_by_django.stderr.splitlines()[-1] == last


def test_a_bad_command_line_is_refused_as_django_refuses_it(tmp_path: Path) -> None:
    quick = manage("--method", "flow", "--output", str(tmp_path / "o.csv"))
    assert quick.returncode == 2
    assert "manage.py forecast_demand: error: one of the arguments --ssda903 --series is required" in quick.stderr
    words = ["--series", "x.csv", "--no-color", "--force-color", "--output", str(tmp_path / "o.csv")]
    both = manage(*words)
    assert both.returncode == 1
    assert both.stderr == "CommandError: The --no-color and --force-color options can't be used together.\n"
    assert manage(*words, "--settings", "config.settings").stderr == both.stderr


def test_help_is_djangos_and_other_settings_are_left_to_django(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["manage.py", "forecast_demand", "--series", "x.csv", "--output", "o.csv"]
    assert run_without_setup([*argv, "--settings", "other"]) is None
    assert run_without_setup([*argv, "--pythonpath", "."]) is None
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "somewhere.else")
    assert run_without_setup(argv) is None
    helped = manage("--help")
    set_up = run_in_a_fresh_interpreter(
        "import django; django.setup()\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', 'forecast_demand', '--help'])\n"
    )
    assert helped.returncode == set_up.returncode == 0
    assert helped.stdout == set_up.stdout
    assert "--settings SETTINGS" in helped.stdout and "--no-back-test" in helped.stdout


def test_the_reading_limits_without_django_are_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.conf import settings

    assert Limits.from_environment() == Limits(
        upload_bytes=settings.OUTTURN_MAX_UPLOAD_BYTES,
        unpacked_bytes=settings.OUTTURN_MAX_UNPACKED_BYTES,
        rows=settings.OUTTURN_MAX_ROWS,
        columns=settings.OUTTURN_MAX_COLUMNS,
        cell_chars=settings.OUTTURN_MAX_CELL_CHARS,
    )
    monkeypatch.setenv("OUTTURN_MAX_ROWS", "12")
    assert Limits.from_environment().rows == 12
    # A deployment's limit holds without Django too: 30 month-ends are more than 12 rows.
    done = manage(
        "--series", monthly_counts(tmp_path), "--output", str(tmp_path / "o.csv"), env={"OUTTURN_MAX_ROWS": "12"}
    )
    assert done.returncode == 1 and "12" in done.stderr, done.stderr


def test_a_screen_that_stops_reading_leaves_the_file_written_and_no_traceback(tmp_path: Path) -> None:
    # As `manage.py forecast_demand ... | head -1`: the screen's reader is gone before a word is said.
    for extra in ([], ["--settings", "config.settings"]):
        out = tmp_path / "o.csv"
        words = ["--ssda903", *sample_files(), "--method", "flow", "--no-back-test", *extra, "--output", str(out)]
        process = subprocess.Popen(
            [sys.executable, "manage.py", "forecast_demand", *words],
            cwd=REPO,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        process.stdout.close()
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 1 and "Traceback" not in errors, errors
        assert out.read_text().startswith("series,date,p10,mid,p90,method")
        out.unlink()
