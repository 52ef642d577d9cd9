"""The user picker's search (assignee, inbox filter, note assignee): who may list users, and
who sees their addresses."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("conversations:user_suggest")


@pytest.fixture
def sam(db: None) -> User:
    return UserFactory(email="sam@example.com", display_name="Sam Support", sets=["User"])


def test_an_agent_finds_colleagues_by_name_and_address(client_for: Any, agent: User, sam: User) -> None:
    by_name = client_for(agent).get(URL, {"q": "sam s"}).content.decode()
    by_address = client_for(agent).get(URL, {"q": "sam@"}).content.decode()
    for html in (by_name, by_address):
        assert f'data-pick-id="{sam.pk}"' in html
        assert "sam@example.com" in html


def test_a_collaboration_user_sees_names_only(client_for: Any, collaborator: User, sam: User) -> None:
    html = client_for(collaborator).get(URL, {"q": "sam"}).content.decode()
    assert f'data-pick-id="{sam.pk}"' in html
    assert "Sam Support" in html
    assert "@example.com" not in html


def test_a_collaboration_user_cannot_search_by_address(
    client_for: Any, collaborator: User, sam: User
) -> None:
    html = client_for(collaborator).get(URL, {"q": "sam@example"}).content.decode()
    assert f'data-pick-id="{sam.pk}"' not in html
    assert "No user matches." in html


def test_a_user_without_a_name_is_named_by_address_or_user(
    client_for: Any, agent: User, collaborator: User
) -> None:
    nameless = UserFactory(email="nameless@example.com", display_name="", sets=["User"])
    assert 'data-pick-label="nameless@example.com"' in client_for(agent).get(URL).content.decode()
    html = client_for(collaborator).get(URL).content.decode()
    assert f'data-pick-id="{nameless.pk}" data-pick-label="User"' in html


def test_deactivated_users_are_left_out(client_for: Any, agent: User) -> None:
    UserFactory(display_name="Gone Away", is_active=False)
    assert "Gone Away" not in client_for(agent).get(URL, {"q": "gone"}).content.decode()


def test_it_is_403_for_someone_who_works_on_no_conversation(client_for: Any, outsider: User) -> None:
    assert client_for(outsider).get(URL, {"q": "s"}).status_code == 403


def test_it_sends_an_anonymous_visitor_to_sign_in(client: Client) -> None:
    response = client.get(URL, {"q": "s"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_it_reads_the_same_queries_for_1_or_8_users(client_for: Any, agent: User) -> None:
    client = client_for(agent)

    def queries_for(count: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            html = client.get(URL, {"q": "pat"}).content.decode()
        assert html.count("data-pick-id=") == count
        return len(captured)

    UserFactory(display_name="Pat One")
    one = queries_for(1)
    UserFactory.create_batch(7, display_name="Pat Many")
    assert queries_for(8) == one <= 3  # session (unless cached), user, the users
