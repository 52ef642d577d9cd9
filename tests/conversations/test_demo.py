"""The demo organization: `seed_demo` loads realistic conversations, and running it again adds nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Model

from accounts.models import Team, User
from conversations.models import (
    Channel,
    Conversation,
    ConversationEvent,
    ConversationTag,
    Message,
    Note,
    Notification,
    Queue,
    Status,
    SubStatus,
    Tag,
)
from conversations.selectors import InboxFilters, conversation_list_for_inbox
from core.models import AuditEntry
from customers.models import Company, Customer, CustomerEmail, CustomerPhone

pytestmark = pytest.mark.django_db

MODELS: list[type[Model]] = [
    User,
    Team,
    Company,
    Customer,
    CustomerEmail,
    CustomerPhone,
    Tag,
    Queue,
    SubStatus,
    Conversation,
    ConversationTag,
    Message,
    Note,
    ConversationEvent,
    Notification,
    AuditEntry,
]


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}  # type: ignore[attr-defined]


class TestSeedDemo:
    def test_running_it_twice_adds_nothing_the_second_time(self) -> None:
        _seed()
        first = _counts()
        output = _seed()
        assert _counts() == first
        assert "0 customers added" in output
        assert "0 conversations added" in output

    def test_it_fills_in_what_is_missing(self) -> None:
        _seed()
        Conversation.objects.filter(pk=Conversation.objects.order_by("pk").values("pk")[:1]).delete()
        output = _seed()
        assert "1 conversations added" in output
        assert Conversation.objects.count() == 60


@pytest.fixture(scope="class")
def demo_organization(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Seed once for the read-only checks (seeding takes seconds), and roll it all back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        _seed()
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo_organization")
class TestDemoContent:
    def test_it_has_customers_across_companies(self) -> None:
        assert Customer.objects.count() == 25
        assert Company.objects.count() == 6
        assert Customer.objects.filter(company__isnull=False).values("company").distinct().count() == 6
        assert not Customer.objects.filter(emails__isnull=True).exists()
        assert CustomerPhone.objects.exists()
        assert Customer.objects.exclude(locale="en-us").exists()

    def test_it_has_conversations_in_every_status(self) -> None:
        counts = {s: Conversation.objects.filter(status=s).count() for s in Status.values}
        assert sum(counts.values()) == 60
        assert all(count > 0 for count in counts.values())

    def test_it_gives_alex_agent_eight_open_conversations_in_mine(self) -> None:
        alex = User.objects.get(email="agent@example.com")
        mine = conversation_list_for_inbox(user=alex, filters=InboxFilters(view="mine"))
        assert mine.count() == 8

    def test_it_uses_email_mostly_and_some_sms_and_chat(self) -> None:
        email = Conversation.objects.filter(channels__contains=[Channel.EMAIL]).count()
        assert email > 40
        assert Conversation.objects.filter(channels__contains=[Channel.SMS]).exists()
        assert Conversation.objects.filter(channels__contains=[Channel.CHAT]).exists()

    def test_it_has_inbound_and_sent_outbound_messages(self) -> None:
        assert Message.objects.filter(direction=Message.Direction.IN).count() >= 60
        outbound = Message.objects.filter(direction=Message.Direction.OUT)
        assert outbound.exists()
        assert not outbound.exclude(delivery_status=Message.DeliveryStatus.SENT).exists()

    def test_it_has_notes_that_mention_demo_users_and_teams(self) -> None:
        demo_agents = ["agent@example.com", "agent2@example.com"]
        assert Note.objects.filter(mentioned_users__email__in=demo_agents).exists()
        assert Note.objects.filter(mentioned_teams__name="Billing").exists()
        assert not Notification.objects.filter(emailed_at__isnull=True).exists()

    def test_it_has_the_tags_queues_and_sub_statuses(self) -> None:
        assert set(Tag.objects.values_list("name", flat=True)) >= {
            "VIP",
            "Refund",
            "Shipping Delay",
            "Bug",
            "Billing",
        }
        assert set(Queue.objects.values_list("name", flat=True)) == {"Support", "Billing"}
        assert set(SubStatus.objects.values_list("status", "name")) == {
            ("open", "Escalated"),
            ("snoozed", "Waiting"),
            ("done", "Resolved - No Reply"),
        }
        assert Conversation.objects.filter(sub_status__name="Escalated", status="open").exists()
        assert ConversationTag.objects.filter(tag__name="VIP").exists()

    def test_every_conversation_has_its_events(self) -> None:
        assert not Conversation.objects.exclude(events__kind=ConversationEvent.Kind.CREATED).exists()
        assert not Conversation.objects.exclude(events__kind=ConversationEvent.Kind.MESSAGE).exists()
        assert not Conversation.objects.filter(status="done").exclude(events__kind="status").exists()

    def test_it_spreads_the_conversations_over_the_last_30_days(self) -> None:
        from django.utils import timezone

        ages = [
            (timezone.now() - created).days
            for created in Conversation.objects.values_list("created_at", flat=True)
        ]
        assert max(ages) <= 30
        assert max(ages) >= 25
        assert min(ages) <= 2

    def test_message_times_follow_the_conversation(self) -> None:
        for conversation in Conversation.objects.all():
            times = list(conversation.messages.values_list("created_at", flat=True))
            assert min(times) >= conversation.created_at
            assert conversation.last_activity_at >= max(times)
