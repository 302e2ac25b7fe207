"""A running sweep on a grid worker's home, with the doors not yet reached."""

from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.screening.services import VisitData, do_visit_record


def test_the_grid_worker_sees_the_sweep_and_the_doors_left(client, actors, campaign, time_machine):
    time_machine.move_to(campaign.starts_on.isoformat() + "T10:00+08:00", tick=False)
    client.force_login(actors.grid_worker)
    html = client.get(reverse("accounts:home")).content.decode()
    card = html[html.index('data-testid="card-sweep"') :]
    assert campaign.name in card[:300]
    assert '<span class="badge">3</span>' in card[:400]  # three doors of grid 01
    assert reverse("screening:coverage", args=[campaign.pk]) in card


def test_no_sweep_card_for_who_does_not_visit(client, actors, campaign):
    client.force_login(actors.auditor)
    html = client.get(reverse("accounts:home")).content.decode()
    assert 'data-testid="card-sweep"' not in html


def test_the_street_sees_the_sweeps_coverage_and_who_is_behind(
    client, actors, campaign, households, time_machine
):
    time_machine.move_to(campaign.starts_on.isoformat() + "T10:00+08:00", tick=False)
    do_visit_record(
        actor=SYSTEM,
        campaign=campaign,
        household=households[0],
        data=VisitData(mode="door", outcome="done", answers={}),
    )
    client.force_login(actors.street)
    html = client.get(reverse("accounts:home")).content.decode()
    card = html[html.index('data-testid="card-sweep-progress"') :][:900]
    assert campaign.name in card
    assert "新港路社区 25.0%" in card  # one door of four
    assert '<span class="badge">3</span>' in card  # doors not reached
    client.force_login(actors.grid_worker)  # who knocks on doors has their own card
    html = client.get(reverse("accounts:home")).content.decode()
    assert 'data-testid="card-sweep-progress"' not in html
