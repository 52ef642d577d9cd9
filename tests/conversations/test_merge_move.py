"""Merge Conversation and Move Conversation: the seed's merge rules exactly, what moves, the
record a merged-away conversation leaves, bad input, and concurrency against PostgreSQL with
real threads (two merges at once; a merge while a message arrives; a move during a merge)."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse

from accounts.models import User
from conversations.models import (
    Conversation,
    ConversationEvent,
    ConversationLink,
    ConversationTag,
    MergedConversation,
    Message,
    Note,
    Queue,
    Status,
    Tag,
)
from conversations.services.conversations import (
    conversation_assign,
    conversation_create,
    conversation_done,
    conversation_snooze,
)
from conversations.services.links import conversation_link
from conversations.services.merging import conversation_merge, conversation_move, merge_plan
from conversations.services.messages import message_receive, message_send
from conversations.services.notes import note_create
from core.models import AuditEntry
from customers.models import Customer
from customers.services import customer_create

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
T0 = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def customer(admin_user: User) -> Customer:
    return customer_create(actor=admin_user, name="Ann Apple", emails=[("ann@example.com", "home")])


@pytest.fixture
def apple(admin_user: User, customer: Customer) -> Conversation:
    conversation = conversation_create(actor=admin_user, customer=customer, name="Apple", channel="email")
    message_receive(conversation=conversation, channel="email", body_text="apple 1", received_at=T0)
    message_receive(
        conversation=conversation,
        channel="email",
        body_text="apple 2",
        received_at=T0 + datetime.timedelta(hours=2),
    )
    return Conversation.objects.get(pk=conversation.pk)


@pytest.fixture
def banana(admin_user: User, customer: Customer) -> Conversation:
    conversation = conversation_create(actor=admin_user, customer=customer, name="Banana", channel="sms")
    message_receive(
        conversation=conversation,
        channel="sms",
        body_text="banana 1",
        received_at=T0 + datetime.timedelta(hours=1),
    )
    message_receive(
        conversation=conversation,
        channel="sms",
        body_text="banana 2",
        received_at=T0 + datetime.timedelta(hours=3),
    )
    note_create(
        actor=User.objects.get(email="admin2@example.com"),
        conversation=conversation,
        body_html="<p>a note</p>",
    )
    return Conversation.objects.get(pk=conversation.pk)


def fresh(conversation: Conversation) -> Conversation:
    return Conversation.objects.get(pk=conversation.pk)


class TestMergeRules:
    def test_everything_moves_in_time_order_with_original_timestamps(
        self, admin_user: User, apple: Conversation, banana: Conversation
    ) -> None:
        conversation_merge(actor=admin_user, source=banana, target=apple)
        texts = list(
            Message.objects.filter(conversation=apple)
            .order_by("created_at")
            .values_list("body_text", flat=True)
        )
        assert texts == ["apple 1", "banana 1", "apple 2", "banana 2"]
        assert Message.objects.get(body_text="banana 1").created_at == T0 + datetime.timedelta(hours=1)
        assert Note.objects.get().conversation_id == apple.pk
        result = fresh(apple)
        assert (result.message_count, result.note_count) == (4, 1)
        assert result.channels == ["email", "sms"]
        assert result.last_message_in_at == T0 + datetime.timedelta(hours=3)
        assert not Conversation.objects.filter(pk=banana.pk).exists()

    def test_a_done_target_takes_an_open_or_snoozed_source_status(
        self, admin_user: User, apple: Conversation, banana: Conversation
    ) -> None:
        conversation_done(actor=admin_user, conversation=apple)
        conversation_snooze(actor=admin_user, conversation=banana, until_customer_replies=True)
        conversation_merge(actor=admin_user, source=fresh(banana), target=fresh(apple))
        result = fresh(apple)
        assert result.status == Status.SNOOZED and result.snooze_until_customer_replies

    def test_an_open_target_stays_open_whatever_the_source(
        self, admin_user: User, apple: Conversation, banana: Conversation
    ) -> None:
        conversation_done(actor=admin_user, conversation=banana)
        conversation_merge(actor=admin_user, source=fresh(banana), target=apple)
        assert fresh(apple).status == Status.OPEN

    def test_set_attributes_keep_their_value_and_unset_ones_take_the_source(
        self, admin_user: User, apple: Conversation, banana: Conversation
    ) -> None:
        """The seed's table: Favorite Color stays Blue; Location takes NYC."""
        Conversation.objects.filter(pk=apple.pk).update(custom={"favoriteColor": "Blue"}, name="")
        queue = Queue.objects.create(name="Fruit")
        Conversation.objects.filter(pk=banana.pk).update(
            custom={"favoriteColor": "Red", "location": "NYC"}, queue=queue
        )
        plan = merge_plan(actor=admin_user, source=fresh(banana), target=fresh(apple))
        assert plan.taken == {"name": "Banana", "queue": "Fruit", "location": "NYC"}
        assert plan.kept == {"favoriteColor": "Blue"}
        conversation_merge(actor=admin_user, source=fresh(banana), target=fresh(apple))
        result = fresh(apple)
        assert result.custom == {"favoriteColor": "Blue", "location": "NYC"}
        assert (result.name, result.queue) == ("Banana", queue)

    def test_assignees_are_taken_only_when_the_target_has_none(
        self, admin_user: User, agent: User, manager: User, apple: Conversation, banana: Conversation
    ) -> None:
        conversation_assign(actor=admin_user, conversation=banana, users=[agent])
        conversation_merge(actor=admin_user, source=banana, target=apple)
        assert list(fresh(apple).assigned_users.all()) == [agent]

    def test_tags_combine_within_20_and_say_what_was_left_out(
        self, admin_user: User, apple: Conversation, banana: Conversation
    ) -> None:
        ConversationTag.objects.bulk_create(
            ConversationTag(conversation=apple, tag=Tag.objects.create(name=f"A{n:02d}")) for n in range(18)
        )
        shared = Tag.objects.create(name="Shared")
        ConversationTag.objects.create(conversation=apple, tag=shared)
        ConversationTag.objects.bulk_create(
            ConversationTag(conversation=banana, tag=tag)
            for tag in [shared, Tag.objects.create(name="B1"), Tag.objects.create(name="B2")]
        )
        plan = conversation_merge(actor=admin_user, source=banana, target=apple)
        assert plan.tags_added == ["B1"] and plan.tags_left_out == ["B2"]
        assert ConversationTag.objects.filter(conversation=apple).count() == 20
        event = ConversationEvent.objects.get(conversation=apple, kind="merged")
        assert event.data["tags_left_out"] == ["B2"]

    def test_links_of_both_are_kept_even_past_20(
        self, admin_user: User, customer: Customer, apple: Conversation, banana: Conversation
    ) -> None:
        others = [conversation_create(actor=admin_user, customer=customer, name=f"L{n}") for n in range(30)]
        conversation_link(actor=admin_user, conversation=apple, others=others[:15])
        conversation_link(actor=admin_user, conversation=banana, others=[*others[10:25], apple])
        conversation_merge(actor=admin_user, source=banana, target=apple)
        linked = set(ConversationLink.objects.filter(conversation=apple).values_list("linked_id", flat=True))
        assert linked == {c.pk for c in others[:25]}
        assert not ConversationLink.objects.filter(linked_id=banana.pk).exists()
        assert ConversationLink.objects.filter(conversation=others[20], linked=apple).exists()

    def test_the_merged_away_conversation_sends_whoever_opens_it_to_the_result(
        self, admin_user: User, apple: Conversation, banana: Conversation, client_for: ClientFor
    ) -> None:
        conversation_merge(actor=admin_user, source=banana, target=apple)
        assert MergedConversation.objects.get(pk=banana.pk).into_id == apple.pk
        response = client_for(admin_user).get(reverse("conversations:conversation_detail", args=[banana.pk]))
        assert response.status_code == 302 and response["Location"] == apple.get_absolute_url()

    def test_an_outsider_following_the_record_still_gets_404(
        self,
        admin_user: User,
        outsider: User,
        apple: Conversation,
        banana: Conversation,
        client_for: ClientFor,
    ) -> None:
        conversation_merge(actor=admin_user, source=banana, target=apple)
        client = client_for(outsider)
        response = client.get(reverse("conversations:conversation_detail", args=[banana.pk]), follow=True)
        assert response.status_code == 404

    def test_merging_again_into_the_result_follows_older_merges(
        self, admin_user: User, customer: Customer, apple: Conversation, banana: Conversation
    ) -> None:
        cherry = conversation_create(actor=admin_user, customer=customer, name="Cherry")
        conversation_merge(actor=admin_user, source=banana, target=apple)
        conversation_merge(actor=admin_user, source=fresh(apple), target=cherry)
        assert MergedConversation.objects.get(pk=banana.pk).into_id == cherry.pk


