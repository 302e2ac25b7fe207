"""The system check that keeps the scan lane's answers and the view's alike."""

from django.core import checks

from jijie.gates import lane


def _errors():
    return [m for m in checks.run_checks() if m.id == "gates.E001"]


def test_the_settings_middleware_are_all_known_to_the_lane():
    assert _errors() == []


def test_a_middleware_the_lane_does_not_know_is_an_error(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "example.middleware.AddsAHeader"]
    (error,) = _errors()
    assert "example.middleware.AddsAHeader" in error.msg
    assert lane.unknown_middleware() == ["example.middleware.AddsAHeader"]


def test_no_error_when_the_lane_is_off(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "example.middleware.AddsAHeader"]
    settings.GATES_FAST_SCAN = False
    assert _errors() == []
