"""The inbox: Mine, My teams, All open, Snoozed, Done; sorts, filters, the htmx list, queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Team, User
from conversations.models import Conversation, Priority, Status, Tag
from tests.conversations.factories import (
    ConversationFactory,
    ConversationTagFactory,
    CustomerFactory,
    SubStatusFactory,
    TagFactory,
)
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
URL = reverse("conversations:inbox")
HTMX = {"HTTP_HX_REQUEST": "true"}
NOW = datetime.datetime(2025, 3, 10, 12, 0, tzinfo=datetime.UTC)


def _conversation(
    *, users: Sequence[User] = (), teams: Sequence[Team] = (), tags: Sequence[Tag] = (), **fields: Any
) -> Conversation:
    conversation = ConversationFactory(**fields)
    conversation.assigned_users.add(*users)
    conversation.assigned_teams.add(*teams)
    for tag in tags:
        ConversationTagFactory(conversation=conversation, tag=tag)
    return conversation


def _listed(response: Any) -> list[Conversation]:
    return list(response.context["page"].object_list)


def _get(client: Client, **params: Any) -> Any:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


class TestAccess:
    def test_it_sends_an_anonymous_visitor_to_sign_in(self, client: Client) -> None:
        response = client.get(URL)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))

    @pytest.mark.parametrize("view", ["mine", "teams", "open", "snoozed", "done"])
    def test_it_shows_an_outsider_nothing(self, client_for: ClientFor, outsider: User, view: str) -> None:
        _conversation(name="Secret refund", users=[outsider])
        response = _get(client_for(outsider), view=view)
        assert _listed(response) == []
        assert "Secret refund" not in response.content.decode()

    def test_it_shows_a_collaborator_only_their_conversations(
        self, client_for: ClientFor, collaborator: User
    ) -> None:
        theirs = _conversation(users=[collaborator])
        _conversation()
        assert _listed(_get(client_for(collaborator), view="open")) == [theirs]


class TestLists:
    def test_mine_is_the_default_and_lists_my_open_conversations(
        self, client_for: ClientFor, agent: User
    ) -> None:
        mine = _conversation(name="Mine", users=[agent])
        _conversation(name="Someone else's", users=[UserFactory()])
        _conversation(name="Mine but done", users=[agent], status=Status.DONE)
        _conversation(name="Unassigned")
        response = _get(client_for(agent))
        assert _listed(response) == [mine]
        assert response.context["filters"].view == "mine"

    def test_mine_takes_a_status(self, client_for: ClientFor, agent: User) -> None:
        _conversation(users=[agent])
        done = _conversation(users=[agent], status=Status.DONE)
        assert _listed(_get(client_for(agent), view="mine", status="done")) == [done]

    def test_my_teams_lists_open_conversations_of_my_teams(self, client_for: ClientFor, agent: User) -> None:
        support, billing = TeamFactory(name="Support"), TeamFactory(name="Billing")
        support.members.add(agent)
        ours = _conversation(teams=[support, billing])
        _conversation(teams=[billing])
        _conversation(teams=[support], status=Status.SNOOZED)
        assert _listed(_get(client_for(agent), view="teams")) == [ours]

    def test_my_teams_is_empty_without_a_team(self, client_for: ClientFor, agent: User) -> None:
        _conversation(teams=[TeamFactory()])
        assert _listed(_get(client_for(agent), view="teams")) == []

    @pytest.mark.parametrize("view,status", [("open", "open"), ("snoozed", "snoozed"), ("done", "done")])
    def test_each_status_list_shows_that_status(
        self, client_for: ClientFor, agent: User, view: str, status: str
    ) -> None:
        by_status = {s: _conversation(status=s) for s in (Status.OPEN, Status.SNOOZED, Status.DONE)}
        assert _listed(_get(client_for(agent), view=view)) == [by_status[status]]

    def test_it_leaves_spam_out(self, client_for: ClientFor, agent: User) -> None:
        _conversation(is_spam=True)
        assert _listed(_get(client_for(agent), view="open")) == []

    def test_an_unknown_list_falls_back_to_mine(self, client_for: ClientFor, agent: User) -> None:
        mine = _conversation(users=[agent])
        _conversation()
        assert _listed(_get(client_for(agent), view="everything")) == [mine]

    def test_it_shows_the_row_details(self, client_for: ClientFor, agent: User) -> None:
        escalated = SubStatusFactory(status=Status.OPEN, name="Escalated")
        _conversation(
            name="Refund for #1001",
            customer=CustomerFactory(name="Jane Doe"),
            priority=Priority.HIGHEST,
            sub_status=escalated,
            users=[agent],
            tags=[TagFactory(name="VIP", color="purple")],
        )
        html = _get(client_for(agent)).content.decode()
        for text in [
            "Jane Doe",
            "Refund for #1001",
            "Highest",
            "Escalated",
            "Alex Agent",
            "tag-purple",
            "VIP",
        ]:
            assert text in html

    def test_a_row_shows_its_priority_and_status_labels(self, client_for: ClientFor, agent: User) -> None:
        _conversation(priority=Priority.LOWEST, status=Status.SNOOZED, users=[agent])
        html = _get(client_for(agent), view="snoozed").content.decode()
        assert 'title="Lowest priority">Lowest</span>' in html
        assert '<span class="status-dot status-snoozed"></span>Snoozed' in html

    def test_a_long_preview_is_cut_at_120_characters(self, client_for: ClientFor, agent: User) -> None:
        _conversation(preview="é" * 100 + "x" * 150, users=[agent])
        _conversation(preview="Short and sweet.", users=[agent])
        html = _get(client_for(agent)).content.decode()
        assert f'<span class="row-preview muted">{"é" * 100}{"x" * 19}…</span>' in html
        assert '<span class="row-preview muted">Short and sweet.</span>' in html

    def test_it_says_so_when_nothing_is_mine(self, client_for: ClientFor, agent: User) -> None:
        assert "Nothing is assigned to you here." in _get(client_for(agent)).content.decode()


class TestSort:
    @pytest.fixture
    def three(self) -> dict[str, Conversation]:
        return {
            "old_high": _conversation(
                priority=Priority.HIGHEST,
                created_at=NOW - datetime.timedelta(days=3),
                last_activity_at=NOW - datetime.timedelta(days=2),
            ),
            "new_low": _conversation(
                priority=Priority.LOWEST,
                created_at=NOW - datetime.timedelta(days=1),
                last_activity_at=NOW - datetime.timedelta(days=1),
            ),
            "older_busy": _conversation(
                priority=Priority.MEDIUM,
                created_at=NOW - datetime.timedelta(days=5),
                last_activity_at=NOW,
            ),
        }

    def test_it_sorts_by_last_activity_by_default(
        self, client_for: ClientFor, agent: User, three: dict[str, Conversation]
    ) -> None:
        listed = _listed(_get(client_for(agent), view="open"))
        assert listed == [three["older_busy"], three["new_low"], three["old_high"]]

    def test_it_sorts_by_priority(
        self, client_for: ClientFor, agent: User, three: dict[str, Conversation]
    ) -> None:
        listed = _listed(_get(client_for(agent), view="open", sort="priority"))
        assert listed == [three["old_high"], three["older_busy"], three["new_low"]]

    def test_it_sorts_by_creation(
        self, client_for: ClientFor, agent: User, three: dict[str, Conversation]
    ) -> None:
        listed = _listed(_get(client_for(agent), view="open", sort="created"))
        assert listed == [three["new_low"], three["old_high"], three["older_busy"]]

    def test_an_unknown_sort_falls_back_to_activity(
        self, client_for: ClientFor, agent: User, three: dict[str, Conversation]
    ) -> None:
        listed = _listed(_get(client_for(agent), view="open", sort="-id; drop"))
        assert listed[0] == three["older_busy"]


class TestFilters:
    def test_it_filters_by_priority(self, client_for: ClientFor, agent: User) -> None:
        urgent = _conversation(priority=Priority.HIGHEST)
        _conversation(priority=Priority.LOW)
        assert _listed(_get(client_for(agent), view="open", priority=Priority.HIGHEST)) == [urgent]

    def test_it_filters_by_tag(self, client_for: ClientFor, agent: User) -> None:
        vip, refund = TagFactory(name="VIP"), TagFactory(name="Refund")
        tagged = _conversation(tags=[vip, refund])
        _conversation(tags=[refund])
        assert _listed(_get(client_for(agent), view="open", tag=vip.pk)) == [tagged]

    def test_it_filters_by_assignee(self, client_for: ClientFor, agent: User) -> None:
        sam = UserFactory(display_name="Sam Support")
        sams = _conversation(users=[sam, agent])
        _conversation(users=[agent])
        assert _listed(_get(client_for(agent), view="open", assignee=sam.pk)) == [sams]

    def test_it_filters_a_list_by_status(self, client_for: ClientFor, agent: User) -> None:
        _conversation(status=Status.OPEN)
        done = _conversation(status=Status.DONE)
        assert _listed(_get(client_for(agent), view="open", status="done")) == [done]

    def test_it_ignores_filters_that_are_not_numbers(self, client_for: ClientFor, agent: User) -> None:
        conversation = _conversation()
        assert _listed(_get(client_for(agent), view="open", priority="high", tag="x")) == [conversation]

    def test_it_combines_filters(self, client_for: ClientFor, agent: User) -> None:
        vip = TagFactory(name="VIP")
        both = _conversation(priority=Priority.HIGH, tags=[vip])
        _conversation(priority=Priority.HIGH)
        _conversation(priority=Priority.LOW, tags=[vip])
        assert _listed(_get(client_for(agent), view="open", priority=Priority.HIGH, tag=vip.pk)) == [both]


class TestHtmx:
    def test_it_answers_htmx_with_the_list_alone(self, client_for: ClientFor, agent: User) -> None:
        _conversation(name="Refund for #1001", users=[agent])
        response = client_for(agent).get(URL, {"view": "mine"}, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<div id="inbox-list"')
        assert "<html" not in html
        assert "Refund for #1001" in html

    def test_the_list_keeps_the_filters_for_its_next_poll(self, client_for: ClientFor, agent: User) -> None:
        response = client_for(agent).get(URL, {"view": "open", "sort": "priority"}, **HTMX)
        assert "view=open&amp;sort=priority" in response.content.decode()

    def test_a_boosted_request_gets_the_whole_page(self, client_for: ClientFor, agent: User) -> None:
        response = client_for(agent).get(URL, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
        assert "<html" in response.content.decode()

    def test_the_page_has_the_list_and_the_filters(self, client_for: ClientFor, agent: User) -> None:
        html = _get(client_for(agent)).content.decode()
        assert "<html" in html
        assert 'id="inbox-list"' in html
        assert 'id="inbox-filters"' in html


class TestQueryCount:
    @staticmethod
    def _make(count: int, agent: User) -> None:
        support = TeamFactory()
        support.members.add(agent)
        for n in range(count):
            _conversation(
                users=[agent, UserFactory()],
                teams=[support, TeamFactory()],
                tags=[TagFactory(), TagFactory()],
                sub_status=SubStatusFactory(status=Status.OPEN),
                customer=CustomerFactory(),
                priority=Priority.values[n % 5],
            )

    @staticmethod
    def _count(client: Client, params: dict[str, str], htmx: bool) -> int:
        headers = HTMX if htmx else {}
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, params, **headers)
        assert response.status_code == 200
        return len(queries)

    @pytest.mark.parametrize("htmx", [False, True])
    @pytest.mark.parametrize("view", ["mine", "teams", "open"])
    def test_it_runs_as_many_queries_for_20_rows_as_for_1(
        self, client_for: ClientFor, agent: User, htmx: bool, view: str
    ) -> None:
        client = client_for(agent)
        self._make(1, agent)
        one = self._count(client, {"view": view}, htmx)
        self._make(19, agent)
        assert len(_listed(client.get(URL, {"view": view}))) == 20
        twenty = self._count(client, {"view": view}, htmx)
        assert one == twenty
