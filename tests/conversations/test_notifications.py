"""Notifications: the sidebar page and its badge, the in-app pop-up's poll, mark as read, and
the emails a mention sends."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from conversations.context_processors import notifications as notifications_context
from conversations.models import Conversation, Notification
from conversations.services.notes import note_create
from conversations.tasks import send_notification_emails
from tests.conversations.factories import ConversationFactory, NoteFactory
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
HTMX = {"HTTP_HX_REQUEST": "true"}
LIST_URL = reverse("conversations:notifications")
READ_URL = reverse("conversations:notifications_read")
POLL_URL = reverse("conversations:notification_poll")


def mention(user: User) -> str:
    return (
        f'<span class="mention" contenteditable="false" data-mention-type="user" '
        f'data-mention-id="{user.pk}">@{user.display_name}</span>'
    )


def notify(recipient: User, *, read: bool = False, **kwargs: Any) -> Notification:
    """A mention notification for `recipient`, made directly (the services are tested apart)."""
    note = kwargs.pop("note", None) or NoteFactory(body_text="Can you check the refund?")
    notification = Notification.objects.create(
        recipient=recipient,
        kind=Notification.Kind.MENTION,
        actor=note.author,
        conversation=note.conversation,
        note=note,
        text=kwargs.pop("text", f"{note.author} mentioned you in “{note.conversation.display_name}”"),
        **kwargs,
    )
    if read:
        Notification.objects.filter(pk=notification.pk).update(read_at=notification.created_at)
    return notification


@pytest.fixture
def sam(db: None) -> User:
    return UserFactory(email="sam@example.com", display_name="Sam Support", sets=["User"])


# --- the context processor and the nav badge -----------------------------------------------------


class TestBadge:
    def test_it_counts_the_unread_in_one_query(
        self, sam: User, django_assert_num_queries: Any, rf: RequestFactory
    ) -> None:
        notify(sam)
        notify(sam)
        last = notify(sam, read=True)
        request = rf.get("/")
        request.user = sam
        context = notifications_context(request)
        with django_assert_num_queries(1):
            assert context["unread_notifications"]() == 2
            assert context["unread_notifications"]() == 2
            assert context["notification_last_id"]() == last.pk

    def test_it_is_zero_for_a_user_without_notifications(self, sam: User, rf: RequestFactory) -> None:
        notify(UserFactory())  # someone else's
        request = rf.get("/")
        request.user = sam
        context = notifications_context(request)
        assert (context["unread_notifications"](), context["notification_last_id"]()) == (0, 0)

    def test_it_runs_no_query_for_an_anonymous_visitor(
        self, django_assert_num_queries: Any, rf: RequestFactory
    ) -> None:
        from django.contrib.auth.models import AnonymousUser

        request = rf.get("/")
        request.user = AnonymousUser()
        with django_assert_num_queries(0):
            assert notifications_context(request)["unread_notifications"]() == 0

    def test_it_runs_no_query_when_the_page_does_not_show_it(
        self, sam: User, django_assert_num_queries: Any, rf: RequestFactory
    ) -> None:
        request = rf.get("/")
        request.user = sam
        with django_assert_num_queries(0):
            notifications_context(request)

    def test_the_sidebar_shows_notifications_with_the_unread_count(
        self, client_for: ClientFor, sam: User
    ) -> None:
        notify(sam)
        html = client_for(sam).get(reverse("accounts:home")).content.decode()
        assert f'href="{LIST_URL}"' in html
        assert '>Notifications <span id="notification-badge" class="nav-badge">1</span></a>' in html

    def test_the_badge_is_hidden_when_all_are_read(self, client_for: ClientFor, sam: User) -> None:
        html = client_for(sam).get(reverse("accounts:home")).content.decode()
        assert '<span id="notification-badge" class="nav-badge" hidden>0</span>' in html


# --- the Notifications page ----------------------------------------------------------------------


class TestNotificationList:
    def test_it_lists_the_users_notifications_newest_first(self, client_for: ClientFor, sam: User) -> None:
        older = notify(sam, text="Older one")
        newer = notify(sam, text="Newer one")
        html = client_for(sam).get(LIST_URL).content.decode()
        assert html.index("Newer one") < html.index("Older one")
        assert reverse("conversations:notification_open", args=[newer.pk]) in html
        assert reverse("conversations:notification_open", args=[older.pk]) in html

    def test_it_lists_only_the_users_own_notifications(self, client_for: ClientFor, sam: User) -> None:
        notify(UserFactory(), text="For someone else")
        html = client_for(sam).get(LIST_URL).content.decode()
        assert "For someone else" not in html
        assert "No notifications yet." in html

    def test_it_highlights_the_unread(self, client_for: ClientFor, sam: User) -> None:
        notify(sam, text="Unread one")
        notify(sam, text="Read one", read=True)
        html = client_for(sam).get(LIST_URL).content.decode()
        assert html.count('class="notification-row is-unread"') == 1
        unread_row = html[html.index("is-unread") : html.index("Unread one")]
        assert "Read one" not in unread_row

    def test_it_marks_the_page_in_the_sidebar(self, client_for: ClientFor, sam: User) -> None:
        html = client_for(sam).get(LIST_URL).content.decode()
        assert 'data-nav="notifications" aria-current="page"' in html

    def test_it_pages_the_list(self, client_for: ClientFor, sam: User) -> None:
        note = NoteFactory()
        for _ in range(26):
            Notification.objects.create(
                recipient=sam, kind=Notification.Kind.MENTION, conversation=note.conversation, text="x"
            )
        html = client_for(sam).get(LIST_URL).content.decode()
        assert html.count('class="notification-row') == 25
        assert "Page 1 of 2" in html

    def test_it_runs_as_many_queries_for_20_notifications_as_for_1(
        self, client_for: ClientFor, sam: User
    ) -> None:
        client = client_for(sam)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(LIST_URL).status_code == 200
            return len(queries)

        notify(sam)
        one = count()
        for _ in range(19):
            notify(sam)
        assert count() == one

    def test_it_answers_htmx_with_the_list_alone(self, client_for: ClientFor, sam: User) -> None:
        notify(sam, text="In the list")
        response = client_for(sam).get(LIST_URL, **HTMX)
        html = response.content.decode()
        assert "<html" not in html
        assert html.lstrip().startswith('<div id="notification-list">')
        assert "In the list" in html

    def test_it_sends_an_anonymous_visitor_to_sign_in(self, client: Client) -> None:
        response = client.get(LIST_URL)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


class TestMarkAllAsRead:
    def test_it_marks_all_the_users_notifications_read(self, client_for: ClientFor, sam: User) -> None:
        mine = [notify(sam), notify(sam)]
        theirs = notify(UserFactory())
        response = client_for(sam).post(READ_URL)
        assert (response.status_code, response.url) == (302, LIST_URL)
        assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
        assert Notification.objects.get(pk=theirs.pk).read_at is None

    def test_it_answers_htmx_with_the_list_the_badge_and_an_event(
        self, client_for: ClientFor, sam: User
    ) -> None:
        notify(sam)
        response = client_for(sam).post(READ_URL, **HTMX)
        html = response.content.decode()
        assert "<html" not in html
        assert html.lstrip().startswith('<div id="notification-list">')
        assert "is-unread" not in html
        assert '<span id="notification-badge" class="nav-badge" hx-swap-oob="true" hidden>0</span>' in html
        assert json.loads(response["HX-Trigger"]) == {"notificationsRead": {"count": 1}}

    def test_it_refuses_a_get(self, client_for: ClientFor, sam: User) -> None:
        notify(sam)
        assert client_for(sam).get(READ_URL).status_code == 405
        assert Notification.objects.filter(read_at__isnull=True).count() == 1


class TestOpenNotification:
    def test_it_marks_it_read_and_goes_to_the_note(self, client_for: ClientFor, sam: User) -> None:
        notification = notify(sam)
        response = client_for(sam).get(reverse("conversations:notification_open", args=[notification.pk]))
        conversation = Conversation.objects.get(pk=notification.conversation_id)
        assert response.status_code == 302
        assert response.url == f"{conversation.get_absolute_url()}#note-{notification.note_id}"
        assert Notification.objects.get(pk=notification.pk).read_at is not None

    def test_it_is_404_for_someone_elses_notification(
        self, client_for: ClientFor, outsider: User, sam: User
    ) -> None:
        notification = notify(sam)
        url = reverse("conversations:notification_open", args=[notification.pk])
        assert client_for(outsider).get(url).status_code == 404
        assert Notification.objects.get(pk=notification.pk).read_at is None


# --- the in-app pop-up -------------------------------------------------------------------------


class TestPoll:
    def test_the_page_polls_for_a_user_who_wants_pop_ups(self, client_for: ClientFor, sam: User) -> None:
        last = notify(sam)
        html = client_for(sam).get(reverse("accounts:home")).content.decode()
        assert f'hx-get="{POLL_URL}" hx-trigger="every 5s"' in html
        assert f'<input type="hidden" name="since" value="{last.pk}">' in html

    def test_the_page_does_not_poll_when_pop_ups_are_off(self, client_for: ClientFor, sam: User) -> None:
        User.objects.filter(pk=sam.pk).update(notify_desktop=False)
        html = client_for(sam).get(reverse("accounts:home")).content.decode()
        assert 'id="notification-popup"' not in html

    def test_it_returns_only_notifications_newer_than_since(self, client_for: ClientFor, sam: User) -> None:
        seen = notify(sam, text="Already shown")
        fresh = notify(sam, text="Brand new")
        response = client_for(sam).get(POLL_URL, {"since": seen.pk}, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert "Brand new" in html
        assert "Already shown" not in html
        assert f'<input type="hidden" name="since" value="{fresh.pk}">' in html
        assert reverse("conversations:notification_open", args=[fresh.pk]) in html

    def test_it_updates_the_badge_out_of_band(self, client_for: ClientFor, sam: User) -> None:
        seen = notify(sam)
        notify(sam)
        response = client_for(sam).get(POLL_URL, {"since": seen.pk}, **HTMX)
        assert (
            '<span id="notification-badge" class="nav-badge" hx-swap-oob="true">2</span>'
            in response.content.decode()
        )
        assert json.loads(response["HX-Trigger"]) == {"notificationsReceived": {"count": 1}}

    def test_it_answers_204_when_nothing_is_new(self, client_for: ClientFor, sam: User) -> None:
        seen = notify(sam)
        response = client_for(sam).get(POLL_URL, {"since": seen.pk}, **HTMX)
        assert response.status_code == 204

    def test_it_leaves_out_what_was_read_meanwhile(self, client_for: ClientFor, sam: User) -> None:
        notify(sam, read=True)
        assert client_for(sam).get(POLL_URL, {"since": 0}, **HTMX).status_code == 204

    def test_it_shows_three_and_points_to_the_rest(self, client_for: ClientFor, sam: User) -> None:
        for _ in range(5):
            notify(sam)
        html = client_for(sam).get(POLL_URL, {"since": 0}, **HTMX).content.decode()
        assert html.count('class="toast"') == 3
        assert "More in Notifications" in html
        assert f'value="{Notification.objects.latest("id").pk}"' in html

    def test_it_runs_as_many_queries_for_3_new_notifications_as_for_1(
        self, client_for: ClientFor, sam: User
    ) -> None:
        client = client_for(sam)

        def count(since: int) -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(POLL_URL, {"since": since}, **HTMX).status_code == 200
            return len(queries)

        start = notify(sam).pk
        one = count(start - 1)
        for _ in range(2):
            notify(sam)
        assert count(start - 1) == one

    def test_it_answers_204_to_a_signed_out_visitor(self, client: Client) -> None:
        assert client.get(POLL_URL, {"since": 0}, **HTMX).status_code == 204

    def test_it_answers_204_when_pop_ups_are_off(self, client_for: ClientFor, sam: User) -> None:
        notify(sam)
        User.objects.filter(pk=sam.pk).update(notify_desktop=False)
        assert client_for(sam).get(POLL_URL, {"since": 0}, **HTMX).status_code == 204


# --- emails ---------------------------------------------------------------------------------------


class TestEmails:
    def test_a_mention_emails_the_user_once(
        self, agent: User, sam: User, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        conversation = ConversationFactory(name="Refund for Jane")
        with django_capture_on_commit_callbacks(execute=True):
            note = note_create(
                actor=agent, conversation=conversation, body_html=f"<p>{mention(sam)} please check</p>"
            )
        assert len(mailoutbox) == 1
        email = mailoutbox[0]
        assert email.to == ["sam@example.com"]
        assert email.subject == "[Kustomer Clone] Alex Agent mentioned you in “Refund for Jane”"
        assert "@Sam Support please check" in email.body
        assert f"{conversation.get_absolute_url()}#note-{note.pk}" in email.body
        assert Notification.objects.get(recipient=sam).emailed_at is not None

    def test_running_the_task_again_sends_nothing_more(
        self, agent: User, sam: User, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            note_create(actor=agent, conversation=ConversationFactory(), body_html=f"<p>{mention(sam)}</p>")
        notification = Notification.objects.get(recipient=sam)
        assert send_notification_emails([notification.pk]) == 0
        assert len(mailoutbox) == 1

    def test_it_sends_nothing_when_the_setting_is_off(
        self, agent: User, sam: User, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        User.objects.filter(pk=sam.pk).update(notify_mentions_email=False)
        with django_capture_on_commit_callbacks(execute=True):
            note_create(actor=agent, conversation=ConversationFactory(), body_html=f"<p>{mention(sam)}</p>")
        assert mailoutbox == []
        assert Notification.objects.filter(recipient=sam).exists()  # still in-app

    def test_it_sends_nothing_when_the_setting_is_turned_off_before_the_send(
        self, sam: User, mailoutbox: list[Any]
    ) -> None:
        notification = notify(sam)
        User.objects.filter(pk=sam.pk).update(notify_mentions_email=False)
        assert send_notification_emails([notification.pk]) == 0
        assert mailoutbox == []

    def test_a_team_mention_emails_each_member_who_wants_it(
        self, agent: User, sam: User, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        quiet = UserFactory(email="quiet@example.com", notify_mentions_email=False)
        team = TeamFactory(name="Billing")
        team.members.set([sam, quiet])
        body = f'<span class="mention" data-mention-type="team" data-mention-id="{team.pk}">@Billing</span>'
        with django_capture_on_commit_callbacks(execute=True):
            note_create(actor=agent, conversation=ConversationFactory(), body_html=body)
        assert [m.to for m in mailoutbox] == [["sam@example.com"]]

    def test_it_sends_nothing_before_the_note_is_committed(
        self, agent: User, sam: User, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            note_create(actor=agent, conversation=ConversationFactory(), body_html=f"<p>{mention(sam)}</p>")
        assert mailoutbox == []
        assert len(callbacks) >= 1
