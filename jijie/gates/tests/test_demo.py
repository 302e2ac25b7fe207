"""The demo step: gates, rules, passes and passages at 新港路社区; running it twice
changes nothing."""

from jijie.audit.actors import SYSTEM
from jijie.core.demo import DemoContext
from jijie.gates import demo
from jijie.gates.models import Gate, GateRule, Pass, Scan
from jijie.residents.services import do_household_register
from jijie.responses.services import do_response_activate


def test_demo_is_idempotent(tree):
    do_response_activate(actor=SYSTEM, area=tree.district, name="2020年新冠肺炎疫情防控", level="2")
    for door in ("101", "102", "103"):
        do_household_register(actor=SYSTEM, building=tree.building, door_number=door)
    ctx = DemoContext(scale="small", seed=2020, out=lambda line: None)
    demo.populate(ctx)
    counts = (
        Gate.objects.count(),
        GateRule.objects.count(),
        Pass.objects.count(),
        Scan.objects.count(),
    )
    demo.populate(ctx)
    assert counts == (2, 2, 3, 3)
    assert (
        Gate.objects.count(),
        GateRule.objects.count(),
        Pass.objects.count(),
        Scan.objects.count(),
    ) == counts
