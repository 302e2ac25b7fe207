"""Demo step: the epidemic response over 源城区, begun three weeks before the demo's
today. Its name carries no year, so that it never contradicts its start."""

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.core.demo import DemoContext
from jijie.responses.models import Response
from jijie.responses.services import do_response_activate

ORDER = 30
NAME = "新冠肺炎疫情防控"
DAYS_AGO = 21  # before the first call-up, the cases and the sweep of the later steps


def populate(ctx: DemoContext) -> None:
    district = Area.objects.get(code="441602")
    if not Response.objects.filter(area=district, name=NAME).exists():
        response = do_response_activate(
            actor=SYSTEM, area=district, name=NAME, level="2", retention_days=30
        )
        # The service starts a response at the present; the demo's began weeks ago.
        response.started_at = ctx.at(-DAYS_AGO, 9)
        response.save(update_fields=["started_at"])
    ctx.out(f"  response: {NAME}")
