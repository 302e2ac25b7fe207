"""A run on SQLite says loudly that the PostgreSQL-only tests did not run, and fails if
it was asked to run them (CI's PostgreSQL leg sets REQUIRE_POSTGRES_TESTS)."""

import os
import subprocess
import sys
from pathlib import Path

from tests.postgres import REQUIRED

ROOT = Path(__file__).resolve().parent.parent
ONE = "jijie/areas/tests/test_concurrency.py"  # one test, PostgreSQL only


def _run(**env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", REQUIRED}}
    return subprocess.run(  # noqa: S603 - this interpreter, this suite
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "--create-db", ONE],
        cwd=ROOT,
        env={**environ, "DJANGO_DEBUG": "true", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_run_without_postgresql_says_so_and_passes():
    run = _run()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "POSTGRESQL-ONLY TESTS NOT RUN: 1" in run.stdout


def test_a_run_that_requires_them_fails_without_postgresql():
    run = _run(**{REQUIRED: "1"})
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"{REQUIRED} is set: this run fails." in run.stdout