class TestMergeRefusals:
    def test_into_itself(self, admin_user: User, apple: Conversation) -> None:
        with pytest.raises(ValidationError, match="can't be merged into itself"):
            conversation_merge(actor=admin_user, source=apple, target=apple)

    def test_another_customers_conversation(self, admin_user: User, apple: Conversation) -> None:
        other = customer_create(actor=admin_user, name="Bob")
        elsewhere = conversation_create(actor=admin_user, customer=other, name="Elsewhere")
        with pytest.raises(ValidationError, match="same customer's timeline"):
            conversation_merge(actor=admin_user, source=elsewhere, target=apple)
        assert Conversation.objects.filter(pk=elsewhere.pk).exists()

    def test_without_the_merge_permission(
        self, agent: User, apple: Conversation, banana: Conversation
    ) -> None:
        agent.permission_sets.clear()
        agent = User.objects.get(pk=agent.pk)
        with pytest.raises(PermissionDenied):
            conversation_merge(actor=agent, source=banana, target=apple)

    def test_a_conversation_already_merged_away(
        self, admin_user: User, customer: Customer, apple: Conversation, banana: Conversation
    ) -> None:
        cherry = conversation_create(actor=admin_user, customer=customer, name="Cherry")
        stale = fresh(banana)
        conversation_merge(actor=admin_user, source=banana, target=apple)
        with pytest.raises(ValidationError, match="was just merged into another conversation"):
            conversation_merge(actor=admin_user, source=stale, target=cherry)
        assert fresh(cherry).message_count == 0


