"""Tests that run on PostgreSQL only (row locks, the scan lane), and a run that says so
loudly when they did not run.

A test needs PostgreSQL by its marker (`@pytest.mark.postgres_only`, or
`pytestmark`) or, where the need shows only once it runs, by `require_postgres()`. On
another database it is skipped with `REASON`; the run then ends with a banner that names
how many did not run. With `REQUIRE_POSTGRES_TESTS` set (CI's PostgreSQL leg), a run in
which any of them did not run fails, and so does one that is not on PostgreSQL at all.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection

REASON = "needs PostgreSQL"
REQUIRED = "REQUIRE_POSTGRES_TESTS"


def require_postgres(what: str) -> None:
    """Skip the running test unless the suite is on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip(f"{REASON}: {what}")


def skip_unless_postgres(item: pytest.Item) -> None:
    """`pytest_runtest_setup`: the `postgres_only` marker's skip."""
    marker = item.get_closest_marker("postgres_only")
    if marker is not None:
        require_postgres(str(marker.args[0]) if marker.args else item.nodeid)


def _is_postgres_skip(report: pytest.TestReport) -> bool:
    if not report.skipped or not isinstance(report.longrepr, tuple):
        return False
    return REASON in str(report.longrepr[2])


class Tally:
    """Counts, in the process that reports (xdist's controller), the tests skipped for
    want of PostgreSQL."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if _is_postgres_skip(report):
            self.skipped.append(report.nodeid)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not os.environ.get(REQUIRED):
            return
        on_postgres = connection.vendor == "postgresql"
        if self.skipped or not on_postgres:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.skipped:
            return
        count = len(self.skipped)
        terminalreporter.write_sep(
            "!", f"POSTGRESQL-ONLY TESTS NOT RUN: {count}", red=True, bold=True
        )
        terminalreporter.write_line(
            "Row locks and the scan lane are tested on PostgreSQL only. Run them with"
        )
        terminalreporter.write_line(
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/jijie make test PYTEST_ARGS=--create-db"
        )
        if os.environ.get(REQUIRED):
            terminalreporter.write_line(f"{REQUIRED} is set: this run fails.", red=True)


def install(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres_only(what): runs on PostgreSQL only; skipped, loudly, elsewhere"
    )
    if not hasattr(config, "workerinput"):  # xdist's workers report to the controller
        config.pluginmanager.register(Tally(), "postgres-tally")
