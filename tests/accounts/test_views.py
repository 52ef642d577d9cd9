from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import PermissionSet, Team, User
from core.models import AuditEntry
from tests.factories import PermissionSetFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]

# (url name, args from the fixtures, who may open it)
USERS_PAGES = ["accounts:user_list", "accounts:user_create", "accounts:team_list", "accounts:team_create"]
ADMIN_ONLY_PAGES = ["accounts:permission_set_list", "accounts:permission_set_create", "accounts:audit_log"]


def _url(name: str, **ids: int) -> str:
    return reverse(name, kwargs=ids or None)


class TestAccess:
    @pytest.mark.parametrize(
        "name",
        [*USERS_PAGES, *ADMIN_ONLY_PAGES, "accounts:home", "accounts:preferences", "accounts:settings"],
    )
    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client: Client, name: str) -> None:
        response = client.get(_url(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))

    @pytest.mark.parametrize("name", [*USERS_PAGES, *ADMIN_ONLY_PAGES])
    @pytest.mark.parametrize("persona", ["outsider", "agent", "collaborator"])
    def test_users_without_settings_access_get_403(
        self, request: pytest.FixtureRequest, client_for: ClientFor, name: str, persona: str
    ) -> None:
        response = client_for(request.getfixturevalue(persona)).get(_url(name))
        assert response.status_code == 403

    @pytest.mark.parametrize("name", ADMIN_ONLY_PAGES)
    def test_a_manager_cannot_open_permission_sets_or_the_audit_log(
        self, client_for: ClientFor, manager: User, name: str
    ) -> None:
        assert client_for(manager).get(_url(name)).status_code == 403

    @pytest.mark.parametrize("name", USERS_PAGES)
    def test_a_manager_can_manage_users_and_teams(
        self, client_for: ClientFor, manager: User, name: str
    ) -> None:
        assert client_for(manager).get(_url(name)).status_code == 200

    @pytest.mark.parametrize("name", [*USERS_PAGES, *ADMIN_ONLY_PAGES])
    def test_an_admin_can_open_every_settings_page(
        self, client_for: ClientFor, owner: User, name: str
    ) -> None:
        assert client_for(owner).get(_url(name)).status_code == 200

    def test_edit_pages_need_the_capability_too(
        self, client_for: ClientFor, agent: User, manager: User, owner: User
    ) -> None:
        team = TeamFactory()
        custom = PermissionSetFactory()
        for url in [
            _url("accounts:user_edit", user_id=manager.pk),
            _url("accounts:team_edit", team_id=team.pk),
            _url("accounts:permission_set_edit", permission_set_id=custom.pk),
        ]:
            assert client_for(agent).get(url).status_code == 403
            assert client_for(owner).get(url).status_code == 200

    @pytest.mark.parametrize(
        "name,kwarg",
        [
            ("accounts:user_deactivate", "user_id"),
            ("accounts:user_reactivate", "user_id"),
            ("accounts:team_delete", "team_id"),
            ("accounts:permission_set_delete", "permission_set_id"),
        ],
    )
    def test_actions_refuse_an_outsider(
        self, client_for: ClientFor, outsider: User, name: str, kwarg: str
    ) -> None:
        target = {"user_id": UserFactory, "team_id": TeamFactory, "permission_set_id": PermissionSetFactory}[
            kwarg
        ]()
        response = client_for(outsider).post(_url(name, **{kwarg: target.pk}))
        assert response.status_code == 403
        assert not AuditEntry.objects.exists()

    def test_a_missing_object_is_404(self, client_for: ClientFor, owner: User) -> None:
        assert client_for(owner).get(_url("accounts:user_edit", user_id=999999)).status_code == 404
        assert client_for(owner).get(_url("accounts:team_edit", team_id=999999)).status_code == 404

    def test_the_django_admin_is_403_without_settings_access(
        self, client_for: ClientFor, agent: User
    ) -> None:
        assert client_for(agent).get("/admin/").status_code == 403
        assert client_for(agent).get("/admin/accounts/user/").status_code == 403

    def test_the_django_admin_opens_for_an_admin(self, client_for: ClientFor, owner: User) -> None:
        response = client_for(owner).get("/admin/")
        assert response.status_code == 200
        assert client_for(owner).get("/admin/core/auditentry/").status_code == 200

    def test_the_django_admin_sends_anonymous_visitors_to_the_app_sign_in(self, client: Client) -> None:
        response = client.get("/admin/", follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))


