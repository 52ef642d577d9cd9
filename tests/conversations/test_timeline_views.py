"""The customer list, the customer timeline, the conversation page, the reply editor and
attachment downloads."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from conversations.models import Channel, Conversation, ConversationEvent, Message, Note
from core.models import AuditEntry
from customers.models import Customer
from tests.conversations.factories import (
    AttachmentFactory,
    CompanyFactory,
    ConversationFactory,
    CustomerEmailFactory,
    CustomerFactory,
    MessageFactory,
    NoteFactory,
)
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
HTMX = {"HTTP_HX_REQUEST": "true"}
MB = 1024 * 1024
NOW = datetime.datetime(2025, 3, 10, 12, 0, tzinfo=datetime.UTC)
LIST_URL = reverse("conversations:customer_list")
CREATE_URL = reverse("conversations:customer_create")


def _timeline_url(customer: Customer) -> str:
    return reverse("conversations:customer_timeline", args=[customer.pk])


def _conversation_url(conversation: Conversation) -> str:
    return reverse("conversations:conversation_detail", args=[conversation.pk])


def _reply_url(conversation: Conversation) -> str:
    return reverse("conversations:reply", args=[conversation.pk])


def _trigger(response: Any) -> dict[str, Any]:
    return json.loads(response["HX-Trigger"])


def _is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


class TestCustomerList:
    def test_it_sends_an_anonymous_visitor_to_sign_in(self, client: Client) -> None:
        assert _is_login_redirect(client.get(LIST_URL))

    def test_it_lists_customers_with_email_and_company(self, client_for: ClientFor, agent: User) -> None:
        CustomerFactory(
            name="Jane Doe", company=CompanyFactory(name="Northwind"), emails__email="jane@northwind.example"
        )
        response = client_for(agent).get(LIST_URL)
        html = response.content.decode()
        assert response.status_code == 200
        assert all(text in html for text in ["Jane Doe", "jane@northwind.example", "Northwind"])

    def test_it_shows_an_outsider_no_customer(self, client_for: ClientFor, outsider: User) -> None:
        CustomerFactory(name="Jane Doe")
        response = client_for(outsider).get(LIST_URL)
        assert response.status_code == 200
        assert "Jane Doe" not in response.content.decode()

    def test_it_finds_a_customer_by_name(self, client_for: ClientFor, agent: User) -> None:
        jane = CustomerFactory(name="Jane Doe")
        CustomerFactory(name="Bob Roe")
        response = client_for(agent).get(LIST_URL, {"q": "jane"})
        assert list(response.context["page"].object_list) == [jane]

    def test_it_finds_a_customer_by_email(self, client_for: ClientFor, agent: User) -> None:
        jane = CustomerFactory(name="Jane Doe", emails__email="jd@northwind.example")
        CustomerFactory(name="Bob Roe")
        response = client_for(agent).get(LIST_URL, {"q": "northwind"})
        assert list(response.context["page"].object_list) == [jane]

    def test_it_says_when_nothing_matches(self, client_for: ClientFor, agent: User) -> None:
        response = client_for(agent).get(LIST_URL, {"q": "nobody"})
        assert "No customer matches “nobody”." in response.content.decode()

    def test_it_answers_htmx_with_the_list_alone(self, client_for: ClientFor, agent: User) -> None:
        CustomerFactory(name="Jane Doe")
        response = client_for(agent).get(LIST_URL, {"q": "jane"}, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<div id="customer-list"')
        assert "<html" not in html
        assert "Jane Doe" in html

    @pytest.mark.parametrize("htmx", [False, True])
    def test_it_runs_as_many_queries_for_20_customers_as_for_1(
        self, client_for: ClientFor, agent: User, htmx: bool
    ) -> None:
        client = client_for(agent)

        def make(count: int) -> None:
            for _ in range(count):
                customer = CustomerFactory(company=CompanyFactory())
                CustomerEmailFactory(customer=customer)

        def count_queries() -> int:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(LIST_URL, **(HTMX if htmx else {}))
            assert response.status_code == 200
            return len(queries)

        make(1)
        one = count_queries()
        make(19)
        assert Customer.objects.count() == 20
        assert count_queries() == one


class TestCustomerCreate:
    def test_it_shows_the_form(self, client_for: ClientFor, agent: User) -> None:
        response = client_for(agent).get(CREATE_URL)
        assert response.status_code == 200
        assert 'id="customer-form"' in response.content.decode()

    def test_it_creates_the_customer_and_opens_their_timeline(
        self, client_for: ClientFor, agent: User
    ) -> None:
        response = client_for(agent).post(
            CREATE_URL,
            {
                "name": "Jane Doe",
                "emails": "jane@northwind.example work",
                "phones": "+1 555 0100",
                "company": "Northwind",
            },
        )
        customer = Customer.objects.get(name="Jane Doe")
        assert response.status_code == 302
        assert response.url == _timeline_url(customer)
        assert customer.primary_email == "jane@northwind.example"
        assert AuditEntry.objects.for_object(customer).get().action == AuditEntry.Action.CREATE

    def test_it_keeps_what_was_typed_when_the_email_is_taken(
        self, client_for: ClientFor, agent: User
    ) -> None:
        CustomerEmailFactory(email="jane@northwind.example")
        response = client_for(agent).post(
            CREATE_URL, {"name": "Jane Impostor", "emails": "JANE@northwind.example"}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "already belongs to another customer" in html
        assert 'value="Jane Impostor"' in html
        assert "JANE@northwind.example" in html
        assert not Customer.objects.filter(name="Jane Impostor").exists()

    def test_it_refuses_an_outsider(self, client_for: ClientFor, outsider: User) -> None:
        response = client_for(outsider).post(CREATE_URL, {"name": "Jane Doe"})
        assert response.status_code == 403
        assert not Customer.objects.exists()

    def test_it_sends_an_anonymous_visitor_to_sign_in(self, client: Client) -> None:
        assert _is_login_redirect(client.get(CREATE_URL))


class TestCustomerTimeline:
    def test_it_shows_the_customer_and_their_conversations(self, client_for: ClientFor, agent: User) -> None:
        customer = CustomerFactory(name="Jane Doe")
        ConversationFactory(customer=customer, name="Refund for #1001")
        response = client_for(agent).get(_timeline_url(customer))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Jane Doe" in html
        assert "Refund for #1001" in html
        assert "Select a conversation on the timeline." in html

    def test_it_puts_pinned_conversations_first(self, client_for: ClientFor, agent: User) -> None:
        customer = CustomerFactory()
        old_pinned = ConversationFactory(
            customer=customer,
            created_at=NOW - datetime.timedelta(days=9),
            pinned_at=NOW - datetime.timedelta(1),
        )
        newer_pinned = ConversationFactory(
            customer=customer, created_at=NOW - datetime.timedelta(days=8), pinned_at=NOW
        )
        newest = ConversationFactory(customer=customer, created_at=NOW)
        older = ConversationFactory(customer=customer, created_at=NOW - datetime.timedelta(days=1))
        response = client_for(agent).get(_timeline_url(customer))
        assert response.context["conversations"] == [newer_pinned, old_pinned, newest, older]

    def test_it_is_404_for_an_outsider(self, client_for: ClientFor, outsider: User) -> None:
        assert client_for(outsider).get(_timeline_url(CustomerFactory())).status_code == 404

    def test_it_is_404_for_a_missing_customer(self, client_for: ClientFor, agent: User) -> None:
        assert (
            client_for(agent).get(reverse("conversations:customer_timeline", args=[999999])).status_code
            == 404
        )

    def test_it_sends_an_anonymous_visitor_to_sign_in(self, client: Client) -> None:
        assert _is_login_redirect(client.get(_timeline_url(CustomerFactory())))

    def test_it_runs_as_many_queries_for_20_conversations_as_for_1(
        self, client_for: ClientFor, agent: User
    ) -> None:
        client, customer = client_for(agent), CustomerFactory()

        def make(count: int) -> None:
            for _ in range(count):
                conversation = ConversationFactory(customer=customer, pinned_at=NOW)
                conversation.assigned_users.add(UserFactory())

        def count_queries() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(_timeline_url(customer)).status_code == 200
            return len(queries)

        make(1)
        one = count_queries()
        make(19)
        assert count_queries() == one


class TestCustomerEdit:
    def test_it_saves_and_goes_back_to_the_timeline(self, client_for: ClientFor, agent: User) -> None:
        customer = CustomerFactory(name="Jane")
        url = reverse("conversations:customer_edit", args=[customer.pk])
        response = client_for(agent).post(url, {"name": "Jane Doe", "emails": "jane@mail.example"})
        assert response.status_code == 302
        assert response.url == _timeline_url(customer)
        customer.refresh_from_db()
        assert customer.name == "Jane Doe"

    def test_it_answers_htmx_with_the_header(self, client_for: ClientFor, agent: User) -> None:
        customer = CustomerFactory(name="Jane")
        url = reverse("conversations:customer_edit", args=[customer.pk])
        response = client_for(agent).post(url, {"name": "Jane Doe", "locale": "fr"}, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<div id="customer-header"')
        assert "<html" not in html
        assert "Jane Doe" in html
        customer.refresh_from_db()
        assert (customer.name, customer.locale) == ("Jane Doe", "fr")

    def test_it_keeps_the_form_open_with_the_error(self, client_for: ClientFor, agent: User) -> None:
        CustomerEmailFactory(email="taken@mail.example")
        customer = CustomerFactory(name="Jane")
        url = reverse("conversations:customer_edit", args=[customer.pk])
        response = client_for(agent).post(url, {"name": "Jane Typed", "emails": "taken@mail.example"}, **HTMX)
        html = response.content.decode()
        assert "already belongs to another customer" in html
        assert 'value="Jane Typed"' in html
        assert '<details class="disclosure" open>' in html
        customer.refresh_from_db()
        assert customer.name == "Jane"

    def test_it_is_404_for_an_outsider(self, client_for: ClientFor, outsider: User) -> None:
        customer = CustomerFactory(name="Jane")
        url = reverse("conversations:customer_edit", args=[customer.pk])
        assert client_for(outsider).post(url, {"name": "Hacked"}).status_code == 404
        customer.refresh_from_db()
        assert customer.name == "Jane"


class TestConversationCreate:
    def test_it_starts_a_conversation_and_opens_it(self, client_for: ClientFor, agent: User) -> None:
        customer = CustomerFactory()
        url = reverse("conversations:conversation_create", args=[customer.pk])
        response = client_for(agent).post(url, {"name": "Follow-up on #1001", "channel": "sms"})
        conversation = Conversation.objects.get(customer=customer)
        assert response.status_code == 302
        assert response.url == _conversation_url(conversation)
        assert (conversation.name, conversation.channels) == ("Follow-up on #1001", [Channel.SMS])
        assert conversation.events.get().kind == ConversationEvent.Kind.CREATED

    def test_it_refuses_an_outsider(self, client_for: ClientFor, outsider: User) -> None:
        customer = CustomerFactory()
        url = reverse("conversations:conversation_create", args=[customer.pk])
        assert client_for(outsider).post(url, {"name": "x", "channel": "email"}).status_code == 403
        assert not Conversation.objects.exists()


class TestConversationPage:
    def test_it_shows_the_conversation(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory(name="Refund for #1001")
        MessageFactory(conversation=conversation, body_text="Where is my refund?", body_html="")
        response = client_for(agent).get(_conversation_url(conversation))
        html = response.content.decode()
        assert response.status_code == 200
        for fragment in [
            'id="conversation-header"',
            'id="conversation-feed"',
            'id="reply-editor"',
            'id="details-card"',
        ]:
            assert fragment in html
        assert "Where is my refund?" in html

    def test_it_is_404_for_an_outsider(self, client_for: ClientFor, outsider: User) -> None:
        assert client_for(outsider).get(_conversation_url(ConversationFactory())).status_code == 404

    def test_it_is_404_for_a_missing_conversation(self, client_for: ClientFor, agent: User) -> None:
        url = reverse("conversations:conversation_detail", args=[999999])
        assert client_for(agent).get(url).status_code == 404

    def test_it_sends_an_anonymous_visitor_to_sign_in(self, client: Client) -> None:
        assert _is_login_redirect(client.get(_conversation_url(ConversationFactory())))

    def test_it_never_renders_a_stored_script(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        from conversations.services.messages import message_receive

        message_receive(
            conversation=conversation, channel=Channel.EMAIL, body_html="<p>Hi</p><script>steal()</script>"
        )
        html = client_for(agent).get(_conversation_url(conversation)).content.decode()
        assert "steal()" not in html

    def test_it_runs_as_many_queries_for_20_messages_and_notes_as_for_1(
        self, client_for: ClientFor, agent: User
    ) -> None:
        client, conversation = client_for(agent), ConversationFactory()
        team = TeamFactory()

        def make(count: int) -> None:
            for _ in range(count):
                inbound = MessageFactory(conversation=conversation)
                AttachmentFactory(message=inbound)
                MessageFactory(conversation=conversation, outbound=True)
                note = NoteFactory(conversation=conversation, assigned_user=UserFactory())
                note.mentioned_users.add(UserFactory())
                note.mentioned_teams.add(team)
                AttachmentFactory(message=None, note=note)
                ConversationEvent.objects.create(
                    conversation=conversation,
                    actor=UserFactory(),
                    kind=ConversationEvent.Kind.PRIORITY,
                    data={"before": "Medium", "after": "High"},
                )

        def count_queries() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(_conversation_url(conversation)).status_code == 200
            return len(queries)

        make(1)
        count_queries()  # warms the cached workspace choices (sub statuses, queues, teams)
        one = count_queries()
        make(19)
        assert conversation.messages.count() == 40
        assert count_queries() == one


class TestFeed:
    def test_it_answers_with_the_feed_alone(self, client_for: ClientFor, agent: User) -> None:
        message = MessageFactory(body_text="Where is my refund?", body_html="")
        url = reverse("conversations:conversation_feed", args=[message.conversation_id])
        response = client_for(agent).get(url, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<div class="conversation-feed" id="conversation-feed"')
        assert "<html" not in html
        assert "Where is my refund?" in html

    def test_it_is_404_for_an_outsider(self, client_for: ClientFor, outsider: User) -> None:
        url = reverse("conversations:conversation_feed", args=[ConversationFactory().pk])
        assert client_for(outsider).get(url, **HTMX).status_code == 404


class TestReply:
    def test_it_queues_the_reply_and_goes_back_to_the_conversation(
        self, client_for: ClientFor, agent: User
    ) -> None:
        conversation = ConversationFactory()
        response = client_for(agent).post(
            _reply_url(conversation), {"channel": "email", "subject": "Re: Refund", "body": "Refund issued."}
        )
        assert response.status_code == 302
        assert response.url == _conversation_url(conversation)
        message = conversation.messages.get()
        assert (message.delivery_status, message.body_html, message.author) == (
            Message.DeliveryStatus.QUEUED,
            "<p>Refund issued.</p>",
            agent,
        )

    def test_it_answers_htmx_with_the_feed_and_a_fresh_editor(
        self, client_for: ClientFor, agent: User
    ) -> None:
        conversation = ConversationFactory()
        response = client_for(agent).post(
            _reply_url(conversation), {"channel": "email", "body": "Refund issued today."}, **HTMX
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<form method="post"')
        assert 'id="reply-editor"' in html
        assert 'id="conversation-feed"' in html
        assert "<html" not in html
        assert _trigger(response) == {"messageQueued": {"id": conversation.pk}}
        editor = html[html.index('id="reply-editor"') : html.index("</form>")]
        assert "Refund issued today." not in editor
        assert "Refund issued today." in html[html.index('id="conversation-feed"') :]
        assert conversation.messages.count() == 1

    def test_it_keeps_the_typed_body_when_the_message_is_refused(
        self, client_for: ClientFor, agent: User
    ) -> None:
        conversation = ConversationFactory(customer=CustomerFactory(emails=None))
        response = client_for(agent).post(
            _reply_url(conversation), {"channel": "email", "body": "My carefully typed reply"}, **HTMX
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<form method="post"')
        assert 'id="reply-editor"' in html
        assert "<html" not in html
        assert "HX-Trigger" not in response
        assert "This customer has no email address: add one to their profile first." in html
        assert "My carefully typed reply" in html
        assert not conversation.messages.exists()

    def test_it_keeps_the_typed_body_without_htmx_too(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        big = SimpleUploadedFile("scan.pdf", b"x" * (5 * MB + 1), content_type="application/pdf")
        response = client_for(agent).post(
            _reply_url(conversation), {"channel": "email", "body": "See the scan", "attachments": [big]}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" in html
        assert "“scan.pdf” is larger than 5 MB, the most a file can be." in html
        assert "See the scan" in html
        assert not conversation.messages.exists()

    def test_it_refuses_an_empty_reply(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        response = client_for(agent).post(
            _reply_url(conversation), {"channel": "email", "body": "  "}, **HTMX
        )
        assert "Write a message before sending." in response.content.decode()
        assert not conversation.messages.exists()

    def test_it_sanitises_an_html_reply(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        client_for(agent).post(
            _reply_url(conversation),
            {
                "channel": "email",
                "body_format": "html",
                "body": '<p onclick="x()">Hi</p><script>x()</script>',
            },
        )
        assert conversation.messages.get().body_html == "<p>Hi</p>"

    def test_it_escapes_a_plain_text_reply(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        client_for(agent).post(_reply_url(conversation), {"channel": "chat", "body": "Use <b> tags"})
        assert conversation.messages.get().body_html == "<p>Use &lt;b&gt; tags</p>"

    def test_it_sends_the_attachments(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        files = [SimpleUploadedFile(f"{n}.pdf", b"x" * 10, content_type="application/pdf") for n in "ab"]
        client_for(agent).post(
            _reply_url(conversation), {"channel": "email", "body": "Two files", "attachments": files}
        )
        message = conversation.messages.get()
        assert sorted(message.attachments.values_list("filename", flat=True)) == ["a.pdf", "b.pdf"]

    def test_it_posts_a_note_with_the_note_channel(self, client_for: ClientFor, agent: User) -> None:
        conversation = ConversationFactory()
        sam = UserFactory(sets=["User"])
        response = client_for(agent).post(
            _reply_url(conversation),
            {"channel": "note", "body": "Checking with billing.", "assigned_user": sam.pk},
            **HTMX,
        )
        assert response.status_code == 200
        assert _trigger(response) == {"noteAdded": {"id": conversation.pk}}
        note = Note.objects.get(conversation=conversation)
        assert (note.body_text, note.author, note.assigned_user) == ("Checking with billing.", agent, sam)
        assert not conversation.messages.exists()
        assert "Checking with billing." in response.content.decode()

    def test_a_collaborator_may_post_a_note_where_they_were_brought_in(
        self, client_for: ClientFor, collaborator: User
    ) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(collaborator)
        response = client_for(collaborator).post(
            _reply_url(conversation), {"channel": "note", "body": "Seen."}
        )
        assert response.status_code == 302
        assert Note.objects.filter(conversation=conversation, author=collaborator).exists()

    def test_it_is_404_for_an_outsider(self, client_for: ClientFor, outsider: User) -> None:
        conversation = ConversationFactory()
        response = client_for(outsider).post(_reply_url(conversation), {"channel": "email", "body": "Hi"})
        assert response.status_code == 404
        assert not conversation.messages.exists()

    def test_it_sends_an_anonymous_visitor_to_sign_in(self, client: Client) -> None:
        conversation = ConversationFactory()
        assert _is_login_redirect(client.post(_reply_url(conversation), {"channel": "email", "body": "Hi"}))
        assert not conversation.messages.exists()


class TestAttachmentDownload:
    def _url(self, attachment: Any) -> str:
        return reverse("conversations:attachment_download", args=[attachment.pk])

    def test_it_downloads_the_file_as_an_attachment(self, client_for: ClientFor, agent: User) -> None:
        attachment = AttachmentFactory(filename="invoice.pdf")
        response = client_for(agent).get(self._url(attachment))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert 'filename="invoice.pdf"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == b"%PDF-1.4 demo"

    def test_it_never_serves_html_inline(self, client_for: ClientFor, agent: User) -> None:
        attachment = AttachmentFactory(filename="page.html", content_type="text/html")
        response = client_for(agent).get(self._url(attachment))
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]

    def test_it_serves_a_note_attachment(self, client_for: ClientFor, agent: User) -> None:
        attachment = AttachmentFactory(message=None, note=NoteFactory())
        assert client_for(agent).get(self._url(attachment)).status_code == 200

    def test_it_is_404_for_an_outsider(self, client_for: ClientFor, outsider: User) -> None:
        assert client_for(outsider).get(self._url(AttachmentFactory())).status_code == 404

    def test_it_is_404_for_a_collaborator_outside_the_conversation(
        self, client_for: ClientFor, collaborator: User
    ) -> None:
        assert client_for(collaborator).get(self._url(AttachmentFactory())).status_code == 404

    def test_it_sends_an_anonymous_visitor_to_sign_in(self, client: Client) -> None:
        assert _is_login_redirect(client.get(self._url(AttachmentFactory())))


class TestCustomerEditWithoutHtmx:
    def test_it_shows_the_error_on_the_timeline_page(self, client_for: ClientFor, agent: User) -> None:
        CustomerEmailFactory(email="taken@mail.example")
        customer = CustomerFactory(name="Jane")
        url = reverse("conversations:customer_edit", args=[customer.pk])
        response = client_for(agent).post(url, {"name": "Jane Typed", "emails": "taken@mail.example"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" in html
        assert "already belongs to another customer" in html
        assert 'value="Jane Typed"' in html
        customer.refresh_from_db()
        assert customer.name == "Jane"


class TestCustomerEditorLoadsWhenOpened:
    def test_the_timeline_carries_no_editor_until_it_is_opened(
        self, client_for: ClientFor, agent: User
    ) -> None:
        customer = CustomerFactory(name="Jane")
        html = client_for(agent).get(_timeline_url(customer)).content.decode()
        assert 'hx-trigger="toggle once"' in html
        assert 'name="first_name"' not in html

    def test_opening_it_over_htmx_returns_the_form_alone(self, client_for: ClientFor, agent: User) -> None:
        customer = CustomerFactory(name="Jane")
        url = reverse("conversations:customer_edit", args=[customer.pk])
        html = client_for(agent).get(url, **HTMX).content.decode()
        assert "<html" not in html
        assert html.lstrip().startswith("<form")
        assert 'value="Jane"' in html

    def test_without_javascript_it_opens_on_the_page(self, client_for: ClientFor, agent: User) -> None:
        customer = CustomerFactory(name="Jane")
        url = reverse("conversations:customer_edit", args=[customer.pk])
        response = client_for(agent).get(url, follow=True)
        html = response.content.decode()
        assert response.redirect_chain[-1][0].endswith("?edit=1")
        assert '<details class="disclosure" open>' in html
        assert 'name="first_name"' in html

    def test_it_is_404_for_an_outsider(self, client_for: ClientFor, outsider: User) -> None:
        customer = CustomerFactory(name="Jane")
        url = reverse("conversations:customer_edit", args=[customer.pk])
        assert client_for(outsider).get(url, **HTMX).status_code == 404


class TestTimelineInterleavesCustomerEvents:
    def test_conversations_and_customer_events_share_one_newest_first_list(
        self, client_for: ClientFor, agent: User
    ) -> None:
        import time_machine

        from customers import services as customer_services

        customer = CustomerFactory(name="Jane")
        older = ConversationFactory(customer=customer, created_at=NOW - datetime.timedelta(days=2))
        with time_machine.travel(NOW, tick=False):
            customer_services.customer_update(actor=agent, customer=customer, name="Jane Doe")
        newer = ConversationFactory(customer=customer, created_at=NOW + datetime.timedelta(days=1))
        pinned = ConversationFactory(
            customer=customer, created_at=NOW - datetime.timedelta(days=9), pinned_at=NOW
        )
        response = client_for(agent).get(_timeline_url(customer))
        entries = [(entry.kind, entry.obj) for entry in response.context["timeline"]]
        event = AuditEntry.objects.for_object(customer).get()
        assert entries == [
            ("conversation", pinned),
            ("conversation", newer),
            ("event", event),
            ("conversation", older),
        ]
        assert "updated the customer" in response.content.decode()


class TestDraftComesBackClean:
    def test_a_refused_reply_returns_the_draft_without_script(
        self, client_for: ClientFor, agent: User
    ) -> None:
        conversation = ConversationFactory(customer=CustomerFactory(emails=None))  # no address: refused
        response = client_for(agent).post(
            reverse("conversations:reply", args=[conversation.pk]),
            {
                "channel": "email",
                "body": '<p>Hello <b>there</b><img src=x onerror="alert(1)"></p>',
                "body_format": "html",
            },
            **HTMX,
        )
        html = response.content.decode()
        assert "has no email address" in html
        assert "Hello &lt;b&gt;there&lt;/b&gt;" in html  # the typed text and formatting are kept
        assert "onerror" not in html
