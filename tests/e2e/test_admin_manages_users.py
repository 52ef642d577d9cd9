"""The admin flow of the foundation issue, in a real browser.

The admin signs in, creates a team, creates a user with a permission set; that user signs
in and sees what the set allows and nothing more.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Team, User
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_creates_a_team_and_a_manager_who_sees_only_what_the_set_allows(page: Any) -> None:
    UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])

    sign_in(page, "owner@example.com", PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Olivia")).to_be_visible()

    # Settings > Users > Teams > Add Team
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Teams").click()
    expect(page.get_by_text("No teams yet.")).to_be_visible()
    page.get_by_role("link", name="Add Team").click()
    page.get_by_label("Name").fill("Tier 2")
    page.get_by_label("Description").fill("Escalations from the front line")
    page.get_by_role("button", name="Create Team").click()
    expect(page.get_by_text("Team “Tier 2” is created.")).to_be_visible()
    expect(page.get_by_role("link", name="Tier 2")).to_be_visible()

    # Settings > Users > Users > Add User, with the Manager set and the new team
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("link", name="Add User").click()
    page.get_by_label("Display name").fill("Morgan Manager")
    page.get_by_label("Email").fill("morgan@example.com")
    expect(page.get_by_label("Active from")).to_be_hidden()  # only for seasonal seats
    page.get_by_label("Manager", exact=True).check()
    page.get_by_label("Tier 2").check()
    page.get_by_label("Temporary password").fill("morgans-first-passphrase")
    page.get_by_role("button", name="Create User").click()
    expect(page.get_by_text("Morgan Manager can now sign in")).to_be_visible()
    row = page.locator("tr", has_text="morgan@example.com")
    expect(row).to_contain_text("Manager")
    expect(row).to_contain_text("Tier 2")

    morgan = User.objects.get(email="morgan@example.com")
    assert list(Team.objects.get(name="Tier 2").members.all()) == [morgan]

    # Sign out through the user menu
    page.get_by_label("User menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    # Morgan signs in and sees what the Manager set allows, and nothing more
    sign_in(page, "morgan@example.com", "morgans-first-passphrase")
    access = page.locator("#my-access")
    expect(access).to_contain_text("Manager")
    expect(access).to_contain_text("Tier 2")
    expect(access.locator("li.granted", has_text="Run searches")).to_be_visible()
    expect(access.locator("li.denied", has_text="Manage permission sets")).to_be_visible()

    page.get_by_role("link", name="Settings", exact=True).click()
    settings_nav = page.get_by_role("navigation", name="Settings")
    expect(settings_nav.get_by_role("link", name="Users", exact=True)).to_be_visible()
    expect(settings_nav.get_by_role("link", name="Teams")).to_be_visible()
    expect(settings_nav.get_by_role("link", name="Permission Sets")).to_have_count(0)
    expect(settings_nav.get_by_role("link", name="Audit Log")).to_have_count(0)

    response = page.goto("/settings/permission-sets/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You don’t have access to this page")).to_be_visible()


def test_an_agent_sees_no_settings_beyond_preferences_and_saves_them(page: Any) -> None:
    UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    sign_in(page, "agent@example.com", PASSWORD)

    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("heading", name="Preferences", level=1)).to_be_visible()
    settings_nav = page.get_by_role("navigation", name="Settings")
    expect(settings_nav.get_by_role("link")).to_have_count(1)

    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_label("Email me when a conversation is assigned to me").check()
    page.get_by_role("button", name="Save Changes").click()
    expect(page.get_by_text("Your preferences are saved.")).to_be_visible()
    agent = User.objects.get(email="agent@example.com")
    assert agent.timezone == "Europe/Paris"
    assert agent.notify_assignments_email is True

    assert page.goto("/settings/users/").status == 403
    assert page.goto("/admin/").status == 403


def test_the_user_list_searches_as_you_type_and_deactivates_in_place(page: Any) -> None:
    UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    UserFactory(email="sam@example.com", display_name="Sam Support", sets=["User"])
    UserFactory(email="kim@example.com", display_name="Kim Billing", sets=["User"])
    sign_in(page, "owner@example.com", PASSWORD)
    page.goto("/settings/users/")

    page.get_by_placeholder("Search by name or email").fill("sam")
    expect(page.locator("#user-list tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/settings/users/\?q=sam"))

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Deactivate").click()
    row = page.locator("tr", has_text="sam@example.com")
    expect(row).to_contain_text("Deactivated")
    expect(row.get_by_role("button", name="Reactivate")).to_be_visible()
    assert User.objects.get(email="sam@example.com").is_active is False