class TestNavigation:
    def test_an_agent_sees_no_administration_links(self, client_for: ClientFor, agent: User) -> None:
        html = client_for(agent).get(reverse("accounts:home")).content.decode()
        assert reverse("accounts:user_list") not in html
        assert reverse("accounts:permission_set_list") not in html
        assert "/admin/" not in html

    def test_an_admin_sees_every_settings_link(self, client_for: ClientFor, owner: User) -> None:
        html = client_for(owner).get(reverse("accounts:preferences")).content.decode()
        for name in [
            "accounts:user_list",
            "accounts:team_list",
            "accounts:permission_set_list",
            "accounts:audit_log",
        ]:
            assert reverse(name) in html

    def test_pages_other_apps_register_show_in_settings_for_those_who_may_open_them(
        self, client_for: ClientFor, owner: User, manager: User
    ) -> None:
        tags_url = reverse("conversations:settings_tags")
        html = client_for(owner).get(reverse("accounts:preferences")).content.decode()
        assert tags_url in html
        assert ">Workspace<" in html
        manager_html = client_for(manager).get(reverse("accounts:preferences")).content.decode()
        assert tags_url not in manager_html  # managers do not configure the workspace

    def test_settings_sends_an_agent_to_preferences(self, client_for: ClientFor, agent: User) -> None:
        response = client_for(agent).get(reverse("accounts:settings"))
        assert response.url == reverse("accounts:preferences")

    def test_every_page_carries_csrf_on_body_and_no_inline_script(
        self, client_for: ClientFor, owner: User
    ) -> None:
        html = client_for(owner).get(reverse("accounts:user_list")).content.decode()
        assert '<body class="app" hx-headers=\'{"X-CSRFToken": "' in html
        assert "<script>" not in html
        assert "<script src=" in html


