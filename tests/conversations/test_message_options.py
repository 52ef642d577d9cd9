"""Message options: Move Message, Copy Link to Message (the permalink), Show/Hide Message
Details, and Message Redaction of messages and notes (everywhere the text is kept)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from conversations.models import Conversation, ConversationEvent, Message, Note
from conversations.redaction import BLOCK, Span, check_spans, html_text, redact_html, redact_text
from conversations.services.conversations import conversation_create
from conversations.services.message_ops import message_move, message_redact, note_redact
from conversations.services.messages import message_receive
from conversations.services.notes import note_create, note_update
from conversations.signals import message_redacted
from customers.models import Customer
from customers.services import customer_create
from tests.factories import PermissionSetFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
HTMX = {"HX-Request": "true"}
T0 = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
CARD = "4111 1111 1111 1111"


@pytest.fixture
def customer(admin_user: User) -> Customer:
    return customer_create(actor=admin_user, name="Ann", emails=[("ann@example.com", "home")])


@pytest.fixture
def conversation(admin_user: User, customer: Customer) -> Conversation:
    return conversation_create(actor=admin_user, customer=customer, name="Order", channel="email")


def receive(
    conversation: Conversation, text: str = "", html: str = "", at: datetime.datetime = T0
) -> Message:
    return message_receive(
        conversation=conversation,
        channel="email",
        body_text=text,
        body_html=html,
        received_at=at,
        from_address="Ann <ann@example.com>",
        to=["support@example.com"],
        external_id=f"<{text[:10].replace(' ', '')}{at.timestamp()}@mail.example.com>",
    )


# --- the redaction core -------------------------------------------------------------------------


class TestRedactionCore:
    def test_positions_count_the_text_a_browser_shows(self) -> None:
        body = "<p>Card: <strong>4111&nbsp;1111</strong> &amp; more</p>"
        assert html_text(body) == "Card: 4111\xa01111 & more"
        new, removed = redact_html(body, [Span(6, 9)])
        assert html_text(new) == "Card: " + BLOCK * 9 + " & more"
        assert removed == ["4111\xa01111"]
        assert "<strong>" in new and "&amp; more" in new

    def test_plain_text_keeps_its_lines(self) -> None:
        new, removed = redact_text("line one\r\nsecret here", [Span(9, 6)])
        assert new == "line one\n" + BLOCK * 6 + " here"
        assert removed == ["secret"]

    @pytest.mark.parametrize(
        ("spans", "message"),
        [
            ([(0, 100, "x")], "outside the message"),
            ([(-1, 2, "ab")], "outside the message"),
            ([(0, 3, "xyz")], "changed since you highlighted it"),
            ([], "Highlight the text"),
        ],
    )
    def test_bad_ranges_are_refused(self, spans: list[tuple[int, int, str]], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            check_spans("abcdef", spans)

    @given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40), st.data())
    def test_any_text_keeps_its_length_and_loses_exactly_the_span(
        self, text: str, data: st.DataObject
    ) -> None:
        if not text:
            return
        start = data.draw(st.integers(0, len(text) - 1))
        length = data.draw(st.integers(1, len(text) - start))
        body = "<p>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>"
        new, removed = redact_html(body, [Span(start, length)])
        shown = html_text(new)
        assert len(shown) == len(html_text(body))
        assert shown[start : start + length] == BLOCK * length
        assert shown[:start] == html_text(body)[:start]
        assert "".join(removed) == html_text(body)[start : start + length]


# --- redacting messages and notes ----------------------------------------------------------------


class TestRedactMessage:
    def test_the_text_is_gone_from_the_bodies_and_the_preview(
        self, admin_user: User, conversation: Conversation, django_capture_on_commit_callbacks: Any
    ) -> None:
        message = receive(
            conversation, text=f"My card is {CARD}, thanks", html=f"<p>My card is {CARD}, thanks</p>"
        )
        received: list[dict[str, object]] = []
        message_redacted.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="t")
        try:
            start = html_text(message.body_html).index(CARD)
            with django_capture_on_commit_callbacks(execute=True):
                message_redact(actor=admin_user, message=message, spans=[(start, len(CARD), CARD)])
        finally:
            message_redacted.disconnect(dispatch_uid="t")
        message.refresh_from_db()
        conversation.refresh_from_db()
        for stored in (message.body_html, message.body_text, conversation.preview):
            assert CARD not in stored and "4111" not in stored
            assert BLOCK * len(CARD) in stored
        event = ConversationEvent.objects.get(conversation=conversation, kind="redacted")
        assert event.data == {"message_id": message.pk, "ranges": [[start, len(CARD)]]}
        assert event.actor == admin_user
        assert CARD not in json.dumps(event.data)
        assert received and received[0]["message_id"] == message.pk and received[0]["removed"] == [CARD]

    def test_a_plain_text_message(self, admin_user: User, conversation: Conversation) -> None:
        message = receive(conversation, text=f"card\n{CARD}")
        message_redact(actor=admin_user, message=message, spans=[(5, 4, "4111")])
        message.refresh_from_db()
        assert message.body_text == f"card\n{BLOCK * 4}{CARD[4:]}"

    def test_without_the_permission_nothing_changes(self, agent: User, conversation: Conversation) -> None:
        agent.permission_sets.set(
            [PermissionSetFactory(capabilities=["view_all_conversations", "update_customers"])]
        )
        agent = User.objects.get(pk=agent.pk)
        message = receive(conversation, text=CARD)
        with pytest.raises(PermissionDenied):
            message_redact(actor=agent, message=message, spans=[(0, 4, "4111")])
        message.refresh_from_db()
        assert message.body_text == CARD

    def test_a_range_outside_the_text_changes_nothing(
        self, admin_user: User, conversation: Conversation
    ) -> None:
        message = receive(conversation, text="short")
        with pytest.raises(ValidationError, match="outside the message"):
            message_redact(actor=admin_user, message=message, spans=[(2, 10, "ort and more")])
        assert not ConversationEvent.objects.filter(kind="redacted").exists()


class TestRedactNote:
    def test_the_note_and_its_earlier_versions_in_events(
        self, admin_user: User, conversation: Conversation
    ) -> None:
        note = note_create(actor=admin_user, conversation=conversation, body_html=f"<p>Card {CARD}</p>")
        note = note_update(actor=admin_user, note=note, body_html=f"<p>Card {CARD} (checked)</p>")
        assert CARD in json.dumps(list(ConversationEvent.objects.values_list("data", flat=True)))
        note_redact(actor=admin_user, note=note, spans=[(5, len(CARD), CARD)])
        note.refresh_from_db()
        assert CARD not in note.body_html and CARD not in note.body_text
        assert CARD not in json.dumps(list(ConversationEvent.objects.values_list("data", flat=True)))


class TestRedactViews:
    def test_commit_answers_the_fresh_message(
        self, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        message = receive(conversation, text=f"card {CARD}")
        response = client_for(admin_user).post(
            reverse("conversations:message_redact", args=[message.pk]),
            {"ranges": json.dumps([[5, len(CARD), CARD]])},
            headers=HTMX,
        )
        assert response.status_code == 200
        assert CARD not in response.content.decode() and BLOCK in response.content.decode()

    def test_bad_input_gets_400_with_the_reason(
        self, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        message = receive(conversation, text="hello")
        client = client_for(admin_user)
        url = reverse("conversations:message_redact", args=[message.pk])
        assert client.post(url, {"ranges": "not json"}).status_code == 400
        response = client.post(url, {"ranges": json.dumps([[0, 99, "x"]])})
        assert response.status_code == 400 and "outside the message" in response.json()["error"]

    def test_outsiders_get_404(
        self, outsider: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        message = receive(conversation, text=CARD)
        client = client_for(outsider)
        assert (
            client.post(
                reverse("conversations:message_redact", args=[message.pk]), {"ranges": "[]"}
            ).status_code
            == 404
        )


# --- Move Message -------------------------------------------------------------------------------


class TestMoveMessage:
    def test_to_another_conversation_with_its_time_and_events(
        self, admin_user: User, customer: Customer, conversation: Conversation
    ) -> None:
        first = receive(conversation, text="first", at=T0)
        stray = receive(conversation, text="belongs elsewhere", at=T0 + datetime.timedelta(hours=1))
        other = conversation_create(actor=admin_user, customer=customer, name="Other")
        message_move(actor=admin_user, message=stray, target=other)
        stray.refresh_from_db()
        assert stray.conversation == other and stray.created_at == T0 + datetime.timedelta(hours=1)
        conversation.refresh_from_db()
        other.refresh_from_db()
        assert (conversation.message_count, other.message_count) == (1, 1)
        assert conversation.last_message_in_at == first.created_at
        assert conversation.preview == "first" and other.preview == "belongs elsewhere"
        for one in (conversation, other):
            assert ConversationEvent.objects.filter(conversation=one, kind="message_moved").count() == 1

    def test_to_a_new_conversation(self, admin_user: User, conversation: Conversation) -> None:
        message = receive(conversation, text="new topic")
        target = message_move(actor=admin_user, message=message, target=None)
        assert target.pk != conversation.pk and target.customer_id == conversation.customer_id
        assert Message.objects.get(pk=message.pk).conversation_id == target.pk
        assert Conversation.objects.get(pk=target.pk).created_at == message.created_at

    def test_refusals(self, admin_user: User, conversation: Conversation) -> None:
        message = receive(conversation, text="x")
        bob = customer_create(actor=admin_user, name="Bob")
        elsewhere = conversation_create(actor=admin_user, customer=bob, name="Bob's")
        with pytest.raises(ValidationError, match="same customer's timeline"):
            message_move(actor=admin_user, message=message, target=elsewhere)
        with pytest.raises(ValidationError, match="already in this conversation"):
            message_move(actor=admin_user, message=message, target=conversation)

    def test_the_window(
        self, admin_user: User, customer: Customer, conversation: Conversation, client_for: ClientFor
    ) -> None:
        message = receive(conversation, text="move me")
        other = conversation_create(actor=admin_user, customer=customer, name="Other")
        client = client_for(admin_user)
        url = reverse("conversations:message_move", args=[message.pk])
        window = client.get(url, headers=HTMX).content.decode()
        assert "A new conversation" in window and "Other" in window
        response = client.post(url, {"to": other.pk}, headers=HTMX)
        assert response["HX-Redirect"] == f"{other.get_absolute_url()}#message-{message.pk}"
        response = client.post(url, {"to": ""}, headers=HTMX)
        assert "Choose where the message goes." in response.content.decode()


# --- Copy Link to Message and Message Details ----------------------------------------------------


class TestLinkAndDetails:
    def test_the_permalink_opens_the_conversation_at_the_message(
        self, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        message = receive(conversation, text="look here")
        client = client_for(admin_user)
        menu = client.get(reverse("conversations:message_options", args=[message.pk])).content.decode()
        assert f"http://testserver/messages/{message.pk}/" in menu and "Copy Link to Message" in menu
        response = client.get(reverse("conversations:message_permalink", args=[message.pk]))
        assert response["Location"] == f"{conversation.get_absolute_url()}#message-{message.pk}"

    def test_someone_else_gets_the_same_404_as_for_a_missing_message(
        self, outsider: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        message = receive(conversation, text="private")
        client = client_for(outsider)
        hidden = client.get(reverse("conversations:message_permalink", args=[message.pk]))
        missing = client.get(reverse("conversations:message_permalink", args=[message.pk + 1000]))
        assert hidden.status_code == missing.status_code == 404
        assert b"Page not found" in hidden.content and b"Page not found" in missing.content

    def test_show_and_hide_message_details(
        self, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        message = receive(conversation, text="hi")
        client = client_for(admin_user)
        url = reverse("conversations:message_details", args=[message.pk])
        shown = client.get(url, headers=HTMX).content.decode()
        assert "Ann &lt;ann@example.com&gt;" in shown and "support@example.com" in shown
        assert f"&lt;{message.external_id[1:-1]}&gt;" in shown and "Hide Message Details" in shown
        assert client.get(url, {"hide": "1"}, headers=HTMX).content.decode().strip() == ""

    def test_the_options_follow_the_permissions(
        self, collaborator: User, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        from conversations.services.conversations import conversation_assign

        conversation_assign(actor=admin_user, conversation=conversation, users=[collaborator])
        message = receive(conversation, text="hi")
        menu = (
            client_for(collaborator)
            .get(reverse("conversations:message_options", args=[message.pk]))
            .content.decode()
        )
        assert "Copy Link to Message" in menu
        assert "Move Message" not in menu and "Message Redaction" not in menu
        assert Note.objects.count() == 0
