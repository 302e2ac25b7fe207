"""The test server for browser tests, safe when it shares the test's SQLite database.

An in-memory SQLite test database is one connection, which the test and the server's
threads share (Django's documentation warns against simultaneous queries on it). A
page that sends two requests at once (the guard's phone, back online, fetches the
revoked passes and sends its offline batch together) then interleaves the two
requests' statements on that one connection, and one request's transaction can take
in, and roll back, the other's insert: the batch answers "stored" for a scan that is
not there. With a shared connection the server answers one request at a time (each
still on its own thread, keep-alive as before); on PostgreSQL, where every thread has
its own connection, nothing changes.

Every request is also counted while it runs: a page may still be asking for something
when its test ends (the menu's badges are fetched once a page is drawn), and the test's
database must not be emptied under it. `wait_idle` waits for the last to finish. And
every request is noted as it arrives ("POST /outbox/sync/"), for a test that asks what
its pages sent meanwhile (`arrived`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

_RUNNING = threading.Condition()
_running = 0
_ARRIVED: list[str] = []


def arrived() -> list[str]:
    """Every request the test server has received in this process, "METHOD path", in
    the order they arrived: a test marks where it stands by its length."""
    with _RUNNING:
        return list(_ARRIVED)


def wait_idle(timeout: float = 15.0) -> bool:
    """Wait until the test server answers no request; whether it did within `timeout`."""
    with _RUNNING:
        return _RUNNING.wait_for(lambda: _running == 0, timeout=timeout)


def _counted(application: Callable[..., Any]) -> Callable[..., Any]:
    def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        global _running
        with _RUNNING:
            _running += 1
            _ARRIVED.append(f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}")
        try:
            result = application(environ, start_response)
            try:
                return list(result)  # the body is made while counted
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        finally:
            with _RUNNING:
                _running -= 1
                _RUNNING.notify_all()

    return counted


class OneAtATimeWhenShared(ThreadedWSGIServer):
    def set_app(self, application: Any) -> None:
        if not getattr(self, "connections_override", None):
            super().set_app(_counted(application))
            return
        lock = threading.Lock()

        def one_at_a_time(
            environ: dict[str, Any], start_response: Callable[..., Any]
        ) -> list[bytes]:
            with lock:
                result = application(environ, start_response)
                try:
                    return list(result)  # the body is read under the lock too
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()

        super().set_app(_counted(one_at_a_time))


def install() -> None:
    setattr(LiveServerThread, "server_class", OneAtATimeWhenShared)  # noqa: B010 - a class the stubs close