class TestMove:
    def test_everything_moves_and_both_customers_record_it(
        self, admin_user: User, customer: Customer, banana: Conversation
    ) -> None:
        Conversation.objects.filter(pk=banana.pk).update(channels=["email"])
        bob = customer_create(actor=admin_user, name="Bob Banana")
        created = fresh(banana).created_at
        conversation_move(actor=admin_user, conversation=fresh(banana), customer=bob)
        moved = fresh(banana)
        assert moved.customer == bob and moved.created_at == created
        assert set(Message.objects.filter(conversation=banana).values_list("customer_id", flat=True)) == {
            bob.pk
        }
        assert Note.objects.get().conversation_id == banana.pk
        event = ConversationEvent.objects.get(conversation=banana, kind="moved")
        assert (event.data["before"], event.data["after"]) == ("Ann Apple", "Bob Banana")
        for who in (customer, bob):
            assert AuditEntry.objects.filter(
                object_type="customers.customer", object_id=str(who.pk), action="update"
            ).exists()
        # And back again.
        conversation_move(actor=admin_user, conversation=moved, customer=customer)
        assert fresh(banana).customer == customer

    def test_chat_conversations_cannot_be_moved(self, admin_user: User, customer: Customer) -> None:
        chat = conversation_create(actor=admin_user, customer=customer, name="Chat", channel="chat")
        bob = customer_create(actor=admin_user, name="Bob")
        with pytest.raises(ValidationError, match="Chat conversations can't be moved"):
            conversation_move(actor=admin_user, conversation=chat, customer=bob)
        assert fresh(chat).customer == customer

    def test_to_the_same_customer(self, admin_user: User, customer: Customer, apple: Conversation) -> None:
        with pytest.raises(ValidationError, match="already on Ann Apple's timeline"):
            conversation_move(actor=admin_user, conversation=apple, customer=customer)


