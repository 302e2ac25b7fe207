"""The user's own account page, where the username in the menu leads."""

from django.urls import reverse

from jijie.accounts.services import token_create


def test_the_profile_shows_roles_second_factor_and_live_tokens(
    client, actors, django_assert_max_num_queries
):
    token_create(user=actors.manager, name="phone")
    client.force_login(actors.manager)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("accounts:profile"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "社区书记" in html
    assert "新港路社区" in html
    assert "您的角色需要启用" in html  # a secretary may reveal, and has no second factor yet
    assert "1 个有效" in html
    for name in ("accounts:password_change", "accounts:mfa", "accounts:tokens"):
        assert reverse(name) in html


def test_the_menu_names_the_user_and_leads_to_the_profile(client, actors):
    client.force_login(actors.lower)
    html = client.get(reverse("accounts:home")).content.decode()
    assert f'href="{reverse("accounts:profile")}" data-testid="me">lower<' in html


def test_the_profile_is_for_the_signed_in(client, db):
    answer = client.get(reverse("accounts:profile"))
    assert answer.status_code == 302
    assert reverse("accounts:login") in answer["Location"]
