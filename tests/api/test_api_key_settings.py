"""Settings > Security > API Keys: list, Add API Key (shown once, stored hashed), Revoke."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.capabilities import Capability
from accounts.models import PermissionSet, User
from api.models import ApiKey
from core.models import AuditEntry
from tests.api.conftest import ApiGet, MakeKey
from tests.conversations.factories import ConversationFactory
from tests.factories import PermissionSetFactory, UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
LIST = "/settings/security/api-keys/"
NEW = "/settings/security/api-keys/new/"


def revoke_url(api_key: ApiKey) -> str:
    return f"/settings/security/api-keys/{api_key.pk}/revoke/"


def set_ids(*names: str) -> list[int]:
    return list(PermissionSet.objects.filter(name__in=names).values_list("pk", flat=True))


def everything_stored() -> str:
    """Every row of every table, as text: to prove a secret is nowhere in the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        dump = []
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 (names from the catalog)
            dump.extend(row[0] for row in cursor.fetchall())
    return "\n".join(dump)


class TestList:
    def test_it_says_what_to_do_when_there_are_no_keys(self, client_for: ClientFor, owner: User) -> None:
        response = client_for(owner).get(LIST)

        assert response.status_code == 200
        assert "No API keys yet." in response.text
        assert 'href="/settings/security/api-keys/new/"' in response.text

    def test_it_lists_keys_with_prefix_sets_expiry_last_use_and_status(
        self, client_for: ClientFor, owner: User, make_key: MakeKey
    ) -> None:
        expires = timezone.now() + datetime.timedelta(days=30)
        active, full_key = make_key("User", "Manager", name="Order sync", expires_at=expires)
        revoked, _ = make_key("User", name="Old export")
        ApiKey.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())

        text = client_for(owner).get(LIST).text

        assert "Order sync" in text and "Old export" in text
        assert f"kc_{active.prefix}…" in text
        assert full_key not in text
        assert '<span class="pill">Manager</span>' in text
        assert "Never used" in text
        assert "Active" in text and "Revoked" in text
        assert text.count("Revoke</button>") == 1  # a revoked key has no Revoke button

    def test_it_shows_in_settings_under_security(self, client_for: ClientFor, owner: User) -> None:
        text = client_for(owner).get(LIST).text

        assert (
            'href="/settings/security/api-keys/" class="is-active" aria-current="page">API Keys</a>' in text
        )

    def test_it_paginates(self, client_for: ClientFor, owner: User) -> None:
        ApiKey.objects.bulk_create(
            ApiKey(name=f"Key {n:02d}", prefix=f"{n:08x}", secret_hash="0" * 64) for n in range(30)
        )

        text = client_for(owner).get(LIST).text

        assert "Page 1 of 2" in text
        assert "Key 29" in text and "Key 00" not in text
        assert "Key 00" in client_for(owner).get(LIST + "?page=2").text

    def test_it_reads_the_same_number_of_queries_for_1_and_20_keys(
        self, client_for: ClientFor, owner: User, make_key: MakeKey
    ) -> None:
        client = client_for(owner)
        make_key("User", name="Key 0")
        client.get(LIST)
        with CaptureQueriesContext(connection) as one:
            assert client.get(LIST).status_code == 200
        for n in range(1, 20):
            make_key("User", "Manager", name=f"Key {n}")
        with CaptureQueriesContext(connection) as twenty:
            assert client.get(LIST).status_code == 200

        assert len(one) == len(twenty), [q["sql"] for q in twenty.captured_queries]