@pytest.mark.django_db(transaction=True)
class TestConcurrency:
    def _race(self, *jobs: Callable[[], object]) -> list[str]:
        barrier = threading.Barrier(len(jobs))
        outcomes: list[str] = []

        def run(job: Callable[[], object]) -> None:
            try:
                barrier.wait()
                job()
                outcomes.append("ok")
            except (ValidationError, Conversation.DoesNotExist) as error:
                outcomes.append(f"refused: {error}")
            finally:
                close_old_connections()

        threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcomes

    def test_two_merges_at_once_leave_every_message_in_one_place(
        self, admin_user: User, apple: Conversation, banana: Conversation
    ) -> None:
        outcomes = self._race(
            lambda: conversation_merge(actor=admin_user, source=banana, target=apple),
            lambda: conversation_merge(actor=admin_user, source=apple, target=banana),
        )
        assert sorted(o[:7] for o in outcomes) == ["ok", "refused"]
        survivors = list(Conversation.objects.all())
        assert len(survivors) == 1
        assert Message.objects.filter(conversation=survivors[0]).count() == 4
        assert Message.objects.count() == 4

    def test_a_message_arriving_during_a_merge_lands_in_the_result(
        self, admin_user: User, apple: Conversation, banana: Conversation
    ) -> None:
        stale = fresh(banana)
        outcomes = self._race(
            lambda: conversation_merge(actor=admin_user, source=banana, target=apple),
            lambda: message_receive(conversation=stale, channel="sms", body_text="arriving now"),
        )
        assert outcomes == ["ok", "ok"]
        arrived = Message.objects.get(body_text="arriving now")
        assert arrived.conversation_id == apple.pk
        assert Message.objects.filter(conversation=apple).count() == 5
        assert fresh(apple).message_count == 5

    def test_a_move_during_a_merge(self, admin_user: User, apple: Conversation, banana: Conversation) -> None:
        bob = customer_create(actor=admin_user, name="Bob")
        Conversation.objects.filter(pk=banana.pk).update(channels=["email"])
        outcomes = self._race(
            lambda: conversation_merge(actor=admin_user, source=fresh(banana), target=apple),
            lambda: conversation_move(actor=admin_user, conversation=fresh(banana), customer=bob),
        )
        assert "ok" in outcomes
        # Either the merge won (banana is gone, its messages are Ann's in apple) or the move did
        # (banana is Bob's, the merge refused). Never half of each.
        if Conversation.objects.filter(pk=banana.pk).exists():
            assert fresh(banana).customer == bob
            assert set(Message.objects.filter(conversation=banana).values_list("customer_id", flat=True)) == {
                bob.pk
            }
            assert Message.objects.filter(conversation=apple).count() == 2
        else:
            assert Message.objects.filter(conversation=apple).count() == 4
            assert set(Message.objects.values_list("customer__name", flat=True)) == {"Ann Apple"}


def test_sending_to_a_merged_away_conversation_goes_to_the_result(
    admin_user: User, apple: Conversation, banana: Conversation
) -> None:
    stale = fresh(banana)
    conversation_merge(actor=admin_user, source=banana, target=apple)
    message = message_send(actor=admin_user, conversation=stale, channel="email", body_html="<p>hi</p>")
    assert message.conversation_id == apple.pk


HTMX = {"HX-Request": "true"}


