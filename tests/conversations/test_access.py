"""Who sees and changes what: the access_* funnels and the views that use them.

Missing and not-visible look the same (404); visible but not changeable is 403.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import reverse

from accounts.capabilities import Capability
from accounts.models import User
from conversations.models import Conversation, Priority
from conversations.selectors import access_attachment, access_conversation, access_customer
from customers.models import Customer
from tests.conversations.factories import (
    AttachmentFactory,
    ConversationFactory,
    CustomerFactory,
    MessageFactory,
    NoteFactory,
)
from tests.factories import PermissionSetFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]


@pytest.fixture
def viewer() -> User:
    """Sees every conversation but may change none (a custom set with only that capability)."""
    read_only = PermissionSetFactory(name="Read only", capabilities=[Capability.VIEW_ALL_CONVERSATIONS])
    return UserFactory(email="viewer@example.com", display_name="Val Viewer", sets=[read_only.name])


class TestAccessConversation:
    def test_it_gives_an_agent_any_conversation(self, agent: User) -> None:
        conversation = ConversationFactory()
        assert access_conversation(agent, conversation.pk) == conversation

    def test_it_is_404_for_a_missing_conversation(self, agent: User) -> None:
        with pytest.raises(Http404):
            access_conversation(agent, 999999)

    @pytest.mark.parametrize("bad_id", ["abc", None, "1; drop table"])
    def test_it_is_404_for_an_id_that_is_not_a_number(self, agent: User, bad_id: object) -> None:
        with pytest.raises(Http404):
            access_conversation(agent, bad_id)

    def test_it_is_404_for_an_outsider(self, outsider: User) -> None:
        with pytest.raises(Http404):
            access_conversation(outsider, ConversationFactory().pk)

    def test_it_is_404_for_a_deactivated_agent(self, agent: User) -> None:
        conversation = ConversationFactory()
        agent.is_active = False
        agent.save()
        with pytest.raises(Http404):
            access_conversation(User.objects.get(pk=agent.pk), conversation.pk)

    def test_it_refuses_writing_without_the_update_permission(self, viewer: User) -> None:
        conversation = ConversationFactory()
        assert access_conversation(viewer, conversation.pk) == conversation
        with pytest.raises(PermissionDenied):
            access_conversation(viewer, conversation.pk, write=True)

    def test_it_lets_an_agent_write(self, agent: User) -> None:
        conversation = ConversationFactory()
        assert access_conversation(agent, conversation.pk, write=True) == conversation


class TestCollaborator:
    def test_it_hides_a_conversation_they_were_not_brought_into(self, collaborator: User) -> None:
        with pytest.raises(Http404):
            access_conversation(collaborator, ConversationFactory().pk)

    def test_it_shows_a_conversation_they_are_assigned_to(self, collaborator: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(collaborator)
        assert access_conversation(collaborator, conversation.pk) == conversation

    def test_it_shows_a_conversation_they_are_mentioned_in(self, collaborator: User) -> None:
        note = NoteFactory()
        note.mentioned_users.add(collaborator)
        assert access_conversation(collaborator, note.conversation_id) == note.conversation

    def test_it_shows_a_conversation_their_team_is_mentioned_in(self, collaborator: User) -> None:
        team = TeamFactory()
        team.members.add(collaborator)
        note = NoteFactory()
        note.mentioned_teams.add(team)
        assert access_conversation(collaborator, note.conversation_id) == note.conversation

    def test_it_shows_a_conversation_with_a_note_assigned_to_them(self, collaborator: User) -> None:
        note = NoteFactory(assigned_user=collaborator)
        assert access_conversation(collaborator, note.conversation_id) == note.conversation

    def test_a_mention_elsewhere_does_not_open_other_conversations(self, collaborator: User) -> None:
        NoteFactory().mentioned_users.add(collaborator)
        other = ConversationFactory()
        with pytest.raises(Http404):
            access_conversation(collaborator, other.pk)

    def test_it_cannot_change_a_conversation_it_sees(self, collaborator: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(collaborator)
        with pytest.raises(PermissionDenied):
            access_conversation(collaborator, conversation.pk, write=True)

    def test_it_lists_each_visible_conversation_once(self, collaborator: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(collaborator)
        for _ in range(2):
            NoteFactory(conversation=conversation).mentioned_users.add(collaborator)
        assert list(Conversation.objects.visible_to(collaborator)) == [conversation]


class TestAccessCustomer:
    def test_it_gives_an_agent_any_customer(self, agent: User) -> None:
        customer = CustomerFactory()
        assert access_customer(agent, customer.pk) == customer

    def test_it_is_404_for_an_outsider(self, outsider: User) -> None:
        with pytest.raises(Http404):
            access_customer(outsider, CustomerFactory().pk)

    def test_it_shows_a_collaborator_the_customer_of_a_visible_conversation(self, collaborator: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(collaborator)
        assert access_customer(collaborator, conversation.customer_id) == conversation.customer

    def test_it_hides_other_customers_from_a_collaborator(self, collaborator: User) -> None:
        ConversationFactory().assigned_users.add(collaborator)
        with pytest.raises(Http404):
            access_customer(collaborator, CustomerFactory().pk)

    def test_it_refuses_writing_without_the_update_permission(self, viewer: User) -> None:
        customer = CustomerFactory()
        with pytest.raises(PermissionDenied):
            access_customer(viewer, customer.pk, write=True)


class TestAccessAttachment:
    def test_it_gives_an_agent_a_message_attachment(self, agent: User) -> None:
        attachment = AttachmentFactory()
        assert access_attachment(agent, attachment.pk) == attachment

    def test_it_gives_an_agent_a_note_attachment(self, agent: User) -> None:
        attachment = AttachmentFactory(message=None, note=NoteFactory())
        assert access_attachment(agent, attachment.pk) == attachment

    def test_it_is_404_for_an_outsider(self, outsider: User) -> None:
        with pytest.raises(Http404):
            access_attachment(outsider, AttachmentFactory().pk)

    def test_it_is_404_for_a_collaborator_outside_the_conversation(self, collaborator: User) -> None:
        with pytest.raises(Http404):
            access_attachment(collaborator, AttachmentFactory().pk)

    def test_it_gives_a_collaborator_one_in_their_conversation(self, collaborator: User) -> None:
        message = MessageFactory()
        message.conversation.assigned_users.add(collaborator)
        attachment = AttachmentFactory(message=message)
        assert access_attachment(collaborator, attachment.pk) == attachment

    def test_it_is_404_for_a_missing_attachment(self, agent: User) -> None:
        with pytest.raises(Http404):
            access_attachment(agent, 999999)


class TestViews:
    """The same rules, end to end through the views."""

    def test_an_outsider_gets_404_for_a_conversation(self, client_for: ClientFor, outsider: User) -> None:
        conversation = ConversationFactory()
        url = reverse("conversations:conversation_detail", args=[conversation.pk])
        assert client_for(outsider).get(url).status_code == 404

    def test_an_outsider_gets_404_for_a_customer(self, client_for: ClientFor, outsider: User) -> None:
        url = reverse("conversations:customer_timeline", args=[CustomerFactory().pk])
        assert client_for(outsider).get(url).status_code == 404

    def test_an_outsider_gets_404_for_an_attachment(self, client_for: ClientFor, outsider: User) -> None:
        url = reverse("conversations:attachment_download", args=[AttachmentFactory().pk])
        assert client_for(outsider).get(url).status_code == 404

    def test_an_outsider_gets_404_for_a_details_action(self, client_for: ClientFor, outsider: User) -> None:
        conversation = ConversationFactory(priority=Priority.MEDIUM)
        url = reverse("conversations:set_priority", args=[conversation.pk])
        assert client_for(outsider).post(url, {"priority": "5"}).status_code == 404
        assert Conversation.objects.get(pk=conversation.pk).priority == Priority.MEDIUM

    def test_a_collaborator_opens_a_conversation_they_are_assigned_to(
        self, client_for: ClientFor, collaborator: User
    ) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(collaborator)
        url = reverse("conversations:conversation_detail", args=[conversation.pk])
        assert client_for(collaborator).get(url).status_code == 200

    def test_a_collaborator_gets_404_for_any_other_conversation(
        self, client_for: ClientFor, collaborator: User
    ) -> None:
        url = reverse("conversations:conversation_detail", args=[ConversationFactory().pk])
        assert client_for(collaborator).get(url).status_code == 404

    @pytest.mark.parametrize(
        "name,data",
        [
            ("set_priority", {"priority": "5"}),
            ("assign_to_me", {}),
            ("rename", {"name": "Taken over"}),
            ("done", {}),
            ("pin", {"pinned": "1"}),
        ],
    )
    def test_a_viewer_without_the_update_permission_gets_403(
        self, client_for: ClientFor, viewer: User, name: str, data: dict[str, str]
    ) -> None:
        conversation = ConversationFactory(name="Original", priority=Priority.MEDIUM)
        response = client_for(viewer).post(reverse(f"conversations:{name}", args=[conversation.pk]), data)
        assert response.status_code == 403
        conversation.refresh_from_db()
        assert (conversation.name, conversation.priority, conversation.status) == (
            "Original",
            Priority.MEDIUM,
            "open",
        )
        assert conversation.pinned_at is None
        assert not conversation.events.exists()

    def test_a_viewer_can_read_the_conversation(self, client_for: ClientFor, viewer: User) -> None:
        conversation = ConversationFactory()
        url = reverse("conversations:conversation_detail", args=[conversation.pk])
        response = client_for(viewer).get(url)
        assert response.status_code == 200
        assert b'id="details-card"' in response.content
        assert reverse("conversations:rename", args=[conversation.pk]).encode() not in response.content

    def test_a_viewer_gets_403_editing_a_customer(self, client_for: ClientFor, viewer: User) -> None:
        customer = CustomerFactory(name="Jane")
        url = reverse("conversations:customer_edit", args=[customer.pk])
        assert client_for(viewer).post(url, {"name": "Changed"}).status_code == 403
        customer.refresh_from_db()
        assert customer.name == "Jane"

    def test_a_viewer_gets_403_adding_a_customer(self, client_for: ClientFor, viewer: User) -> None:
        response = client_for(viewer).post(reverse("conversations:customer_create"), {"name": "New"})
        assert response.status_code == 403
        assert not Customer.objects.filter(name="New").exists()

    def test_a_viewer_gets_403_starting_a_conversation(self, client_for: ClientFor, viewer: User) -> None:
        customer = CustomerFactory()
        url = reverse("conversations:conversation_create", args=[customer.pk])
        assert client_for(viewer).post(url, {"name": "Hello", "channel": "email"}).status_code == 403
        assert not Conversation.objects.exists()

    def test_a_viewer_cannot_send_a_reply(self, client_for: ClientFor, viewer: User) -> None:
        conversation = ConversationFactory()
        url = reverse("conversations:reply", args=[conversation.pk])
        response = client_for(viewer).post(url, {"channel": "email", "body": "Hello"})
        assert response.status_code == 200
        assert "This needs the “Send messages” permission." in response.content.decode()
        assert not conversation.messages.exists()
