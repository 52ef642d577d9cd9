"""The user picker's search (assignee, inbox filter, note assignee): who may list users, and
who sees their addresses."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from conversations.models import Note
from conversations.selectors import user_for_typed_text
from tests.conversations.factories import ConversationFactory
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


def test_the_search_reads_the_box_s_own_name(client_for: Any, agent: User, sam: User) -> None:
    html = client_for(agent).get(URL, {"users_lookup": "sam s", "empty": "Unassigned"}).content.decode()
    assert f'data-pick-id="{sam.pk}"' in html
    assert "Unassigned" in html


# --- without JavaScript: the typed name is resolved on the server -------------------------------


class TestTypedText:
    def resolve(self, text: str, current: Any = "", *, with_emails: bool = True) -> int | None:
        return user_for_typed_text(current=current, text=text, with_emails=with_emails)

    def test_an_unchanged_box_keeps_the_chosen_user(self, sam: User) -> None:
        UserFactory(display_name="Sam Support")  # a namesake: the posted id decides
        assert self.resolve("Sam Support", current=str(sam.pk)) == sam.pk

    def test_an_empty_box_means_nobody(self, sam: User) -> None:
        assert self.resolve("  ", current=str(sam.pk)) is None

    def test_an_exact_name_wins_over_names_that_contain_it(self, sam: User) -> None:
        UserFactory(display_name="Sam Supporter")
        assert self.resolve("sam support") == sam.pk

    def test_the_only_name_that_contains_the_text(self, sam: User) -> None:
        assert self.resolve("support") == sam.pk

    def test_an_exact_address_needs_the_right_to_see_addresses(self, sam: User) -> None:
        assert self.resolve("SAM@example.com") == sam.pk
        with pytest.raises(ValidationError, match="No active user matches “sam@example.com”"):
            self.resolve("sam@example.com", with_emails=False)

    def test_several_matches_are_refused_with_what_to_do(self, sam: User) -> None:
        UserFactory(display_name="Sam Sales")
        with pytest.raises(ValidationError, match="Several users match “sam”: type their email address"):
            self.resolve("sam")
        with pytest.raises(ValidationError, match="type more of the name"):
            self.resolve("sam", with_emails=False)

    def test_deactivated_users_are_never_chosen(self) -> None:
        gone = UserFactory(display_name="Gone Away", is_active=False)
        with pytest.raises(ValidationError, match="No active user"):
            self.resolve("Gone Away")
        with pytest.raises(ValidationError, match="No active user"):
            self.resolve("Gone Away", current=str(gone.pk))


class TestFormsWithoutJavaScript:
    def test_the_details_card_assigns_the_typed_user(self, client_for: Any, agent: User, sam: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(agent)
        url = reverse("conversations:assign", args=[conversation.pk])
        data = {"users_present": "1", "users": str(agent.pk), "users_lookup": "Sam Support"}
        response = client_for(agent).post(url, data)
        assert response.status_code == 302
        assert list(conversation.assigned_users.all()) == [sam]

    def test_the_details_card_leaves_the_user_when_the_name_fits_no_one(
        self, client_for: Any, agent: User
    ) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(agent)
        client = client_for(agent)
        url = reverse("conversations:assign", args=[conversation.pk])
        data = {"users_present": "1", "users": str(agent.pk), "users_lookup": "Nobody Here"}
        page = client.post(url, data, follow=True).content.decode()
        assert "No active user matches “Nobody Here”." in page
        assert list(conversation.assigned_users.all()) == [agent]

    def test_a_note_from_the_reply_editor_goes_to_the_typed_user(
        self, client_for: Any, agent: User, sam: User
    ) -> None:
        conversation = ConversationFactory()
        data = {"channel": "note", "body": "Over to you.", "assigned_user": "", "assigned_user_lookup": "sam"}
        client_for(agent).post(reverse("conversations:reply", args=[conversation.pk]), data)
        assert Note.objects.get(conversation=conversation).assigned_user == sam

    def test_a_refused_name_keeps_the_draft_and_what_was_typed(self, client_for: Any, agent: User) -> None:
        conversation = ConversationFactory()
        data = {"channel": "note", "body": "Over to you.", "assigned_user": "", "assigned_user_lookup": "Zed"}
        response = client_for(agent).post(reverse("conversations:reply", args=[conversation.pk]), data)
        html = response.content.decode()
        assert response.status_code == 200
        assert "No active user matches “Zed”." in html
        assert 'name="assigned_user_lookup" class="picker-input" value="Zed"' in html
        assert "Over to you." in html
        assert not Note.objects.filter(conversation=conversation).exists()

    def test_the_inbox_filters_by_the_typed_assignee(self, client_for: Any, agent: User, sam: User) -> None:
        mine, theirs = ConversationFactory(name="Parcel for Ada"), ConversationFactory(name="Parcel for Sam")
        mine.assigned_users.add(agent)
        theirs.assigned_users.add(sam)
        url = reverse("conversations:inbox")
        html = client_for(agent).get(url, {"view": "open", "assignee_lookup": "Sam Sup"}).content.decode()
        assert "Parcel for Sam" in html
        assert "Parcel for Ada" not in html

    def test_the_inbox_says_when_the_typed_assignee_fits_no_one(self, client_for: Any, agent: User) -> None:
        url = reverse("conversations:inbox")
        html = client_for(agent).get(url, {"view": "open", "assignee_lookup": "Zed"}).content.decode()
        assert "No active user matches “Zed”." in html
        assert 'value="Zed"' in html