class TestMergeWindow:
    def test_choose_confirm_and_merge(
        self, admin_user: User, apple: Conversation, banana: Conversation, client_for: ClientFor
    ) -> None:
        client = client_for(admin_user)
        url = reverse("conversations:merge", args=[banana.pk])
        first = client.get(url, headers=HTMX).content.decode()
        assert 'name="into"' in first and "Apple" in first
        confirm = client.get(url, {"into": apple.pk}, headers=HTMX).content.decode()
        assert "This is permanent and can't be undone." in confirm
        assert "2 messages and 1 note" in confirm and "Confirm Merge" in confirm
        response = client.post(url, {"into": apple.pk}, headers=HTMX)
        assert response["HX-Redirect"] == apple.get_absolute_url()
        assert not Conversation.objects.filter(pk=banana.pk).exists()

    def test_merging_into_itself_says_so(
        self, admin_user: User, banana: Conversation, client_for: ClientFor
    ) -> None:
        response = client_for(admin_user).post(
            reverse("conversations:merge", args=[banana.pk]), {"into": banana.pk}, headers=HTMX
        )
        assert "can&#x27;t be merged into itself" in response.content.decode()
        assert Conversation.objects.filter(pk=banana.pk).exists()

    def test_without_the_permission_it_is_403(
        self, agent: User, apple: Conversation, banana: Conversation, client_for: ClientFor
    ) -> None:
        from tests.factories import PermissionSetFactory

        agent.permission_sets.set(
            [PermissionSetFactory(capabilities=["view_all_conversations", "update_customers"])]
        )
        response = client_for(agent).get(reverse("conversations:merge", args=[banana.pk]))
        assert response.status_code == 403

    def test_outsiders_and_unseen_targets_get_404_and_nothing_changes(
        self,
        admin_user: User,
        outsider: User,
        apple: Conversation,
        banana: Conversation,
        client_for: ClientFor,
    ) -> None:
        from tests.factories import PermissionSetFactory, UserFactory

        assert (
            client_for(outsider)
            .post(reverse("conversations:merge", args=[banana.pk]), {"into": apple.pk})
            .status_code
            == 404
        )
        limited = UserFactory(email="limited@example.com")
        limited.permission_sets.set(
            [PermissionSetFactory(capabilities=["update_customers", "add_notes", "merge_conversations"])]
        )
        conversation_assign(actor=admin_user, conversation=banana, users=[limited])
        response = client_for(limited).post(
            reverse("conversations:merge", args=[banana.pk]), {"into": apple.pk}
        )
        assert response.status_code == 404
        assert Conversation.objects.filter(pk=banana.pk).exists()


class TestMoveWindow:
    def test_find_continue_and_confirm(
        self, admin_user: User, banana: Conversation, client_for: ClientFor
    ) -> None:
        Conversation.objects.filter(pk=banana.pk).update(channels=["email"])
        bob = customer_create(actor=admin_user, name="Bob Banana", emails=[("bob@example.com", "work")])
        client = client_for(admin_user)
        url = reverse("conversations:move", args=[banana.pk])
        suggestions = client.get(url, {"q": "bob@"}, headers={**HTMX, "HX-Target": "move-suggestions"})
        assert "Bob Banana" in suggestions.content.decode()
        confirm = client.get(url, {"customer": bob.pk}, headers=HTMX).content.decode()
        assert "Confirm Move" in confirm and "Bob Banana" in confirm
        response = client.post(url, {"customer": bob.pk}, headers=HTMX)
        assert response["HX-Redirect"] == banana.get_absolute_url()
        assert fresh(banana).customer == bob

    def test_a_chat_conversation_is_refused_up_front(
        self, admin_user: User, customer: Customer, client_for: ClientFor
    ) -> None:
        chat = conversation_create(actor=admin_user, customer=customer, name="Chat", channel="chat")
        content = client_for(admin_user).get(reverse("conversations:move", args=[chat.pk])).content.decode()
        assert "Chat conversations can't be moved to another customer." in content
        assert "Continue" not in content

    def test_a_customer_the_user_cannot_see_is_404(
        self, admin_user: User, banana: Conversation, client_for: ClientFor
    ) -> None:
        from tests.factories import PermissionSetFactory, UserFactory

        Conversation.objects.filter(pk=banana.pk).update(channels=["email"])
        hidden = customer_create(actor=admin_user, name="Hidden")
        limited = UserFactory(email="limited@example.com")
        limited.permission_sets.set([PermissionSetFactory(capabilities=["update_customers", "add_notes"])])
        conversation_assign(actor=admin_user, conversation=banana, users=[limited])
        response = client_for(limited).post(
            reverse("conversations:move", args=[banana.pk]), {"customer": hidden.pk}
        )
        assert response.status_code == 404
        assert fresh(banana).customer_id != hidden.pk
