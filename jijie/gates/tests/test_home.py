"""A guard's home leads straight to the scan page of each gate they keep."""

from django.urls import reverse


def test_a_guard_finds_their_gate_on_home(client, actors, setup):
    client.force_login(actors.guard)
    html = client.get(reverse("accounts:home")).content.decode()
    assert 'data-testid="card-gate"' in html
    assert reverse("gates:scan", args=[setup.gate.pk]) in html
    assert setup.gate.name in html


def test_other_roles_get_no_gate_card(client, actors, setup):
    client.force_login(actors.manager)  # may scan too, but keeps no gate
    html = client.get(reverse("accounts:home")).content.decode()
    assert 'data-testid="card-gate"' not in html
