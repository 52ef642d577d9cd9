"""Conversation Details actions: each answers htmx with the fresh #details-card (the header and
the timeline out of band) and a `conversationChanged` event; without htmx it redirects back.
Errors come back inside the card and change nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from conversations.models import Conversation, ConversationEvent, Priority, Status
from tests.conversations.factories import ConversationFactory, QueueFactory, SubStatusFactory
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
HTMX = {"HTTP_HX_REQUEST": "true"}
CARD_START = '<section class="card insight-card" id="details-card"'
FUTURE, PAST = "2099-01-15T09:30", "2001-01-15T09:30"


def _url(name: str, conversation: Conversation) -> str:
    return reverse(f"conversations:{name}", args=[conversation.pk])


def _reload(conversation: Conversation) -> Conversation:
    return Conversation.objects.get(pk=conversation.pk)


@dataclass
class Action:
    """One details action: the form it posts, and how to tell it worked."""

    name: str
    url_name: str
    prepare: Callable[[Conversation, User], dict[str, Any]]
    worked: Callable[[Conversation, User], bool]
    start: dict[str, Any] | None = None

    def __str__(self) -> str:
        return self.name


def _assign_user(c: Conversation, agent: User) -> dict[str, Any]:
    return {"users_present": "1", "users": UserFactory(display_name="Sam Support").pk}


def _transfer(c: Conversation, agent: User) -> dict[str, Any]:
    c.assigned_users.add(agent)
    return {"queue": QueueFactory(name="Billing").pk}


def _attributes(c: Conversation, agent: User) -> dict[str, Any]:
    escalated = SubStatusFactory(status=Status.OPEN, name="Escalated")
    return {"name": "Refund for #1001", "priority": "4", "sub_status": escalated.pk}


ACTIONS = [
    Action("priority", "set_priority", lambda c, a: {"priority": "5"}, lambda c, a: c.priority == 5),
    Action(
        "assign a user",
        "assign",
        _assign_user,
        lambda c, a: [u.display_name for u in c.assigned_users.all()] == ["Sam Support"],
    ),
    Action(
        "assign a team",
        "assign",
        lambda c, a: {"teams_present": "1", "teams": TeamFactory(name="Billing").pk},
        lambda c, a: [t.name for t in c.assigned_teams.all()] == ["Billing"],
    ),
    Action("assign to me", "assign_to_me", lambda c, a: {}, lambda c, a: list(c.assigned_users.all()) == [a]),
    Action(
        "transfer",
        "transfer",
        _transfer,
        lambda c, a: str(c.queue) == "Billing" and not c.assigned_users.exists(),
    ),
    Action(
        "rename",
        "rename",
        lambda c, a: {"name": "Refund for #1001"},
        lambda c, a: c.name == "Refund for #1001",
    ),
    Action(
        "attributes",
        "attributes",
        _attributes,
        lambda c, a: (c.name, c.priority, str(c.sub_status)) == ("Refund for #1001", 4, "Escalated"),
    ),
    Action(
        "sub status",
        "set_sub_status",
        lambda c, a: {"sub_status": SubStatusFactory(status=Status.OPEN, name="Escalated").pk},
        lambda c, a: str(c.sub_status) == "Escalated",
    ),
    Action(
        "snooze until a time",
        "snooze",
        lambda c, a: {"until": FUTURE},
        lambda c, a: c.status == Status.SNOOZED and c.snooze_until is not None,
    ),
    Action(
        "snooze until the customer replies",
        "snooze",
        lambda c, a: {"until_customer_replies": "on"},
        lambda c, a: c.status == Status.SNOOZED and c.snooze_until_customer_replies,
    ),
    Action("done", "done", lambda c, a: {}, lambda c, a: c.status == Status.DONE),
    Action(
        "reopen", "reopen", lambda c, a: {}, lambda c, a: c.status == Status.OPEN, {"status": Status.DONE}
    ),
    Action("pin", "pin", lambda c, a: {"pinned": "1"}, lambda c, a: c.pinned_at is not None),
]


class TestEachAction:
    @pytest.mark.parametrize("action", ACTIONS, ids=str)
    def test_it_answers_htmx_with_the_details_card(
        self, client_for: ClientFor, agent: User, action: Action
    ) -> None:
        conversation = ConversationFactory(**(action.start or {}))
        data = action.prepare(conversation, agent)
        response = client_for(agent).post(_url(action.url_name, conversation), data, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith(CARD_START)
        assert "<html" not in html
        assert json.loads(response["HX-Trigger"]) == {"conversationChanged": {"id": conversation.pk}}
        assert action.worked(_reload(conversation), agent)

    @pytest.mark.parametrize("action", ACTIONS, ids=str)
    def test_it_redirects_back_without_htmx(self, client_for: ClientFor, agent: User, action: Action) -> None:
        conversation = ConversationFactory(**(action.start or {}))
        data = action.prepare(conversation, agent)
        response = client_for(agent).post(_url(action.url_name, conversation), data)
        assert response.status_code == 302
        assert response.url == conversation.get_absolute_url()
        assert action.worked(_reload(conversation), agent)

    @pytest.mark.parametrize("action", ACTIONS, ids=str)
    def test_it_writes_a_conversation_event(self, client_for: ClientFor, agent: User, action: Action) -> None:
        conversation = ConversationFactory(**(action.start or {}))
        data = action.prepare(conversation, agent)
        client_for(agent).post(_url(action.url_name, conversation), data, **HTMX)
        assert ConversationEvent.objects.filter(conversation=conversation, actor=agent).exists()

    @pytest.mark.parametrize("action", ACTIONS, ids=str)
    def test_it_is_404_for_an_outsider(self, client_for: ClientFor, outsider: User, action: Action) -> None:
        conversation = ConversationFactory(**(action.start or {}))
        data = action.prepare(conversation, UserFactory())
        response = client_for(outsider).post(_url(action.url_name, conversation), data, **HTMX)
        assert response.status_code == 404
        assert not conversation.events.exists()

    @pytest.mark.parametrize("action", ACTIONS, ids=str)
    def test_it_sends_an_anonymous_visitor_to_sign_in(self, client: Client, action: Action) -> None:
        conversation = ConversationFactory(**(action.start or {}))
        response = client.post(
            _url(action.url_name, conversation), action.prepare(conversation, UserFactory())
        )
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
        assert not conversation.events.exists()

    @pytest.mark.parametrize("url_name", sorted({a.url_name for a in ACTIONS}))
    def test_it_only_takes_a_post(self, client_for: ClientFor, agent: User, url_name: str) -> None:
        assert client_for(agent).get(_url(url_name, ConversationFactory())).status_code == 405


class TestFragments:
    def test_it_updates_the_header_and_the_timeline_out_of_band(
        self, client_for: ClientFor, agent: User
    ) -> None:
        conversation = ConversationFactory(name="Old name")
        response = client_for(agent).post(_url("rename", conversation), {"name": "New name"}, **HTMX)
        html = response.content.decode()
        assert 'id="conversation-header" hx-swap-oob="true"' in html
        assert 'id="timeline-list" hx-swap-oob="true"' in html
        assert html.count("New name") >= 3

    def test_the_card_shows_the_new_priority(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory(priority=Priority.LOW)
        response = client_for(agent).post(_url("set_priority", conversation), {"priority": "5"}, **HTMX)
        card = response.content.decode().split("</section>")[0]
        assert '<option value="5" selected>Highest</option>' in card

    def test_the_card_marks_the_conversation_s_team_queue_and_sub_status(
        self, client_for: ClientFor, agent: User
    ) -> None:
        team, other_team = TeamFactory(name="Returns"), TeamFactory(name="Billing")
        queue, other_queue = QueueFactory(name="VIP"), QueueFactory(name="General")
        waiting = SubStatusFactory(status=Status.OPEN, name="Waiting on carrier")
        SubStatusFactory(status=Status.OPEN, name="Escalated")
        conversation = ConversationFactory(queue=queue, sub_status=waiting)
        conversation.assigned_teams.add(team)
        card = client_for(agent).get(conversation.get_absolute_url()).content.decode()
        card = card[card.index('id="details-card"') :]
        assert f'<option value="{team.pk}" selected>Returns</option>' in card
        assert f'<option value="{other_team.pk}">Billing</option>' in card
        assert f'<option value="{queue.pk}" selected>VIP</option>' in card
        assert f'<option value="{other_queue.pk}">General</option>' in card
        assert f'<option value="{waiting.pk}" selected>Waiting on carrier</option>' in card


class TestErrors:
    """A refused change comes back in the card, without the event, and changes nothing."""

    @staticmethod
    def _post_htmx(client: Client, url_name: str, conversation: Conversation, data: dict[str, Any]) -> str:
        response = client.post(_url(url_name, conversation), data, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith(CARD_START)
        assert "<html" not in html
        assert "HX-Trigger" not in response
        assert '<p class="form-errors" role="alert">' in html
        return html

    def test_a_priority_out_of_range(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory(priority=Priority.MEDIUM)
        html = self._post_htmx(client_for(agent), "set_priority", conversation, {"priority": "9"})
        assert "Select a valid choice." in html
        assert _reload(conversation).priority == Priority.MEDIUM

    def test_a_sub_status_of_another_status(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        waiting = SubStatusFactory(status=Status.SNOOZED, name="Waiting")
        html = self._post_htmx(client_for(agent), "set_sub_status", conversation, {"sub_status": waiting.pk})
        assert "“Waiting” is a sub status of Snoozed, not Open." in html
        assert _reload(conversation).sub_status is None

    def test_a_snooze_time_in_the_past(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        html = self._post_htmx(client_for(agent), "snooze", conversation, {"until": PAST})
        assert "Choose a time in the future." in html
        assert _reload(conversation).status == Status.OPEN

    def test_a_snooze_without_a_time_or_until_reply(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        html = self._post_htmx(client_for(agent), "snooze", conversation, {})
        assert "Until the customer replies" in html
        assert _reload(conversation).status == Status.OPEN

    def test_a_turned_off_queue(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(agent)
        closed = QueueFactory(is_active=False)
        self._post_htmx(client_for(agent), "transfer", conversation, {"queue": closed.pk})
        assert _reload(conversation).queue is None
        assert list(conversation.assigned_users.all()) == [agent]

    def test_a_name_that_is_too_long(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory(name="Order")
        self._post_htmx(client_for(agent), "rename", conversation, {"name": "x" * 256})
        assert _reload(conversation).name == "Order"

    def test_an_unknown_user(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        self._post_htmx(client_for(agent), "assign", conversation, {"users_present": "1", "users": "999999"})
        assert not conversation.assigned_users.exists()

    def test_without_htmx_the_error_is_flashed_after_the_redirect(
        self, client_for: ClientFor, agent: User
    ) -> None:
        conversation = ConversationFactory()
        response = client_for(agent).post(_url("snooze", conversation), {"until": PAST}, follow=True)
        assert response.redirect_chain[-1][0] == conversation.get_absolute_url()
        assert "Choose a time in the future." in response.content.decode()
        assert _reload(conversation).status == Status.OPEN

    def test_the_attributes_window_saves_nothing_when_one_field_is_refused(
        self, client_for: ClientFor, agent: User
    ) -> None:
        conversation = ConversationFactory(name="Order", priority=Priority.MEDIUM)
        no_reply = SubStatusFactory(status=Status.DONE, name="Resolved - No Reply")
        data = {"name": "Renamed", "priority": "5", "sub_status": no_reply.pk}
        self._post_htmx(client_for(agent), "attributes", conversation, data)
        conversation = _reload(conversation)
        assert (conversation.name, conversation.priority) == ("Order", Priority.MEDIUM)


class TestAssign:
    def test_choosing_unassigned_unassigns_the_user(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(agent)
        response = client_for(agent).post(
            _url("assign", conversation), {"users_present": "1", "users": ""}, **HTMX
        )
        assert "HX-Trigger" in response
        assert not conversation.assigned_users.exists()

    def test_choosing_no_team_unassigns_the_team(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_teams.add(TeamFactory())
        client_for(agent).post(_url("assign", conversation), {"teams_present": "1", "teams": ""}, **HTMX)
        assert not conversation.assigned_teams.exists()

    def test_changing_the_team_leaves_the_user(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(agent)
        team = TeamFactory()
        client_for(agent).post(_url("assign", conversation), {"teams_present": "1", "teams": team.pk}, **HTMX)
        assert list(conversation.assigned_users.all()) == [agent]
        assert list(conversation.assigned_teams.all()) == [team]


class TestSnoozeAndPin:
    def test_it_snoozes_with_a_snoozed_sub_status(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        waiting = SubStatusFactory(status=Status.SNOOZED, name="Waiting")
        client_for(agent).post(
            _url("snooze", conversation), {"until_customer_replies": "on", "sub_status": waiting.pk}, **HTMX
        )
        assert _reload(conversation).sub_status == waiting

    def test_it_unpins(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory(pinned_at="2025-03-01T00:00Z")
        response = client_for(agent).post(_url("pin", conversation), {"pinned": "0"}, **HTMX)
        assert "Pin to timeline" in response.content.decode()
        assert _reload(conversation).pinned_at is None
