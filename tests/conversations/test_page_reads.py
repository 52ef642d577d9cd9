"""What the inbox, the timeline and the conversation view read, and in how many queries
(issue #3, page latency): the lists that come with the conversation row, the feed's people,
and the conversation links built without `reverse()` per link."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404
from django.urls import reverse

from accounts.models import User
from conversations.models import ConversationEvent, Priority, Status
from conversations.selectors import (
    InboxFilters,
    access_conversation_with_details,
    conversation_feed,
    conversation_list_for_inbox,
)
from conversations.views.customers import (
    CONVERSATION_URL_NAMES,
    conversation_url_maker,
    conversation_urls,
)
from customers.models import Customer, CustomerEmail, CustomerPhone
from tests.conversations.factories import (
    ConversationFactory,
    ConversationTagFactory,
    CustomerFactory,
    MessageFactory,
    NoteFactory,
    SubStatusFactory,
    TagFactory,
)
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _assigned(**fields: Any) -> Any:
    conversation = ConversationFactory(**fields)
    conversation.assigned_users.add(
        UserFactory(display_name="Zoe Zed", email="zoe@example.com"),
        UserFactory(display_name="", email="amy@example.com"),
        UserFactory(display_name="Bea Bee", email="bea@example.com"),
    )
    conversation.assigned_teams.add(TeamFactory(name="Returns"), TeamFactory(name="Billing"))
    ConversationTagFactory(conversation=conversation, tag=TagFactory(name="VIP", color="purple"))
    ConversationTagFactory(conversation=conversation, tag=TagFactory(name="Old", is_active=False))
    return conversation


class TestConversationWithDetails:
    def test_it_reads_the_assignees_teams_and_tags_in_the_same_query(
        self, admin_user: User, django_assert_num_queries: Any
    ) -> None:
        conversation = _assigned()
        admin_user.capabilities  # noqa: B018 (read once, as the signed-in user's are)
        with django_assert_num_queries(1):
            found = access_conversation_with_details(admin_user, conversation.pk)
            users = [(u.pk, u.display_name, str(u)) for u in found.assigned_user_list]  # type: ignore[attr-defined]
            teams = [(t.pk, str(t)) for t in found.assigned_team_list]  # type: ignore[attr-defined]
            tags = [
                (link.pk, link.tag_id, link.tag.pk, link.tag.name, link.tag.color, link.tag.is_active)
                for link in found.tag_link_list  # type: ignore[attr-defined]
            ]
        assert users == [(u.pk, u.display_name, str(u)) for u in conversation.assigned_users.all()]
        assert [name for _, name in teams] == ["Billing", "Returns"]
        assert teams == [(t.pk, str(t)) for t in conversation.assigned_teams.all()]
        assert tags == [
            (link.pk, link.tag_id, link.tag.pk, link.tag.name, link.tag.color, link.tag.is_active)
            for link in conversation.tag_links.select_related("tag")
        ]

    def test_it_reads_the_customers_emails_and_phones_in_the_same_query(
        self, admin_user: User, django_assert_num_queries: Any
    ) -> None:
        customer = CustomerFactory(emails=None)
        CustomerEmail.objects.create(customer=customer, email="work@example.com", type="work")
        CustomerEmail.objects.create(customer=customer, email="home@example.com", is_primary=True)
        CustomerPhone.objects.create(customer=customer, phone="+44 20 7946 0000", type="work")
        CustomerPhone.objects.create(customer=customer, phone="+44 7700 900000")
        conversation = ConversationFactory(customer=customer)
        admin_user.capabilities  # noqa: B018
        with django_assert_num_queries(1):
            found = access_conversation_with_details(admin_user, conversation.pk, customer_contacts=True)
            emails = [
                (e.pk, e.email, e.get_type_display(), e.is_primary) for e in found.customer.emails.all()
            ]
            phones = [(p.pk, p.phone, p.get_type_display()) for p in found.customer.phones.all()]
            primary = found.customer.primary_email
        fresh = Customer.objects.get(pk=customer.pk)
        assert emails == [(e.pk, e.email, e.get_type_display(), e.is_primary) for e in fresh.emails.all()]
        assert [email for _, email, _, _ in emails] == ["home@example.com", "work@example.com"]
        assert phones == [(p.pk, p.phone, p.get_type_display()) for p in fresh.phones.all()]
        assert primary == "home@example.com"

    def test_a_customer_without_contacts_has_empty_lists(self, admin_user: User) -> None:
        conversation = ConversationFactory(customer=CustomerFactory(name="No Contacts", emails=None))
        found = access_conversation_with_details(admin_user, conversation.pk, customer_contacts=True)
        assert list(found.customer.emails.all()) == []
        assert list(found.customer.phones.all()) == []
        assert found.customer.primary_email == ""

    def test_it_gives_empty_lists_to_a_conversation_without_any(self, admin_user: User) -> None:
        found = access_conversation_with_details(admin_user, ConversationFactory().pk)
        assert found.assigned_user_list == []  # type: ignore[attr-defined]
        assert found.assigned_team_list == []  # type: ignore[attr-defined]
        assert found.tag_link_list == []  # type: ignore[attr-defined]

    def test_it_is_404_for_an_outsider(self, outsider: User) -> None:
        with pytest.raises(Http404):
            access_conversation_with_details(outsider, ConversationFactory().pk)


class TestInboxRows:
    def test_it_reads_a_page_of_rows_with_their_assignees_and_tags_in_one_query(
        self, admin_user: User, django_assert_num_queries: Any
    ) -> None:
        conversation = _assigned()
        ConversationFactory()
        admin_user.capabilities  # noqa: B018
        queryset = conversation_list_for_inbox(user=admin_user, filters=InboxFilters(view="open"))
        with django_assert_num_queries(1):
            rows = {row.pk: row for row in queryset[:26]}
        details = rows[conversation.pk].details  # type: ignore[attr-defined]
        assert [u["display_name"] for u in details["users"]] == [
            u.display_name for u in conversation.assigned_users.all()
        ]
        assert [t["name"] for t in details["teams"]] == ["Billing", "Returns"]
        assert [(t["name"], t["color"]) for t in details["tags"]] == [
            (link.tag.name, link.tag.color) for link in conversation.tag_links.select_related("tag")
        ]


class TestFeedPeople:
    def test_it_reads_authors_assignees_and_actors_in_one_query(self, django_assert_num_queries: Any) -> None:
        conversation = ConversationFactory()
        reply = MessageFactory(conversation=conversation, outbound=True)
        inbound = MessageFactory(conversation=conversation)
        note = NoteFactory(conversation=conversation, assigned_user=UserFactory(display_name="Sam Support"))
        event = ConversationEvent.objects.create(
            conversation=conversation, actor=UserFactory(), kind=ConversationEvent.Kind.PRIORITY, data={}
        )
        conversation.customer  # noqa: B018 (the views' conversations come with their customer)
        # messages, notes, events, and the users of all three
        with django_assert_num_queries(4):
            feed = conversation_feed(conversation=conversation)
            shown = {
                (item.kind, item.obj.pk): (
                    str(getattr(item.obj, "author", None) or getattr(item.obj, "actor", None)),
                    str(getattr(item.obj, "customer", "")),
                    str(getattr(item.obj, "assigned_user", "")),
                )
                for item in feed
            }
        assert shown[("message", reply.pk)][0] == str(reply.author)
        assert shown[("message", inbound.pk)] == ("None", str(conversation.customer), "")
        assert shown[("note", note.pk)] == (str(note.author), "", "Sam Support")
        assert shown[("event", event.pk)][0] == str(event.actor)

    def test_it_needs_no_user_query_when_nobody_is_named(self, django_assert_num_queries: Any) -> None:
        conversation = ConversationFactory()
        MessageFactory(conversation=conversation)
        conversation.customer  # noqa: B018
        with django_assert_num_queries(3):
            conversation_feed(conversation=conversation)

    def test_it_shows_a_message_from_another_customer_with_that_customer(self) -> None:
        conversation = ConversationFactory()
        other = CustomerFactory(name="Other Person")
        MessageFactory(conversation=conversation, customer=other)
        (item,) = conversation_feed(conversation=conversation)
        assert item.obj.customer == other
        assert str(item.obj.customer) == "Other Person"


class TestConversationUrls:
    def test_they_are_what_reverse_gives(self) -> None:
        urls = conversation_urls(4321)
        assert set(urls) == set(CONVERSATION_URL_NAMES)
        for name in CONVERSATION_URL_NAMES:
            assert urls[name] == reverse(f"conversations:{name}", args=[4321])

    def test_the_page_url_is_what_reverse_gives(self) -> None:
        assert conversation_url_maker()(77) == reverse("conversations:conversation_detail", args=[77])


class TestWindowsLoadedWhenOpened:
    """The Snooze menu and the Conversation Attributes window are not in the page: they load
    when opened (htmx), or open with the page without JavaScript."""

    HTMX = {"HTTP_HX_REQUEST": "true"}

    def _url(self, conversation: Any, query: str = "") -> str:
        return reverse("conversations:conversation_detail", args=[conversation.pk]) + query

    def test_the_page_holds_neither_form(self, client_for: Any, agent: User) -> None:
        conversation = ConversationFactory()
        html = client_for(agent).get(self._url(conversation)).content.decode()
        assert 'name="until"' not in html
        assert 'aria-label="Conversation Attributes"' not in html
        assert f'hx-get="{self._url(conversation, "?snooze=1")}"' in html
        assert f'hx-get="{self._url(conversation, "?attributes=1")}"' in html

    def test_htmx_gets_the_snooze_form_alone(self, client_for: Any, agent: User) -> None:
        waiting = SubStatusFactory(status=Status.SNOOZED, name="Waiting on customer")
        conversation = ConversationFactory()
        response = client_for(agent).get(self._url(conversation, "?snooze=1"), **self.HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert 'class="menu-panel stack snooze-form"' in html
        assert f'action="{reverse("conversations:snooze", args=[conversation.pk])}"' in html
        assert f'<option value="{waiting.pk}">Waiting on customer</option>' in html

    def test_htmx_gets_the_attributes_window_alone(self, client_for: Any, agent: User) -> None:
        conversation = ConversationFactory(name="Refund", priority=Priority.HIGH)
        response = client_for(agent).get(self._url(conversation, "?attributes=1"), **self.HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert 'aria-label="Conversation Attributes"' in html
        assert 'name="name" value="Refund"' in html
        assert f'<option value="{Priority.HIGH}" selected>' in html

    @pytest.mark.parametrize("window", ["snooze", "attributes"])
    def test_without_javascript_the_page_opens_with_it(
        self, client_for: Any, agent: User, window: str
    ) -> None:
        conversation = ConversationFactory()
        html = client_for(agent).get(self._url(conversation, f"?{window}=1")).content.decode()
        assert "<html" in html
        assert f'action="{reverse(f"conversations:{window}", args=[conversation.pk])}"' in html

    @pytest.mark.parametrize("window", ["snooze", "attributes"])
    def test_it_is_403_for_who_may_not_change_the_conversation(
        self, client_for: Any, collaborator: User, window: str
    ) -> None:
        conversation = ConversationFactory()
        conversation.assigned_users.add(collaborator)
        response = client_for(collaborator).get(self._url(conversation, f"?{window}=1"), **self.HTMX)
        assert response.status_code == 403

    def test_it_is_404_for_an_outsider(self, client_for: Any, outsider: User) -> None:
        response = client_for(outsider).get(self._url(ConversationFactory(), "?snooze=1"), **self.HTMX)
        assert response.status_code == 404


class TestInboxRowLabels:
    def _row_html(self, client: Any, conversation: Any) -> str:
        html = client.get(reverse("conversations:inbox"), {"view": "open"}).content.decode()
        start = html.index(f'href="{reverse("conversations:conversation_detail", args=[conversation.pk])}"')
        return html[start : html.index("</li>", start)]

    def test_a_row_names_its_users_then_its_teams_then_nobody(self, client_for: Any, agent: User) -> None:
        client = client_for(agent)
        with_users = ConversationFactory()
        with_users.assigned_users.add(
            UserFactory(display_name="Sam Support"), UserFactory(display_name="Ann")
        )
        with_users.assigned_teams.add(TeamFactory(name="Billing"))
        with_team = ConversationFactory()
        with_team.assigned_teams.add(TeamFactory(name="Returns"))
        nobody = ConversationFactory()
        assert '<span class="row-assignee muted small">Ann, Sam Support</span>' in self._row_html(
            client, with_users
        )
        assert '<span class="row-assignee muted small">Returns</span>' in self._row_html(client, with_team)
        assert '<span class="row-assignee muted small">Unassigned</span>' in self._row_html(client, nobody)
