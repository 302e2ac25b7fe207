"""The household's page offers a visit for each sweep running today that holds it, to
those who knock on its door."""

from datetime import timedelta

from django.urls import reverse


def actions_on(client, household):
    page = client.get(reverse("residents:household", args=[household.pk]))
    assert page.status_code == 200
    return {a.key: a for a in page.context["actions"]}


def test_a_running_sweep_offers_a_visit(client, actors, campaign, households, time_machine):
    time_machine.move_to(campaign.starts_on.isoformat() + "T10:00+08:00", tick=False)
    client.force_login(actors.grid_worker)
    visit = actions_on(client, households[0])["visit"]
    assert visit.url == reverse("screening:visit", args=[campaign.pk, households[0].pk])
    assert visit.note == "第一轮扫楼"
    assert client.get(visit.url).status_code == 200
    client.force_login(actors.guard)  # reads the registry, knocks on no door
    assert "visit" not in actions_on(client, households[0])
    client.force_login(actors.manager)  # the secretary knocks on doors of every grid
    assert "visit" in actions_on(client, households[3])
    page = reverse("residents:household", args=[households[4].pk])
    assert client.get(page).status_code == 404  # the sibling community's door
    # Once the sweep is over, it offers nothing.
    time_machine.move_to(
        (campaign.ends_on + timedelta(days=1)).isoformat() + "T10:00+08:00", tick=False
    )
    client.force_login(actors.grid_worker)
    assert "visit" not in actions_on(client, households[0])


def offers_on(client, area):
    page = client.get(reverse("areas:detail", args=[area.code]))
    assert page.status_code == 200
    return {o.key: o for o in page.context["offers"]}


def test_an_areas_page_offers_what_each_app_does_there(
    client, actors, campaign, tree, time_machine
):
    time_machine.move_to(campaign.starts_on.isoformat() + "T10:00+08:00", tick=False)
    client.force_login(actors.grid_worker)
    found = offers_on(client, tree.building)
    # the grid worker knocks on the building's doors, keeps its households, sees care
    assert found["sweep"].url == reverse("screening:doors", args=[campaign.pk, tree.building.code])
    assert found["households"].url == reverse("residents:list") + f"?area={tree.building.code}"
    assert found["household-new"].url.endswith(f"?building={tree.building.code}")
    assert found["care-plan"].url == reverse("care:building") + f"?building={tree.building.code}"
    assert found["passes"].url == reverse("gates:passes") + f"?building={tree.building.code}"
    for offer in found.values():
        assert client.get(offer.url).status_code == 200, offer
    client.force_login(actors.street)
    found = offers_on(client, tree.community)
    assert found["sweep"].url.endswith(f"?area={tree.community.code}")  # the coverage
    assert found["care-board"].url == reverse("care:board", args=[tree.community.code])
    assert found["duty-board"].url == reverse("duty:board", args=[tree.community.code])
    assert "household-new" not in found
    for offer in found.values():
        assert client.get(offer.url).status_code == 200, offer
    client.force_login(actors.auditor)  # sees the tree, does none of this
    assert offers_on(client, tree.community) == {}
