"""factory_boy factories for customers and conversations.

They write rows directly (no services, so no ConversationEvents): use them to set the
scene, and call the services for the behaviour under test.

    customer = CustomerFactory()                      # with a primary email
    customer = CustomerFactory(emails=None)           # no email address at all
    conversation = ConversationFactory(customer=customer, status=Status.SNOOZED)
    MessageFactory(conversation=conversation)         # inbound, received
    NoteFactory(conversation=conversation, author=agent)
    ConversationTagFactory(conversation=conversation, tag=TagFactory(name="VIP"))
"""

from __future__ import annotations

import factory
from django.utils import timezone

from conversations.models import (
    Attachment,
    Channel,
    Conversation,
    ConversationTag,
    Message,
    Note,
    Priority,
    Queue,
    Status,
    SubStatus,
    Tag,
)
from customers.models import Company, ContactType, Customer, CustomerEmail, CustomerPhone
from tests.factories import UserFactory


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    domains = factory.LazyAttribute(lambda o: [f"{o.name.lower().replace(' ', '-')}.example"])


class CustomerEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerEmail

    customer = factory.SubFactory("tests.conversations.factories.CustomerFactory", emails=None)
    email = factory.Sequence(lambda n: f"customer{n}@mail.example")
    type = ContactType.HOME
    is_primary = False


class CustomerPhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerPhone

    customer = factory.SubFactory("tests.conversations.factories.CustomerFactory", emails=None)
    phone = factory.Sequence(lambda n: f"+1 555 01{n % 100:02d}")
    type = ContactType.MOBILE


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Customer {n}")
    locale = "en-us"
    # CustomerFactory(emails=None) makes a customer without any email address.
    emails = factory.RelatedFactory(CustomerEmailFactory, factory_related_name="customer", is_primary=True)


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue

    name = factory.Sequence(lambda n: f"Queue {n}")


class SubStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubStatus

    status = Status.OPEN
    name = factory.Sequence(lambda n: f"Sub status {n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Tag {n}")
    color = Tag.Color.BLUE


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Conversation {n}")
    status = Status.OPEN
    priority = Priority.MEDIUM
    channels = factory.LazyFunction(lambda: [Channel.EMAIL])
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.SelfAttribute("created_at")
    last_activity_at = factory.SelfAttribute("created_at")


class ConversationTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConversationTag

    conversation = factory.SubFactory(ConversationFactory)
    tag = factory.SubFactory(TagFactory)


class MessageFactory(factory.django.DjangoModelFactory):
    """An inbound email by default; MessageFactory(outbound=True) for a queued reply."""

    class Meta:
        model = Message

    class Params:
        outbound = factory.Trait(
            direction=Message.Direction.OUT,
            delivery_status=Message.DeliveryStatus.QUEUED,
            author=factory.SubFactory(UserFactory, sets=["User"]),
        )

    conversation = factory.SubFactory(ConversationFactory)
    customer = factory.SelfAttribute("conversation.customer")
    direction = Message.Direction.IN
    channel = Channel.EMAIL
    subject = factory.Sequence(lambda n: f"Subject {n}")
    body_text = factory.Sequence(lambda n: f"Message body {n}")
    body_html = factory.LazyAttribute(lambda o: f"<p>{o.body_text}</p>")
    delivery_status = Message.DeliveryStatus.RECEIVED
    created_at = factory.LazyFunction(timezone.now)


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    conversation = factory.SubFactory(ConversationFactory)
    author = factory.SubFactory(UserFactory, sets=["User"])
    body_text = factory.Sequence(lambda n: f"Note {n}")
    body_html = factory.LazyAttribute(lambda o: f"<p>{o.body_text}</p>")
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.SelfAttribute("created_at")


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A file on a message (AttachmentFactory(message=None, note=note) for a note's)."""

    class Meta:
        model = Attachment

    message = factory.SubFactory(MessageFactory)
    note = None
    file = factory.django.FileField(filename="invoice.pdf", data=b"%PDF-1.4 demo")
    filename = "invoice.pdf"
    content_type = "application/pdf"
    size = 13
