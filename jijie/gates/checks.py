"""System checks of the gates: the scan lane knows every middleware it answers for."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from jijie.gates import lane


@register()
def lane_knows_the_middleware(**kwargs: Any) -> list[CheckMessage]:
    """A middleware the scan lane neither replays nor knows to be silent would be left
    out of its answers: the lane's answer would differ from the view's."""
    if not getattr(settings, "GATES_FAST_SCAN", True):
        return []
    return [
        Error(
            f"The scan lane does not know what {name} adds to a scan's answer.",
            hint="Add it to jijie.gates.lane.REPLAYS if it adds headers to an API answer "
            "(its process_response is then run on the lane's answers), or to "
            "jijie.gates.lane.SILENT if it adds nothing to a scan sent with a bearer "
            "token; jijie/gates/tests/test_lane.py compares the lane's answers with the "
            "view's. GATES_FAST_SCAN=false sends every scan through the view instead.",
            id="gates.E001",
        )
        for name in lane.unknown_middleware()
    ]
