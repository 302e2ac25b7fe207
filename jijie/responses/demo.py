"""Demo step: the 2020 epidemic response over 源城区."""

from jijie.areas.models import Area
from jijie.core.demo import DemoContext
from jijie.responses.models import Response
from jijie.responses.services import response_activate

ORDER = 30
NAME = "2020年新冠肺炎疫情防控"


def populate(ctx: DemoContext) -> None:
    district = Area.objects.get(code="441602")
    if not Response.objects.filter(area=district, name=NAME).exists():
        response_activate(actor=None, area=district, name=NAME, level="2", retention_days=30)
    ctx.out(f"  response: {NAME}")
