"""GET /v1/conversations/<id>: Kustomer's JSON shape, through the same access funnel as the UI."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.capabilities import Capability
from accounts.models import PermissionSet, User
from conversations.models import Conversation, ConversationLink, Status
from tests.api.conftest import ApiGet, MakeKey
from tests.conversations.factories import (
    ConversationFactory,
    ConversationTagFactory,
    CustomerFactory,
    QueueFactory,
    TagFactory,
)
from tests.factories import PermissionSetFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=datetime.UTC)


def url(conversation_id: object) -> str:
    return f"/v1/conversations/{conversation_id}"


def link(a: Conversation, b: Conversation) -> None:
    # A link is stored in both directions (as the services write it).
    ConversationLink.objects.create(conversation=a, linked=b)
    ConversationLink.objects.create(conversation=b, linked=a)


@pytest.fixture
def conversation(owner: User) -> Conversation:
    queue = QueueFactory(name="Returns")
    conversation = ConversationFactory(
        name="Parcel never arrived",
        status=Status.SNOOZED,
        snooze_until=WHEN + datetime.timedelta(days=1),
        priority=4,
        queue=queue,
        channels=["email", "sms"],
        custom={"orderNumberStr": "A-1001"},
        preview="Where is my parcel?",
        message_count=3,
        note_count=1,
        first_message_in_at=WHEN,
        last_message_in_at=WHEN,
        last_message_out_at=WHEN + datetime.timedelta(hours=1),
        created_by=owner,
        created_at=WHEN,
    )
    conversation.assigned_users.set([owner])
    conversation.assigned_teams.set([TeamFactory(name="Billing")])
    return conversation


class TestShape:
    def test_it_answers_kustomers_conversation_shape(
        self, api_get: ApiGet, make_key: MakeKey, conversation: Conversation, owner: User
    ) -> None:
        tag = TagFactory(name="VIP")
        ConversationTagFactory(conversation=conversation, tag=tag)
        _, key = make_key("User")

        response = api_get(url(conversation.pk), key)

        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response["Cache-Control"] == "no-store"
        data = response.json()["data"]
        assert data["type"] == "conversation"
        assert data["id"] == str(conversation.pk)
        assert data["links"] == {"self": url(conversation.pk)}
        attributes = data["attributes"]
        team_id = str(conversation.assigned_teams.get().pk)
        assert attributes == {
            "name": "Parcel never arrived",
            "channels": ["email", "sms"],
            "status": "snoozed",
            "subStatus": None,
            "priority": 4,
            "preview": "Where is my parcel?",
            "spam": False,
            "assignedUsers": [str(owner.pk)],
            "assignedTeams": [team_id],
            "queue": {"id": str(conversation.queue_id)},
            "tags": [str(tag.pk)],
            "custom": {"orderNumberStr": "A-1001"},
            "messageCount": 3,
            "noteCount": 1,
            "firstMessageIn": {"sentAt": "2026-03-04T05:06:07.890Z"},
            "firstMessageOut": None,
            "lastMessageIn": {"sentAt": "2026-03-04T05:06:07.890Z"},
            "lastMessageOut": {"sentAt": "2026-03-04T06:06:07.890Z"},
            "snooze": {"status": "scheduled", "time": "2026-03-05T05:06:07.890Z"},
            "createdAt": "2026-03-04T05:06:07.890Z",
            "updatedAt": "2026-03-04T05:06:07.890Z",
            "lastActivityAt": "2026-03-04T05:06:07.890Z",
            "linkedConversations": [],
        }
        assert data["relationships"] == {
            "customer": {"data": {"type": "customer", "id": str(conversation.customer_id)}},
            "assignedUsers": {"data": [{"type": "user", "id": str(owner.pk)}]},
            "assignedTeams": {"data": [{"type": "team", "id": team_id}]},
            "queue": {"data": {"type": "queue", "id": str(conversation.queue_id)}},
            "tags": {"data": [{"type": "tag", "id": str(tag.pk)}]},
            "createdBy": {"data": {"type": "user", "id": str(owner.pk)}},
        }

    def test_it_answers_an_empty_linked_conversations_list_and_empty_relationships(
        self, api_get: ApiGet, make_key: MakeKey
    ) -> None:
        conversation = ConversationFactory()
        _, key = make_key("User")

        data = api_get(url(conversation.pk), key).json()["data"]

        assert data["attributes"]["linkedConversations"] == []
        assert data["attributes"]["snooze"] is None
        assert data["attributes"]["queue"] is None
        assert data["relationships"]["assignedUsers"] == {"data": []}
        assert data["relationships"]["queue"] == {"data": None}
        assert data["relationships"]["createdBy"] == {"data": None}

    def test_it_lists_linked_conversations_with_their_customers_in_link_order(
        self, api_get: ApiGet, make_key: MakeKey, conversation: Conversation
    ) -> None:
        first = ConversationFactory(customer=CustomerFactory())
        second = ConversationFactory(customer=CustomerFactory())
        link(conversation, first)
        link(conversation, second)
        _, key = make_key("User")

        linked = api_get(url(conversation.pk), key).json()["data"]["attributes"]["linkedConversations"]

        assert linked == [
            {"id": str(first.pk), "customer": str(first.customer_id)},
            {"id": str(second.pk), "customer": str(second.customer_id)},
        ]
        # The link shows from the other end too.
        other = api_get(url(first.pk), key).json()["data"]["attributes"]["linkedConversations"]
        assert other == [{"id": str(conversation.pk), "customer": str(conversation.customer_id)}]

    def test_it_lists_links_beyond_the_uis_twenty(self, api_get: ApiGet, make_key: MakeKey) -> None:
        conversation = ConversationFactory()
        for other in ConversationFactory.create_batch(22):
            link(conversation, other)
        _, key = make_key("User")

        linked = api_get(url(conversation.pk), key).json()["data"]["attributes"]["linkedConversations"]

        assert len(linked) == 22

    def test_it_accepts_a_trailing_slash(self, api_get: ApiGet, make_key: MakeKey) -> None:
        conversation = ConversationFactory()
        _, key = make_key("User")

        assert api_get(url(conversation.pk) + "/", key).status_code == 200


class TestAccess:
    def _not_found(self, response: object) -> None:
        assert response.status_code == 404  # type: ignore[attr-defined]
        body = json.loads(response.content)  # type: ignore[attr-defined]
        assert body == {
            "errors": [
                {
                    "status": 404,
                    "code": "not_found",
                    "title": "Not Found",
                    "detail": "No such resource, or not visible to this key.",
                }
            ]
        }

    def test_it_answers_404_for_a_missing_conversation(self, api_get: ApiGet, make_key: MakeKey) -> None:
        _, key = make_key("User")

        self._not_found(api_get(url(999_999), key))
        self._not_found(api_get(url("not-a-number"), key))

    def test_it_answers_the_same_404_when_the_keys_sets_cannot_see_it(
        self, api_get: ApiGet, make_key: MakeKey
    ) -> None:
        # Collaboration sees only what a person is brought into: a key is nobody, so nothing,
        # not even a conversation without any assignee.
        conversation = ConversationFactory()
        _, key = make_key("Collaboration")

        self._not_found(api_get(url(conversation.pk), key))

    def test_it_answers_404_to_a_key_whose_sets_grant_no_conversations(
        self, api_get: ApiGet, make_key: MakeKey
    ) -> None:
        conversation = ConversationFactory()
        PermissionSetFactory(name="Reporting only", capabilities=[Capability.VIEW_REPORTS])
        _, key = make_key("Reporting only")

        self._not_found(api_get(url(conversation.pk), key))

    def test_it_follows_a_change_to_the_keys_permission_sets(
        self, api_get: ApiGet, make_key: MakeKey
    ) -> None:
        conversation = ConversationFactory()
        custom = PermissionSetFactory(name="Integrations", capabilities=[Capability.VIEW_ALL_CONVERSATIONS])
        _, key = make_key("Integrations")
        assert api_get(url(conversation.pk), key).status_code == 200

        PermissionSet.objects.filter(pk=custom.pk).update(capabilities=[Capability.VIEW_REPORTS])

        self._not_found(api_get(url(conversation.pk), key))

    def test_it_ignores_who_made_the_key(self, api_get: ApiGet, owner: User, make_key: MakeKey) -> None:
        # The owner sees everything; their key with the Collaboration set does not.
        conversation = ConversationFactory()
        conversation.assigned_users.set([owner])
        _, key = make_key("Collaboration")

        self._not_found(api_get(url(conversation.pk), key))


class TestQueries:
    def test_it_reads_a_conversation_in_a_fixed_number_of_queries(
        self, api_get: ApiGet, make_key: MakeKey, conversation: Conversation
    ) -> None:
        _, key = make_key("User")
        api_get(url(conversation.pk), key)  # the first use records last_used_at (one UPDATE)
        bare = ConversationFactory()

        with CaptureQueriesContext(connection) as plain:
            assert api_get(url(bare.pk), key).status_code == 200
        for other in ConversationFactory.create_batch(5):
            link(conversation, other)
        for tag in TagFactory.create_batch(3):
            ConversationTagFactory(conversation=conversation, tag=tag)
        conversation.assigned_users.add(*UserFactory.create_batch(3))
        with CaptureQueriesContext(connection) as busy:
            assert api_get(url(conversation.pk), key).status_code == 200

        # The key with its capabilities; the conversation with assignments and tags; its links.
        assert len(plain) == 3, [q["sql"] for q in plain.captured_queries]
        assert len(busy) == 3, [q["sql"] for q in busy.captured_queries]