class TestCreate:
    def test_it_shows_the_key_once_and_stores_only_its_hash(
        self, client_for: ClientFor, owner: User, api_get: ApiGet
    ) -> None:
        client = client_for(owner)

        response = client.post(
            NEW, {"name": "Order sync", "permission_sets": set_ids("User"), "expires_on": ""}
        )

        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        api_key = ApiKey.objects.get()
        full_key = response.context["full_key"]
        assert full_key.startswith(f"kc_{api_key.prefix}_")
        assert f'value="{full_key}"' in response.text
        assert "shown only this once" in response.text
        assert 'data-copy-target="api-key-value"' in response.text
        assert "/static/js/api_keys.js" in response.text
        # Stored hashed: the key is in no row of any table, the audit log included.
        assert api_key.secret_hash == ApiKey.hash_secret(full_key)
        assert full_key not in everything_stored()
        secret = full_key.split("_", 2)[2]
        assert secret not in everything_stored()
        # Never shown again.
        assert full_key not in client.get(LIST).text
        # And it works.
        conversation = ConversationFactory()
        assert api_get(f"/v1/conversations/{conversation.pk}", full_key).status_code == 200

    def test_it_records_the_new_key_in_the_audit_log(self, client_for: ClientFor, owner: User) -> None:
        client_for(owner).post(NEW, {"name": "Order sync", "permission_sets": set_ids("User", "Manager")})

        api_key = ApiKey.objects.get()
        entry = AuditEntry.objects.for_object(api_key).get()
        assert entry.action == AuditEntry.Action.CREATE
        assert entry.actor == owner
        assert entry.after == {
            "name": "Order sync",
            "prefix": api_key.display_prefix,
            "permission_sets": ["Manager", "User"],
            "expires_at": None,
            "status": "Active",
        }

    def test_it_sets_the_expiry_to_the_start_of_the_chosen_day(
        self, client_for: ClientFor, owner: User
    ) -> None:
        day = timezone.localdate() + datetime.timedelta(days=10)

        client_for(owner).post(
            NEW, {"name": "Trial", "permission_sets": set_ids("User"), "expires_on": day.isoformat()}
        )

        expires_at = ApiKey.objects.get().expires_at
        assert expires_at is not None
        assert expires_at.astimezone(datetime.UTC) == datetime.datetime.combine(
            day, datetime.time.min, tzinfo=datetime.UTC
        )

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"name": "", "permission_sets": "USER"}, "name", "This field is required."),
            ({"name": "Sync"}, "permission_sets", "This field is required."),
            (
                {"name": "Sync", "permission_sets": "USER", "expires_on": "TODAY"},
                "expires_on",
                "Choose a date in the future, or leave it empty for a key that does not expire.",
            ),
        ],
    )
    def test_it_refuses_bad_input_and_keeps_what_was_typed(
        self, client_for: ClientFor, owner: User, data: dict[str, str], field: str, message: str
    ) -> None:
        if data.get("permission_sets") == "USER":
            data["permission_sets"] = str(set_ids("User")[0])
        if data.get("expires_on") == "TODAY":
            data["expires_on"] = timezone.localdate().isoformat()

        response = client_for(owner).post(NEW, data)

        assert response.status_code == 200
        assert message in response.context["form"].errors[field]
        assert ApiKey.objects.count() == 0
        if data["name"]:
            assert f'value="{data["name"]}"' in response.text

    def test_it_offers_only_sets_that_grant_nothing_beyond_the_admins_own(
        self, client_for: ClientFor
    ) -> None:
        keeper_set = PermissionSetFactory(
            name="Key keeper",
            capabilities=[
                Capability.SETTINGS_ACCESS,
                Capability.MANAGE_API_KEYS,
                *PermissionSet.objects.get(name="User").capabilities,
            ],
        )
        keeper = UserFactory()
        keeper.permission_sets.set([keeper_set])
        client = client_for(keeper)

        offered = {
            str(choice) for choice in client.get(NEW).context["form"].fields["permission_sets"].queryset
        }
        response = client.post(NEW, {"name": "Escalate", "permission_sets": set_ids("Admin")})

        assert "User" in offered and "Admin" not in offered
        assert response.status_code == 200
        assert ApiKey.objects.count() == 0


class TestRevoke:
    def test_it_revokes_a_key_which_then_stops_working(
        self, client_for: ClientFor, owner: User, make_key: MakeKey, api_get: ApiGet
    ) -> None:
        api_key, full_key = make_key("User")
        conversation = ConversationFactory()

        response = client_for(owner).post(revoke_url(api_key))

        assert response.status_code == 302
        assert response["Location"] == LIST
        api_key.refresh_from_db()
        assert api_key.revoked_at is not None
        assert api_key.status == ApiKey.Status.REVOKED
        assert api_get(f"/v1/conversations/{conversation.pk}", full_key).status_code == 401
        entry = AuditEntry.objects.for_object(api_key).get(action=AuditEntry.Action.DEACTIVATE)
        assert (entry.before["status"], entry.after["status"]) == ("Active", "Revoked")

    def test_it_asks_for_confirmation_in_the_list(
        self, client_for: ClientFor, owner: User, make_key: MakeKey
    ) -> None:
        make_key("User", name="Order sync")

        text = client_for(owner).get(LIST).text

        assert 'data-confirm="Revoke the API key Order sync?' in text

    def test_revoking_twice_records_once(self, client_for: ClientFor, owner: User, make_key: MakeKey) -> None:
        api_key, _ = make_key("User")
        client = client_for(owner)

        client.post(revoke_url(api_key))
        first = ApiKey.objects.get().revoked_at
        client.post(revoke_url(api_key))

        assert ApiKey.objects.get().revoked_at == first
        assert AuditEntry.objects.for_object(api_key).filter(action=AuditEntry.Action.DEACTIVATE).count() == 1

    def test_it_takes_post_only(self, client_for: ClientFor, owner: User, make_key: MakeKey) -> None:
        api_key, _ = make_key("User")

        assert client_for(owner).get(revoke_url(api_key)).status_code == 405
        assert ApiKey.objects.get().revoked_at is None

    def test_it_answers_404_for_a_missing_key(self, client_for: ClientFor, owner: User) -> None:
        assert client_for(owner).post("/settings/security/api-keys/999999/revoke/").status_code == 404


class TestOutsiders:
    @pytest.mark.parametrize("persona", ["outsider", "agent", "manager", "collaborator"])
    def test_it_answers_403_to_users_without_manage_api_keys(
        self, request: pytest.FixtureRequest, client_for: ClientFor, make_key: MakeKey, persona: str
    ) -> None:
        api_key, _ = make_key("User")
        client = client_for(request.getfixturevalue(persona))

        assert client.get(LIST).status_code == 403
        assert client.get(NEW).status_code == 403
        assert client.post(NEW, {"name": "Mine", "permission_sets": set_ids("User")}).status_code == 403
        assert client.post(revoke_url(api_key)).status_code == 403
        assert ApiKey.objects.get().revoked_at is None
        assert ApiKey.objects.count() == 1

    def test_it_hides_the_page_from_their_settings_menu(self, client_for: ClientFor, manager: User) -> None:
        assert "API Keys" not in client_for(manager).get("/settings/users/").text

    def test_it_sends_anonymous_visitors_to_sign_in(self, make_key: MakeKey) -> None:
        api_key, _ = make_key("User")

        for response in (Client().get(LIST), Client().post(revoke_url(api_key))):
            assert response.status_code == 302
            assert response["Location"].startswith("/login/")
        assert ApiKey.objects.get().revoked_at is None
