"""Conversation Details rules: priority, assignment, queue, name, sub status, snooze, Done, pinning.

Every change writes a ConversationEvent; these tests check the row and the event.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from conversations.models import Channel, Conversation, ConversationEvent, Notification, Priority, Status
from conversations.services import conversations as services
from conversations.signals import conversation_changed
from conversations.tasks import wake_snoozed_conversations
from customers.models import Customer
from tests.conversations.factories import (
    ConversationFactory,
    CustomerFactory,
    QueueFactory,
    SubStatusFactory,
)
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = ConversationEvent.Kind
NOW = datetime.datetime(2025, 3, 10, 12, 0, tzinfo=datetime.UTC)


def _events(conversation: Conversation, kind: str) -> list[ConversationEvent]:
    return list(ConversationEvent.objects.filter(conversation=conversation, kind=kind))


def _reload(conversation: Conversation) -> Conversation:
    return Conversation.objects.get(pk=conversation.pk)


class TestCreate:
    def test_it_creates_an_open_conversation_with_a_created_event(self, agent: User) -> None:
        customer = CustomerFactory()
        conversation = services.conversation_create(
            actor=agent, customer=customer, name="  Order #1001  ", channel=Channel.EMAIL
        )
        assert (conversation.status, conversation.name, conversation.channels) == (
            Status.OPEN,
            "Order #1001",
            [Channel.EMAIL],
        )
        [event] = _events(conversation, Kind.CREATED)
        assert event.actor == agent
        assert event.data == {"status": Status.OPEN}

    def test_it_bumps_the_customer_activity(self, agent: User) -> None:
        customer = CustomerFactory(last_activity_at=NOW - datetime.timedelta(days=30))
        with time_machine.travel(NOW, tick=False):
            services.conversation_create(actor=agent, customer=customer)
        assert Customer.objects.get(pk=customer.pk).last_activity_at == NOW


class TestPriority:
    @pytest.mark.parametrize(
        "priority,stored",
        [
            (Priority.HIGHEST, 5),
            (Priority.HIGH, 4),
            (Priority.MEDIUM, 3),
            (Priority.LOW, 2),
            (Priority.LOWEST, 1),
        ],
    )
    def test_it_stores_highest_to_lowest_as_5_to_1(self, agent: User, priority: int, stored: int) -> None:
        conversation = ConversationFactory(priority=Priority.MEDIUM if stored != 3 else Priority.LOW)
        services.conversation_set_priority(actor=agent, conversation=conversation, priority=priority)
        assert _reload(conversation).priority == stored

    def test_it_records_the_change_by_label(self, agent: User) -> None:
        conversation = ConversationFactory(priority=Priority.MEDIUM)
        services.conversation_set_priority(actor=agent, conversation=conversation, priority=Priority.HIGHEST)
        [event] = _events(conversation, Kind.PRIORITY)
        assert event.actor == agent
        assert event.data == {"before": "Medium", "after": "Highest"}

    @pytest.mark.parametrize("priority", [0, 6])
    def test_it_refuses_a_priority_outside_lowest_to_highest(self, agent: User, priority: int) -> None:
        conversation = ConversationFactory(priority=Priority.MEDIUM)
        with pytest.raises(ValidationError, match="Choose a priority from Lowest to Highest."):
            services.conversation_set_priority(actor=agent, conversation=conversation, priority=priority)
        assert _reload(conversation).priority == Priority.MEDIUM
        assert not _events(conversation, Kind.PRIORITY)

    def test_it_records_nothing_when_the_priority_is_unchanged(self, agent: User) -> None:
        conversation = ConversationFactory(priority=Priority.HIGH)
        services.conversation_set_priority(actor=agent, conversation=conversation, priority=Priority.HIGH)
        assert not _events(conversation, Kind.PRIORITY)

    def test_it_needs_the_update_permission(self, collaborator: User) -> None:
        conversation = ConversationFactory(priority=Priority.MEDIUM)
        with pytest.raises(PermissionDenied):
            services.conversation_set_priority(
                actor=collaborator, conversation=conversation, priority=Priority.HIGH
            )
        assert _reload(conversation).priority == Priority.MEDIUM


class TestAssign:
    def test_it_assigns_users_and_teams(self, agent: User) -> None:
        conversation = ConversationFactory()
        sam, team = UserFactory(display_name="Sam Support"), TeamFactory(name="Billing")
        services.conversation_assign(actor=agent, conversation=conversation, users=[sam], teams=[team])
        assert list(conversation.assigned_users.all()) == [sam]
        assert list(conversation.assigned_teams.all()) == [team]

    def test_it_records_who_was_assigned_before_and_after(self, agent: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(UserFactory(display_name="Sam Support"))
        services.conversation_assign(
            actor=agent, conversation=conversation, users=[agent], teams=[TeamFactory(name="Support")]
        )
        [event] = _events(conversation, Kind.ASSIGNED)
        assert event.data == {
            "before": {"users": ["Sam Support"], "teams": []},
            "after": {"users": ["Alex Agent"], "teams": ["Support"]},
        }

    def test_it_leaves_the_teams_alone_when_only_users_are_given(self, agent: User) -> None:
        conversation = ConversationFactory()
        team = TeamFactory()
        conversation.assigned_teams.add(team)
        services.conversation_assign(actor=agent, conversation=conversation, users=[agent])
        assert list(conversation.assigned_teams.all()) == [team]

    def test_it_unassigns_with_an_empty_list(self, agent: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(agent)
        services.conversation_assign(actor=agent, conversation=conversation, users=[])
        assert not conversation.assigned_users.exists()
        assert len(_events(conversation, Kind.ASSIGNED)) == 1

    def test_it_skips_deactivated_users(self, agent: User) -> None:
        conversation = ConversationFactory()
        gone = UserFactory(is_active=False)
        services.conversation_assign(actor=agent, conversation=conversation, users=[gone])
        assert not conversation.assigned_users.exists()

    def test_it_notifies_the_newly_assigned_user(self, agent: User) -> None:
        conversation = ConversationFactory()
        sam = UserFactory(sets=["User"])
        services.conversation_assign(actor=agent, conversation=conversation, users=[sam])
        notification = Notification.objects.get(recipient=sam)
        assert (notification.kind, notification.conversation, notification.actor) == (
            Notification.Kind.ASSIGNED,
            conversation,
            agent,
        )

    def test_it_does_not_notify_the_actor(self, agent: User) -> None:
        conversation = ConversationFactory()
        services.conversation_assign(actor=agent, conversation=conversation, users=[agent])
        assert not Notification.objects.exists()

    def test_it_records_nothing_when_nothing_changes(self, agent: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(agent)
        services.conversation_assign(actor=agent, conversation=conversation, users=[agent])
        assert not _events(conversation, Kind.ASSIGNED)

    def test_it_needs_the_update_permission(self, collaborator: User, agent: User) -> None:
        conversation = ConversationFactory()
        with pytest.raises(PermissionDenied):
            services.conversation_assign(actor=collaborator, conversation=conversation, users=[agent])
        assert not conversation.assigned_users.exists()


class TestAssignToMe:
    def test_it_makes_the_actor_the_assigned_user(self, agent: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(UserFactory())
        services.conversation_assign_to_me(actor=agent, conversation=conversation)
        assert list(conversation.assigned_users.all()) == [agent]

    def test_it_records_an_assignment_event(self, agent: User) -> None:
        conversation = ConversationFactory()
        services.conversation_assign_to_me(actor=agent, conversation=conversation)
        [event] = _events(conversation, Kind.ASSIGNED)
        assert event.actor == agent
        assert event.data["after"]["users"] == ["Alex Agent"]


class TestTransfer:
    def test_it_moves_the_conversation_to_the_queue(self, agent: User) -> None:
        conversation = ConversationFactory()
        billing = QueueFactory(name="Billing")
        services.conversation_transfer(actor=agent, conversation=conversation, queue=billing)
        assert _reload(conversation).queue == billing

    def test_it_unassigns_the_user(self, agent: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(agent)
        services.conversation_transfer(actor=agent, conversation=conversation, queue=QueueFactory())
        assert not conversation.assigned_users.exists()

    def test_it_keeps_the_assigned_team(self, agent: User) -> None:
        conversation = ConversationFactory()
        team = TeamFactory()
        conversation.assigned_teams.add(team)
        services.conversation_transfer(actor=agent, conversation=conversation, queue=QueueFactory())
        assert list(conversation.assigned_teams.all()) == [team]

    def test_it_records_the_queues_and_who_was_unassigned(self, agent: User) -> None:
        conversation = ConversationFactory(queue=QueueFactory(name="Support"))
        conversation.assigned_users.add(agent)
        services.conversation_transfer(
            actor=agent, conversation=conversation, queue=QueueFactory(name="Billing")
        )
        [event] = _events(conversation, Kind.QUEUE)
        assert event.data == {"before": "Support", "after": "Billing", "unassigned": ["Alex Agent"]}

    def test_it_records_nothing_when_nothing_changes(self, agent: User) -> None:
        support = QueueFactory(name="Support")
        conversation = ConversationFactory(queue=support)
        services.conversation_transfer(actor=agent, conversation=conversation, queue=support)
        assert not _events(conversation, Kind.QUEUE)

    def test_transferring_to_the_same_queue_still_unassigns_the_user(self, agent: User) -> None:
        support = QueueFactory(name="Support")
        conversation = ConversationFactory(queue=support)
        conversation.assigned_users.add(agent)
        services.conversation_transfer(actor=agent, conversation=conversation, queue=support)
        assert not conversation.assigned_users.exists()
        assert _events(conversation, Kind.QUEUE)[0].data["unassigned"] == ["Alex Agent"]

    def test_it_refuses_a_turned_off_queue(self, agent: User) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(agent)
        closed = QueueFactory(name="Legacy", is_active=False)
        with pytest.raises(ValidationError, match="The queue “Legacy” is turned off."):
            services.conversation_transfer(actor=agent, conversation=conversation, queue=closed)
        assert _reload(conversation).queue is None
        assert list(conversation.assigned_users.all()) == [agent]

    def test_it_needs_the_update_permission(self, collaborator: User) -> None:
        conversation = ConversationFactory()
        with pytest.raises(PermissionDenied):
            services.conversation_transfer(
                actor=collaborator, conversation=conversation, queue=QueueFactory()
            )
        assert _reload(conversation).queue is None


class TestRename:
    def test_it_renames_the_conversation(self, agent: User) -> None:
        conversation = ConversationFactory(name="Order")
        services.conversation_rename(actor=agent, conversation=conversation, name="  Refund for #1001 ")
        assert _reload(conversation).name == "Refund for #1001"

    def test_it_keeps_the_name_before_and_after_in_the_event(self, agent: User) -> None:
        conversation = ConversationFactory(name="Order")
        services.conversation_rename(actor=agent, conversation=conversation, name="Refund for #1001")
        [event] = _events(conversation, Kind.RENAMED)
        assert (event.actor, event.data) == (agent, {"before": "Order", "after": "Refund for #1001"})

    def test_it_refuses_more_than_255_characters(self, agent: User) -> None:
        conversation = ConversationFactory(name="Order")
        with pytest.raises(ValidationError, match="at most 255 characters"):
            services.conversation_rename(actor=agent, conversation=conversation, name="x" * 256)
        assert _reload(conversation).name == "Order"

    def test_it_records_nothing_when_the_name_is_unchanged(self, agent: User) -> None:
        conversation = ConversationFactory(name="Order")
        services.conversation_rename(actor=agent, conversation=conversation, name="Order ")
        assert not _events(conversation, Kind.RENAMED)

    def test_it_needs_the_update_permission(self, collaborator: User) -> None:
        conversation = ConversationFactory(name="Order")
        with pytest.raises(PermissionDenied):
            services.conversation_rename(actor=collaborator, conversation=conversation, name="Mine now")
        assert _reload(conversation).name == "Order"


class TestSubStatus:
    def test_it_sets_a_sub_status_of_the_current_status(self, agent: User) -> None:
        conversation = ConversationFactory(status=Status.OPEN)
        escalated = SubStatusFactory(status=Status.OPEN, name="Escalated")
        services.conversation_set_sub_status(actor=agent, conversation=conversation, sub_status=escalated)
        assert _reload(conversation).sub_status == escalated

    def test_it_records_the_change(self, agent: User) -> None:
        conversation = ConversationFactory(status=Status.OPEN)
        escalated = SubStatusFactory(status=Status.OPEN, name="Escalated")
        services.conversation_set_sub_status(actor=agent, conversation=conversation, sub_status=escalated)
        [event] = _events(conversation, Kind.SUB_STATUS)
        assert event.data == {"before": None, "after": "Escalated"}

    def test_it_refuses_a_sub_status_of_another_status(self, agent: User) -> None:
        conversation = ConversationFactory(status=Status.OPEN)
        waiting = SubStatusFactory(status=Status.SNOOZED, name="Waiting")
        with pytest.raises(ValidationError, match="“Waiting” is a sub status of Snoozed, not Open."):
            services.conversation_set_sub_status(actor=agent, conversation=conversation, sub_status=waiting)
        assert _reload(conversation).sub_status is None

    def test_it_refuses_a_turned_off_sub_status(self, agent: User) -> None:
        conversation = ConversationFactory(status=Status.OPEN)
        old = SubStatusFactory(status=Status.OPEN, name="Old", is_active=False)
        with pytest.raises(ValidationError, match="The sub status “Old” is turned off."):
            services.conversation_set_sub_status(actor=agent, conversation=conversation, sub_status=old)
        assert _reload(conversation).sub_status is None

    def test_it_refuses_a_deleted_sub_status(self, agent: User) -> None:
        conversation = ConversationFactory(status=Status.OPEN)
        deleted = SubStatusFactory(status=Status.OPEN, is_active=False, is_deleted=True)
        with pytest.raises(ValidationError):
            services.conversation_set_sub_status(actor=agent, conversation=conversation, sub_status=deleted)
        assert _reload(conversation).sub_status is None

    def test_it_clears_the_sub_status(self, agent: User) -> None:
        escalated = SubStatusFactory(status=Status.OPEN, name="Escalated")
        conversation = ConversationFactory(status=Status.OPEN, sub_status=escalated)
        services.conversation_set_sub_status(actor=agent, conversation=conversation, sub_status=None)
        assert _reload(conversation).sub_status is None
        [event] = _events(conversation, Kind.SUB_STATUS)
        assert event.data == {"before": "Escalated", "after": None}

    def test_it_needs_the_update_permission(self, collaborator: User) -> None:
        conversation = ConversationFactory(status=Status.OPEN)
        with pytest.raises(PermissionDenied):
            services.conversation_set_sub_status(
                actor=collaborator, conversation=conversation, sub_status=SubStatusFactory()
            )
        assert _reload(conversation).sub_status is None


class TestSnooze:
    def test_it_snoozes_until_a_time_in_the_future(self, agent: User) -> None:
        conversation = ConversationFactory()
        with time_machine.travel(NOW, tick=False):
            until = NOW + datetime.timedelta(hours=4)
            services.conversation_snooze(actor=agent, conversation=conversation, until=until)
        conversation = _reload(conversation)
        assert (conversation.status, conversation.snooze_until) == (Status.SNOOZED, until)
        assert conversation.snooze_until_customer_replies is False

    def test_it_snoozes_until_the_customer_replies(self, agent: User) -> None:
        conversation = ConversationFactory()
        services.conversation_snooze(actor=agent, conversation=conversation, until_customer_replies=True)
        conversation = _reload(conversation)
        assert (conversation.status, conversation.snooze_until) == (Status.SNOOZED, None)
        assert conversation.snooze_until_customer_replies is True

    def test_it_refuses_a_time_in_the_past(self, agent: User) -> None:
        conversation = ConversationFactory()
        with (
            time_machine.travel(NOW, tick=False),
            pytest.raises(ValidationError, match="Choose a time in the future."),
        ):
            services.conversation_snooze(
                actor=agent, conversation=conversation, until=NOW - datetime.timedelta(minutes=1)
            )
        assert _reload(conversation).status == Status.OPEN

    def test_it_refuses_the_present_moment(self, agent: User) -> None:
        conversation = ConversationFactory()
        with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError):
            services.conversation_snooze(actor=agent, conversation=conversation, until=NOW)
        assert _reload(conversation).status == Status.OPEN

    def test_it_needs_a_time_or_until_the_customer_replies(self, agent: User) -> None:
        conversation = ConversationFactory()
        with pytest.raises(ValidationError, match="Until the customer replies"):
            services.conversation_snooze(actor=agent, conversation=conversation)
        assert _reload(conversation).status == Status.OPEN

    def test_it_takes_a_snoozed_sub_status(self, agent: User) -> None:
        conversation = ConversationFactory()
        waiting = SubStatusFactory(status=Status.SNOOZED, name="Waiting")
        services.conversation_snooze(
            actor=agent, conversation=conversation, until_customer_replies=True, sub_status=waiting
        )
        assert _reload(conversation).sub_status == waiting

    def test_it_refuses_a_sub_status_of_open(self, agent: User) -> None:
        conversation = ConversationFactory()
        escalated = SubStatusFactory(status=Status.OPEN, name="Escalated")
        with pytest.raises(ValidationError, match="sub status of Open, not Snoozed"):
            services.conversation_snooze(
                actor=agent, conversation=conversation, until_customer_replies=True, sub_status=escalated
            )
        assert _reload(conversation).status == Status.OPEN

    def test_it_records_a_status_event_with_the_wake_time(self, agent: User) -> None:
        conversation = ConversationFactory()
        waiting = SubStatusFactory(status=Status.SNOOZED, name="Waiting")
        with time_machine.travel(NOW, tick=False):
            until = NOW + datetime.timedelta(days=1)
            services.conversation_snooze(
                actor=agent, conversation=conversation, until=until, sub_status=waiting
            )
        [event] = _events(conversation, Kind.STATUS)
        assert event.actor == agent
        assert event.data == {
            "before": {"status": "open", "sub_status": None},
            "after": {"status": "snoozed", "sub_status": "Waiting", "snooze_until": until.isoformat()},
        }

    def test_it_needs_the_update_permission(self, collaborator: User) -> None:
        conversation = ConversationFactory()
        with pytest.raises(PermissionDenied):
            services.conversation_snooze(
                actor=collaborator, conversation=conversation, until_customer_replies=True
            )
        assert _reload(conversation).status == Status.OPEN


class TestWakeSnoozed:
    def _snoozed(self, agent: User, hours: int) -> Conversation:
        conversation = ConversationFactory()
        with time_machine.travel(NOW, tick=False):
            return services.conversation_snooze(
                actor=agent, conversation=conversation, until=NOW + datetime.timedelta(hours=hours)
            )

    def test_it_reopens_a_conversation_whose_time_has_come(self, agent: User) -> None:
        conversation = self._snoozed(agent, hours=2)
        woken = services.conversation_wake_snoozed(now=NOW + datetime.timedelta(hours=2))
        conversation = _reload(conversation)
        assert woken == 1
        assert (conversation.status, conversation.snooze_until) == (Status.OPEN, None)

    def test_it_leaves_a_conversation_whose_time_has_not_come(self, agent: User) -> None:
        conversation = self._snoozed(agent, hours=2)
        woken = services.conversation_wake_snoozed(now=NOW + datetime.timedelta(hours=1))
        assert woken == 0
        assert _reload(conversation).status == Status.SNOOZED

    def test_it_leaves_a_conversation_snoozed_until_the_customer_replies(self, agent: User) -> None:
        conversation = ConversationFactory()
        services.conversation_snooze(actor=agent, conversation=conversation, until_customer_replies=True)
        assert services.conversation_wake_snoozed(now=timezone.now() + datetime.timedelta(days=365)) == 0
        assert _reload(conversation).status == Status.SNOOZED

    def test_it_clears_the_snoozed_sub_status(self, agent: User) -> None:
        waiting = SubStatusFactory(status=Status.SNOOZED, name="Waiting")
        conversation = ConversationFactory(
            status=Status.SNOOZED, sub_status=waiting, snooze_until=NOW - datetime.timedelta(minutes=1)
        )
        services.conversation_wake_snoozed(now=NOW)
        assert _reload(conversation).sub_status is None

    def test_it_records_a_status_event_without_an_actor(self, agent: User) -> None:
        conversation = self._snoozed(agent, hours=1)
        services.conversation_wake_snoozed(now=NOW + datetime.timedelta(hours=1))
        event = _events(conversation, Kind.STATUS)[-1]
        assert event.actor is None
        assert (event.data["before"]["status"], event.data["after"]["status"]) == ("snoozed", "open")

    def test_the_beat_task_wakes_them_at_their_time(self, agent: User) -> None:
        conversation = self._snoozed(agent, hours=3)
        with time_machine.travel(NOW + datetime.timedelta(hours=3, seconds=1), tick=False):
            assert wake_snoozed_conversations() == 1
        assert _reload(conversation).status == Status.OPEN


class TestDoneAndReopen:
    def test_it_marks_a_conversation_done(self, agent: User) -> None:
        conversation = ConversationFactory()
        services.conversation_done(actor=agent, conversation=conversation)
        assert _reload(conversation).status == Status.DONE
        [event] = _events(conversation, Kind.STATUS)
        assert event.data["after"] == {"status": "done", "sub_status": None}

    def test_it_marks_it_done_with_a_done_sub_status(self, agent: User) -> None:
        conversation = ConversationFactory()
        no_reply = SubStatusFactory(status=Status.DONE, name="Resolved - No Reply")
        services.conversation_done(actor=agent, conversation=conversation, sub_status=no_reply)
        assert _reload(conversation).sub_status == no_reply

    def test_done_clears_a_snooze(self, agent: User) -> None:
        conversation = ConversationFactory()
        services.conversation_snooze(actor=agent, conversation=conversation, until_customer_replies=True)
        services.conversation_done(actor=agent, conversation=conversation)
        conversation = _reload(conversation)
        assert (conversation.status, conversation.snooze_until_customer_replies) == (Status.DONE, False)

    def test_it_reopens_a_done_conversation(self, agent: User) -> None:
        no_reply = SubStatusFactory(status=Status.DONE, name="Resolved - No Reply")
        conversation = ConversationFactory(status=Status.DONE, sub_status=no_reply)
        services.conversation_reopen(actor=agent, conversation=conversation)
        conversation = _reload(conversation)
        assert (conversation.status, conversation.sub_status) == (Status.OPEN, None)
        [event] = _events(conversation, Kind.STATUS)
        assert event.data["before"] == {"status": "done", "sub_status": "Resolved - No Reply"}

    def test_reopening_an_open_conversation_records_nothing(self, agent: User) -> None:
        conversation = ConversationFactory()
        services.conversation_reopen(actor=agent, conversation=conversation)
        assert not _events(conversation, Kind.STATUS)

    def test_done_needs_the_update_permission(self, collaborator: User) -> None:
        conversation = ConversationFactory()
        with pytest.raises(PermissionDenied):
            services.conversation_done(actor=collaborator, conversation=conversation)
        assert _reload(conversation).status == Status.OPEN


class TestPinning:
    def test_it_pins_a_conversation_to_the_timeline(self, agent: User) -> None:
        conversation = ConversationFactory()
        with time_machine.travel(NOW, tick=False):
            services.conversation_set_pinned(actor=agent, conversation=conversation, pinned=True)
        assert _reload(conversation).pinned_at == NOW
        assert len(_events(conversation, Kind.PINNED)) == 1

    def test_it_unpins_it(self, agent: User) -> None:
        conversation = ConversationFactory(pinned_at=NOW)
        services.conversation_set_pinned(actor=agent, conversation=conversation, pinned=False)
        assert _reload(conversation).pinned_at is None
        assert len(_events(conversation, Kind.UNPINNED)) == 1

    def test_pinning_a_pinned_conversation_records_nothing(self, agent: User) -> None:
        conversation = ConversationFactory(pinned_at=NOW)
        services.conversation_set_pinned(actor=agent, conversation=conversation, pinned=True)
        assert _reload(conversation).pinned_at == NOW
        assert not _events(conversation, Kind.PINNED)

    def test_it_needs_the_update_permission(self, collaborator: User) -> None:
        conversation = ConversationFactory()
        with pytest.raises(PermissionDenied):
            services.conversation_set_pinned(actor=collaborator, conversation=conversation, pinned=True)
        assert _reload(conversation).pinned_at is None


class TestEvents:
    def test_every_event_bumps_the_update_time(self, agent: User) -> None:
        conversation = ConversationFactory(updated_at=NOW - datetime.timedelta(days=1))
        with time_machine.travel(NOW, tick=False):
            services.conversation_rename(actor=agent, conversation=conversation, name="New name")
        assert _reload(conversation).updated_at == NOW

    def test_it_announces_the_change_after_commit(
        self, agent: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        conversation = ConversationFactory()
        received: list[dict[str, object]] = []

        def receiver(sender: object, **kwargs: object) -> None:
            received.append(kwargs)

        conversation_changed.connect(receiver, weak=False)
        try:
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                services.conversation_done(actor=agent, conversation=conversation)
                assert received == []
        finally:
            conversation_changed.disconnect(receiver)
        assert len(callbacks) == 1
        assert received[0]["conversation_id"] == conversation.pk
        assert received[0]["kind"] == Kind.STATUS


class TestTouchActivity:
    def test_it_adds_a_new_channel_once(self) -> None:
        conversation = ConversationFactory(channels=[Channel.EMAIL])
        services.touch_activity(
            conversation=conversation, at=timezone.now(), channel=Channel.SMS, direction="in"
        )
        services.touch_activity(
            conversation=conversation, at=timezone.now(), channel=Channel.SMS, direction="in"
        )
        assert _reload(conversation).channels == [Channel.EMAIL, Channel.SMS]

    def test_it_never_moves_the_last_activity_back(self) -> None:
        conversation = ConversationFactory(last_activity_at=NOW)
        services.touch_activity(
            conversation=conversation, at=NOW - datetime.timedelta(days=1), channel=None, direction=None
        )
        assert _reload(conversation).last_activity_at == NOW

    def test_it_keeps_the_first_outbound_time(self) -> None:
        conversation = ConversationFactory()
        first, second = NOW, NOW + datetime.timedelta(hours=1)
        services.touch_activity(conversation=conversation, at=first, channel=Channel.EMAIL, direction="out")
        services.touch_activity(conversation=conversation, at=second, channel=Channel.EMAIL, direction="out")
        conversation = _reload(conversation)
        assert (conversation.first_message_out_at, conversation.last_message_out_at) == (first, second)


def test_done_on_a_done_conversation_records_nothing(db: None) -> None:
    from conversations.models import ConversationEvent
    from conversations.services.conversations import conversation_done
    from tests.conversations.factories import ConversationFactory
    from tests.factories import UserFactory

    actor = UserFactory(sets=["User"])
    conversation = ConversationFactory(status="done")
    before = ConversationEvent.objects.filter(conversation=conversation).count()
    conversation_done(actor=actor, conversation=conversation)
    assert ConversationEvent.objects.filter(conversation=conversation).count() == before
