"""Races for the tests of row locks: calls started at the same moment in threads, each
on its own database connection (PostgreSQL; skipped elsewhere, CI runs it there)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections

from tests.postgres import require_postgres


def race(*calls: Callable[[], Any]) -> tuple[list[Any], list[str]]:
    """Run the calls at the same moment in threads; return (results, refusals)."""
    require_postgres("row locks")
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    refusals: list[str] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results.append(call())
        except ValidationError as refusal:
            refusals.append(" ".join(refusal.messages))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results, refusals