class TestUserScreens:
    def test_an_admin_creates_a_user_with_a_permission_set(self, client_for: ClientFor, owner: User) -> None:
        manager_set = PermissionSet.objects.get(name="Manager")
        team = TeamFactory(name="Support")
        response = client_for(owner).post(
            reverse("accounts:user_create"),
            {
                "email": "new.hire@example.com",
                "display_name": "New Hire",
                "user_type": "full_time",
                "permission_sets": [manager_set.pk],
                "teams": [team.pk],
                "password": "a-temporary-passphrase",
            },
        )
        assert response.status_code == 302
        user = User.objects.get(email="new.hire@example.com")
        assert list(user.permission_sets.all()) == [manager_set]
        assert list(user.teams.all()) == [team]
        assert user.check_password("a-temporary-passphrase")
        assert AuditEntry.objects.for_object(user).filter(action="create", actor=owner).exists()

    def test_an_invalid_form_keeps_what_was_typed(
        self, client_for: ClientFor, owner: User, agent: User
    ) -> None:
        response = client_for(owner).post(
            reverse("accounts:user_create"),
            {"email": "agent@example.com", "display_name": "Typed Name", "user_type": "seasonal"},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert 'value="Typed Name"' in html
        assert "A seasonal user needs the first day" in html or "already exists" in html
        assert User.objects.filter(display_name="Typed Name").count() == 0

    def test_demoting_the_owner_is_refused_with_a_message(self, client_for: ClientFor, owner: User) -> None:
        response = client_for(owner).post(
            reverse("accounts:user_edit", args=[owner.pk]),
            {
                "email": owner.email,
                "display_name": owner.display_name,
                "user_type": "full_time",
                "permission_sets": [PermissionSet.objects.get(name="User").pk],
            },
        )
        assert response.status_code == 200
        assert "cannot be demoted" in response.content.decode()
        assert list(owner.permission_sets.values_list("name", flat=True)) == ["Admin"]

    def test_another_admin_cannot_post_changes_to_the_owner(
        self, client_for: ClientFor, owner: User, admin_user: User
    ) -> None:
        response = client_for(admin_user).post(
            reverse("accounts:user_edit", args=[owner.pk]),
            {"email": owner.email, "display_name": "Hijacked", "user_type": "full_time"},
        )
        assert response.status_code == 403
        owner.refresh_from_db()
        assert owner.display_name == "Olivia Owner"

    def test_deactivate_over_htmx_returns_the_row_and_an_event(
        self, client_for: ClientFor, owner: User, agent: User
    ) -> None:
        response = client_for(owner).post(
            reverse("accounts:user_deactivate", args=[agent.pk]), headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert html.strip().startswith(f'<tr id="user-row-{agent.pk}"')
        assert "Deactivated" in html
        assert json.loads(response["HX-Trigger"]) == {"userChanged": {"id": agent.pk, "active": False}}
        agent.refresh_from_db()
        assert not agent.is_active

    def test_deactivate_without_javascript_redirects_with_a_message(
        self, client_for: ClientFor, owner: User, agent: User
    ) -> None:
        response = client_for(owner).post(reverse("accounts:user_deactivate", args=[agent.pk]), follow=True)
        assert "is deactivated" in response.content.decode()

    def test_the_list_filters_by_search_over_htmx(
        self, client_for: ClientFor, owner: User, agent: User
    ) -> None:
        response = client_for(owner).get(
            reverse("accounts:user_list"), {"q": "alex"}, headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert html.strip().startswith('<div id="user-list">')
        assert "agent@example.com" in html
        assert "owner@example.com" not in html

    def test_the_list_says_what_to_do_when_empty(self, client_for: ClientFor, owner: User) -> None:
        html = client_for(owner).get(reverse("accounts:user_list"), {"q": "no-such-person"}).content.decode()
        assert "No users match these filters." in html


class TestTeamAndPermissionSetScreens:
    def test_an_admin_creates_a_team_with_members(
        self, client_for: ClientFor, owner: User, agent: User
    ) -> None:
        response = client_for(owner).post(
            reverse("accounts:team_create"), {"name": "Returns", "description": "RMAs", "members": [agent.pk]}
        )
        assert response.status_code == 302
        assert list(Team.objects.get(name="Returns").members.all()) == [agent]

    def test_the_eleventh_custom_set_is_refused_on_the_form(self, client_for: ClientFor, owner: User) -> None:
        for n in range(10):
            PermissionSetFactory(name=f"Set {n}")
        response = client_for(owner).post(
            reverse("accounts:permission_set_create"), {"name": "Eleventh", "capabilities": ["add_notes"]}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "already has 10 custom permission sets" in html
        assert 'value="Eleventh"' in html

    def test_a_default_set_is_shown_read_only_and_cannot_be_posted(
        self, client_for: ClientFor, owner: User
    ) -> None:
        user_set = PermissionSet.objects.get(name="User")
        page = client_for(owner).get(reverse("accounts:permission_set_edit", args=[user_set.pk]))
        assert "cannot be changed" in page.content.decode()
        response = client_for(owner).post(
            reverse("accounts:permission_set_edit", args=[user_set.pk]),
            {"name": "Hacked", "capabilities": []},
        )
        assert response.status_code == 403
        user_set.refresh_from_db()
        assert user_set.name == "User"


class TestAuditLogScreen:
    def test_it_filters_by_user_object_and_date(
        self, client_for: ClientFor, owner: User, agent: User
    ) -> None:
        from accounts import services

        services.team_create(actor=owner, name="Visible")
        services.user_update_preferences(user=agent, timezone="Asia/Tokyo")
        client = client_for(owner)
        html = client.get(reverse("accounts:audit_log"), {"actor": owner.pk}).content.decode()
        assert "Visible" in html
        assert "Asia/Tokyo" not in html
        html = client.get(reverse("accounts:audit_log"), {"object_type": "accounts.user"}).content.decode()
        assert "Asia/Tokyo" in html
        assert "Visible" not in html
        html = client.get(reverse("accounts:audit_log"), {"date_to": "2000-01-01"}).content.decode()
        assert "No changes match these filters." in html


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


class TestQueryCounts:
    """Each list costs the same number of queries for 1 row as for 20 (no N+1)."""

    def test_user_list(self, client_for: ClientFor, owner: User) -> None:
        client, url = client_for(owner), reverse("accounts:user_list")
        team = TeamFactory()
        one = _count_queries(client, url)
        for _ in range(20):
            user = UserFactory(sets=["User"])
            user.teams.add(team)
        assert _count_queries(client, url) == one

    def test_team_list(self, client_for: ClientFor, owner: User) -> None:
        client, url = client_for(owner), reverse("accounts:team_list")
        TeamFactory().permission_sets.add(PermissionSet.objects.get(name="User"))
        one = _count_queries(client, url)
        for _ in range(20):
            TeamFactory().permission_sets.add(PermissionSet.objects.get(name="User"))
        assert _count_queries(client, url) == one

    def test_permission_set_list(self, client_for: ClientFor, owner: User) -> None:
        client, url = client_for(owner), reverse("accounts:permission_set_list")
        one = _count_queries(client, url)
        for n in range(10):
            PermissionSetFactory(name=f"Set {n}")
        assert _count_queries(client, url) == one

    def test_audit_log(self, client_for: ClientFor, owner: User) -> None:
        from accounts import services

        client, url = client_for(owner), reverse("accounts:audit_log")
        services.team_create(actor=owner, name="First")
        one = _count_queries(client, url)
        for n in range(20):
            services.team_create(actor=UserFactory(), name=f"Team {n}")
        assert _count_queries(client, url) == one


class TestDjangoAdminPasswordChange:
    def test_it_sends_the_admin_to_preferences_where_the_change_is_audited(
        self, client_for: ClientFor, owner: User
    ) -> None:
        response = client_for(owner).get("/admin/password_change/")
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:preferences"))
