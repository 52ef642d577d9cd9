"""Bearer keys on /v1/: 401 in Kustomer's error shape for anything but a usable key."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from api.models import ApiKey
from api.services import api_key_revoke
from conversations.models import Conversation
from tests.api.conftest import ApiGet, MakeKey
from tests.conversations.factories import ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation() -> Conversation:
    return ConversationFactory()


def url(conversation: Conversation) -> str:
    return f"/v1/conversations/{conversation.pk}"


def assert_401(response: object, detail: str) -> None:
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'  # type: ignore[index]
    assert response.json() == {  # type: ignore[attr-defined]
        "errors": [{"status": 401, "code": "unauthorized", "title": "Unauthorized", "detail": detail}]
    }


class TestRefused:
    def test_it_refuses_a_request_without_a_key(self, api_get: ApiGet, conversation: Conversation) -> None:
        assert_401(api_get(url(conversation)), "Send an API key as `Authorization: Bearer <key>`.")

    @pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer   ", "Token kc_12345678_x"])
    def test_it_refuses_other_schemes_and_empty_keys(
        self, conversation: Conversation, header: str, make_key: MakeKey
    ) -> None:
        make_key("User")
        response = Client().get(url(conversation), headers={"Authorization": header})
        assert_401(response, "Send an API key as `Authorization: Bearer <key>`.")

    @pytest.mark.parametrize("token", ["nonsense", "kc_short_secret", "kc_0000000_", "kc_deadbeef_wrong"])
    def test_it_refuses_a_key_that_is_not_one(
        self, api_get: ApiGet, conversation: Conversation, token: str
    ) -> None:
        assert_401(api_get(url(conversation), token), "The API key is not valid.")

    def test_it_refuses_a_known_prefix_with_the_wrong_secret(
        self, api_get: ApiGet, conversation: Conversation, make_key: MakeKey
    ) -> None:
        api_key, full_key = make_key("User")

        response = api_get(url(conversation), full_key[:-2] + ("AA" if not full_key.endswith("AA") else "BB"))

        assert_401(response, "The API key is not valid.")
        api_key.refresh_from_db()
        assert api_key.last_used_at is None

    def test_it_refuses_a_revoked_key(
        self, api_get: ApiGet, conversation: Conversation, make_key: MakeKey, owner: User
    ) -> None:
        api_key, full_key = make_key("User")
        assert api_get(url(conversation), full_key).status_code == 200

        api_key_revoke(actor=owner, api_key=api_key)

        assert_401(api_get(url(conversation), full_key), "The API key was revoked.")

    def test_it_refuses_an_expired_key(
        self, api_get: ApiGet, conversation: Conversation, make_key: MakeKey
    ) -> None:
        expires = timezone.now() + datetime.timedelta(days=1)
        _, full_key = make_key("User", expires_at=expires)
        assert api_get(url(conversation), full_key).status_code == 200

        with time_machine.travel(expires, tick=False):
            assert_401(api_get(url(conversation), full_key), "The API key has expired.")

    def test_it_ignores_the_session_of_a_signed_in_admin(
        self, client_for: object, owner: User, conversation: Conversation
    ) -> None:
        client = client_for(owner)  # type: ignore[operator]

        assert_401(client.get(url(conversation)), "Send an API key as `Authorization: Bearer <key>`.")

    def test_it_answers_json_for_an_unknown_endpoint(self, api_get: ApiGet) -> None:
        response = api_get("/v1/nothing-here")

        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"


class TestAccepted:
    def test_it_accepts_a_bearer_key_and_records_its_use(
        self, api_get: ApiGet, conversation: Conversation, make_key: MakeKey
    ) -> None:
        api_key, full_key = make_key("User")

        response = api_get(url(conversation), full_key)

        assert response.status_code == 200
        api_key.refresh_from_db()
        assert api_key.last_used_at is not None

    def test_it_accepts_the_scheme_in_any_case(self, conversation: Conversation, make_key: MakeKey) -> None:
        _, full_key = make_key("User")

        response = Client().get(url(conversation), headers={"Authorization": f"bearer {full_key}"})

        assert response.status_code == 200

    def test_it_writes_last_used_at_at_most_once_a_minute(
        self, api_get: ApiGet, conversation: Conversation, make_key: MakeKey
    ) -> None:
        api_key, full_key = make_key("User")
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            api_get(url(conversation), full_key)
        soon_at, later_at = start + datetime.timedelta(seconds=59), start + datetime.timedelta(seconds=61)
        with time_machine.travel(soon_at, tick=False), CaptureQueriesContext(connection) as soon:
            api_get(url(conversation), full_key)
        with time_machine.travel(later_at, tick=False), CaptureQueriesContext(connection) as later:
            api_get(url(conversation), full_key)

        assert not [q for q in soon.captured_queries if q["sql"].startswith("UPDATE")]
        assert len([q for q in later.captured_queries if q["sql"].startswith("UPDATE")]) == 1
        api_key.refresh_from_db()
        assert api_key.last_used_at == start + datetime.timedelta(seconds=61)

    def test_it_answers_405_to_other_methods(self, conversation: Conversation, make_key: MakeKey) -> None:
        _, full_key = make_key("User")
        # No CSRF token, with checks on: the Bearer key is the only credential, so no 403.
        client = Client(enforce_csrf_checks=True)
        headers = {"Authorization": f"Bearer {full_key}"}

        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url(conversation), headers=headers)
            assert response.status_code == 405, method
            assert response["Allow"] == "GET, HEAD"
            assert response.json()["errors"][0] == {
                "status": 405,
                "code": "method_not_allowed",
                "title": "Method Not Allowed",
                "detail": f"{method.upper()} is not supported here.",
            }

    def test_it_asks_for_a_key_before_it_tells_which_methods_exist(self, conversation: Conversation) -> None:
        response = Client().delete(url(conversation))

        assert response.status_code == 401


def test_a_key_is_stored_hashed(make_key: MakeKey) -> None:
    api_key, full_key = make_key("User")

    assert full_key.startswith(f"kc_{api_key.prefix}_")
    assert len(full_key) > 40
    assert api_key.secret_hash == ApiKey.hash_secret(full_key)
    assert full_key not in api_key.secret_hash
