"""The funds' and supplies' read API with three actors (the keeper, a lower role, an
outsider): money and quantities as strings, never JSON numbers; scoped as the pages."""

from datetime import date

from jijie.accounts.services import token_create
from jijie.audit.actors import SYSTEM
from jijie.funds import services
from jijie.funds.tests.fixtures import income
from jijie.supplies.tests.fixtures import receive


def _headers(user, scopes=("funds", "supplies")):
    return {"Authorization": f"Bearer {token_create(user=user, name='phone', scopes=scopes)}"}


def test_the_books_read_by_three_actors_money_as_strings(client, books, actors):
    income(books, "1000", holder=books.community)
    services.do_donation_record(
        actor=SYSTEM, response=books.response, holder=books.community,
        data=services.DonationData(
            donor_kind="person", donor="", disclose=False, amount="2000.10",
            fund=books.donations, received_on=date(2026, 3, 1),
        ),
    )  # fmt: skip
    keeper = _headers(actors.manager)
    funds = client.get("/api/funds/funds", headers=keeper).json()
    assert {f["name"] for f in funds} == {"党费专项", "防疫捐款"}
    accounts = client.get(f"/api/funds/funds/{books.party_fees.pk}/accounts", headers=keeper)
    assert accounts.json() == [
        {
            "holder_id": books.community.pk, "holder": "新港路社区", "received": "1000.00",
            "allocated": "0.00", "spent": "0.00", "balance": "1000.00",
        }
    ]  # fmt: skip
    donations = client.get("/api/funds/donations", headers=keeper).json()
    assert [(d["amount"], d["donor"], d["disclose"]) for d in donations["items"]] == [
        ("2000.10", "", False)
    ]
    # the outsider sees the district's funds, none of this community's books
    outsider = _headers(actors.outsider)
    accounts = client.get(f"/api/funds/funds/{books.party_fees.pk}/accounts", headers=outsider)
    assert accounts.json() == []
    assert client.get("/api/funds/donations", headers=outsider).json()["items"] == []
    # a lower role has no funds at all; a token without the part may not call it
    lower = _headers(actors.lower)
    assert client.get("/api/funds/funds", headers=lower).status_code == 403
    assert client.get("/api/funds/donations", headers=lower).status_code == 403
    only_gates = _headers(actors.manager, scopes=("gates",))
    assert client.get("/api/funds/funds", headers=only_gates).status_code == 403
    assert client.get("/api/funds/funds/999999/accounts", headers=keeper).status_code == 404


def test_the_stock_read_by_three_actors_quantities_as_strings(client, supplies, actors):
    receive(supplies, supplies.community, supplies.disinfectant, "12.5", lot="X")
    keeper = _headers(actors.manager)
    stores = client.get("/api/supplies/stores", headers=keeper).json()
    assert [s["name"] for s in stores] == ["新港路社区物资室"]
    stock = client.get(f"/api/supplies/stores/{supplies.community.pk}/stock", headers=keeper)
    assert stock.json() == [
        {
            "item_id": supplies.disinfectant.pk, "item": "84消毒液", "unit": "升", "lot": "X",
            "expires_on": None, "quantity": "12.5",
        }
    ]  # fmt: skip
    outsider = _headers(actors.outsider)
    url = f"/api/supplies/stores/{supplies.community.pk}/stock"
    assert client.get(url, headers=outsider).status_code == 404
    assert client.get("/api/supplies/stores", headers=_headers(actors.guard)).status_code == 403
