"""The household's page lists what the user may do for it, each action registered by the
app that does it (care, gates, screening) and arriving on its form with the household
already chosen."""

from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.residents.services import do_household_flags_set


def actions_on(client, household):
    page = client.get(reverse("residents:household", args=[household.pk]))
    assert page.status_code == 200
    return {a.key: a.url for a in page.context["actions"]}


def test_the_secretary_may_open_a_case_issue_passes_and_ask_an_errand(
    client, actors, homes, response, tree
):
    client.force_login(actors.manager)
    found = actions_on(client, homes.wang)
    assert found["case-new"] == (
        reverse("care:case_new", args=[tree.community.code]) + f"?household={homes.wang.pk}"
    )
    assert found["errand-new"] == reverse("care:errand_new") + f"?household={homes.wang.pk}"
    assert found["passes"] == reverse("gates:passes") + f"?building={tree.building.code}"
    assert "visit" not in found  # no sweep is running
    assert "plan-new" not in found  # not a hardship household
    # The link arrives on the form with the household chosen: its people to pick from.
    form = client.get(found["case-new"])
    assert form.status_code == 200
    assert form.context["household"] == homes.wang
    assert "王小明" in form.content.decode()


def test_a_household_under_isolation_links_to_its_case(client, actors, homes, case):
    client.force_login(actors.manager)
    found = actions_on(client, homes.wang)
    assert found["case"] == reverse("care:case", args=[case.pk])
    assert "case-new" not in found
    page = client.get(reverse("residents:household", args=[homes.wang.pk])).content.decode()
    assert "居家隔离户" in page


def test_a_hardship_household_offers_a_plan(client, actors, homes, response):
    homes.zhao.refresh_from_db()
    do_household_flags_set(
        actor=SYSTEM,
        household=homes.zhao,
        version=homes.zhao.version,
        kind=homes.zhao.kind,
        is_party_centre=False,
        is_home_isolation=False,
        is_hardship=True,
    )
    client.force_login(actors.manager)
    assert "plan-new" in actions_on(client, homes.zhao)


def test_each_role_sees_only_what_it_may_do(client, actors, homes, response):
    client.force_login(actors.grid_worker)
    assert set(actions_on(client, homes.wang)) == {"errand-new"}  # no case, no passes
    client.force_login(actors.guard)
    assert actions_on(client, homes.wang) == {}
    client.force_login(actors.street)
    assert actions_on(client, homes.wang) == {}  # reads care, does none of it here
