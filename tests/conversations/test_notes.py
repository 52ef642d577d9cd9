"""Notes: mentions (parsing, limits, rewriting, who is notified), Post New Note, More options
(Edit note, Delete note) and the mention suggestions the editor asks for."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Team, User
from conversations.models import (
    MAX_MENTIONS_PER_NOTE,
    Attachment,
    Conversation,
    ConversationEvent,
    Note,
    Notification,
    Status,
    WorkspaceSettings,
)
from conversations.services.notes import note_create, note_delete, note_update, timeline_note_create
from tests.conversations.factories import ConversationFactory, CustomerFactory, NoteFactory
from tests.factories import PermissionSetFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
HTMX = {"HTTP_HX_REQUEST": "true"}
MB = 1024 * 1024


def mention(target: User | Team, label: str | None = None) -> str:
    """A mention as the editor posts it."""
    kind = "user" if isinstance(target, User) else "team"
    name = label or (target.display_name if isinstance(target, User) else target.name)
    return (
        f'<span class="mention" contenteditable="false" data-mention-type="{kind}" '
        f'data-mention-id="{target.pk}">@{name}</span>'
    )


def _file(name: str, size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"x" * size, content_type="application/pdf")


def _note_with_a_file(author: User) -> tuple[Note, Any]:
    note = note_create(
        actor=author,
        conversation=ConversationFactory(),
        body_html="<p>See</p>",
        attachments=[_file("a.pdf", 10)],
    )
    (attachment,) = note.attachments.all()
    return note, attachment


def _mentioned(user: User) -> bool:
    return Notification.objects.filter(recipient=user, kind=Notification.Kind.MENTION).exists()


@pytest.fixture
def sam(db: None) -> User:
    return UserFactory(email="sam@example.com", display_name="Sam Support", sets=["User"])


@pytest.fixture
def notes_only(db: None) -> User:
    """Sees every conversation and adds notes, but may not update conversations."""
    PermissionSetFactory(name="Notes only", capabilities=["view_all_conversations", "add_notes"])
    return UserFactory(email="notes@example.com", display_name="Nora Notes", sets=["Notes only"])


# --- services: mentions -------------------------------------------------------------------------


class TestMentions:
    def test_it_records_and_notifies_a_mentioned_user(self, agent: User, sam: User) -> None:
        note = note_create(
            actor=agent, conversation=ConversationFactory(), body_html=f"<p>Hi {mention(sam)}</p>"
        )
        assert list(note.mentioned_users.all()) == [sam]
        notification = Notification.objects.get(recipient=sam)
        assert (notification.kind, notification.note, notification.actor) == (
            Notification.Kind.MENTION,
            note,
            agent,
        )

    def test_it_notifies_every_active_member_of_a_mentioned_team(self, agent: User, sam: User) -> None:
        kim, gone = UserFactory(), UserFactory(is_active=False)
        team = TeamFactory(name="Billing")
        team.members.set([sam, kim, gone])
        note = note_create(
            actor=agent, conversation=ConversationFactory(), body_html=f"<p>{mention(team)}</p>"
        )
        assert list(note.mentioned_teams.all()) == [team]
        assert set(Notification.objects.values_list("recipient", flat=True)) == {sam.pk, kim.pk}

    def test_it_does_not_notify_the_author_of_their_own_mention(self, agent: User) -> None:
        team = TeamFactory()
        team.members.add(agent)
        note_create(
            actor=agent,
            conversation=ConversationFactory(),
            body_html=f"<p>{mention(agent)} {mention(team)}</p>",
        )
        assert not Notification.objects.exists()

    def test_it_notifies_someone_mentioned_directly_and_through_a_team_once(
        self, agent: User, sam: User
    ) -> None:
        team = TeamFactory()
        team.members.add(sam)
        note_create(
            actor=agent,
            conversation=ConversationFactory(),
            body_html=f"<p>{mention(sam)} {mention(team)}</p>",
        )
        assert Notification.objects.filter(recipient=sam).count() == 1

    def test_it_accepts_20_mentions(self, agent: User) -> None:
        users = UserFactory.create_batch(MAX_MENTIONS_PER_NOTE)
        body = "<p>" + " ".join(mention(u) for u in users) + "</p>"
        note = note_create(actor=agent, conversation=ConversationFactory(), body_html=body)
        assert note.mentioned_users.count() == 20

    def test_it_refuses_a_21st_mention_with_the_message(self, agent: User) -> None:
        users = UserFactory.create_batch(MAX_MENTIONS_PER_NOTE)
        body = "<p>" + " ".join(mention(u) for u in users) + " " + mention(TeamFactory()) + "</p>"
        with pytest.raises(ValidationError) as refused:
            note_create(actor=agent, conversation=ConversationFactory(), body_html=body)
        assert refused.value.message_dict["body"] == [
            "You can mention up to 20 users or teams in a note; this note mentions 21."
        ]
        assert not Note.objects.exists()
        assert not Notification.objects.exists()

    def test_it_keeps_a_mention_of_an_unknown_user_as_text(self, agent: User) -> None:
        ghost = '<span class="mention" data-mention-type="user" data-mention-id="999999">@Ghost</span>'
        note = note_create(actor=agent, conversation=ConversationFactory(), body_html=f"<p>Hi {ghost}</p>")
        assert note.body_html == "<p>Hi @Ghost</p>"
        assert not note.mentioned_users.exists()

    def test_it_keeps_a_mention_of_an_inactive_user_as_text(self, agent: User) -> None:
        gone = UserFactory(display_name="Gone Gina", is_active=False)
        note = note_create(
            actor=agent, conversation=ConversationFactory(), body_html=f"<p>{mention(gone)}</p>"
        )
        assert note.body_html == "<p>@Gone Gina</p>"
        assert not Notification.objects.exists()

    def test_it_rewrites_a_spoofed_name_to_the_real_one(self, agent: User, sam: User) -> None:
        note = note_create(
            actor=agent, conversation=ConversationFactory(), body_html=f"<p>{mention(sam, 'The CEO')}</p>"
        )
        assert "The CEO" not in note.body_html
        assert f'data-mention-id="{sam.pk}" data-initial="S">@Sam Support</span>' in note.body_html
        assert note.body_text == "@Sam Support"

    def test_it_rewrites_a_mention_whatever_the_order_of_its_attributes(self, agent: User, sam: User) -> None:
        odd = f'<span data-mention-id="{sam.pk}" data-mention-type="user" class="mention">@The CEO</span>'
        note = note_create(actor=agent, conversation=ConversationFactory(), body_html=f"<p>{odd}</p>")
        assert "The CEO" not in note.body_html
        assert "@Sam Support" in note.body_html
        assert _mentioned(sam)

    def test_it_turns_a_fake_mention_without_a_target_into_text(self, agent: User) -> None:
        fake = '<span class="mention">@Everyone</span>'
        note = note_create(actor=agent, conversation=ConversationFactory(), body_html=f"<p>{fake}</p>")
        assert note.body_html == "<p>@Everyone</p>"

    def test_it_escapes_the_text_around_mentions(self, agent: User, sam: User) -> None:
        body = f"<p>1 &lt; 2 &amp; {mention(sam)}</p>"
        note = note_create(actor=agent, conversation=ConversationFactory(), body_html=body)
        assert note.body_html.startswith("<p>1 &lt; 2 &amp; <span")


# --- services: notes ----------------------------------------------------------------------------


class TestNoteServices:
    def test_it_refuses_someone_who_cannot_add_notes(self, outsider: User) -> None:
        with pytest.raises(PermissionDenied):
            note_create(actor=outsider, conversation=ConversationFactory(), body_html="<p>Hi</p>")

    def test_it_refuses_note_attachments_over_9_5_mb(self, agent: User) -> None:
        files = [_file("a.pdf", 5 * MB), _file("b.pdf", int(4.5 * MB) + 1)]
        with pytest.raises(ValidationError) as refused:
            note_create(
                actor=agent, conversation=ConversationFactory(), body_html="<p>See</p>", attachments=files
            )
        assert refused.value.message_dict["attachments"] == [
            "The attachments add up to more than 9.5 MB, the most a note can carry."
        ]
        assert not Attachment.objects.exists()

    def test_it_accepts_note_attachments_of_9_5_mb(self, agent: User) -> None:
        files = [_file("a.pdf", 5 * MB), _file("b.pdf", int(4.5 * MB))]
        note = note_create(
            actor=agent, conversation=ConversationFactory(), body_html="<p>See</p>", attachments=files
        )
        assert note.attachments.count() == 2

    def test_post_new_note_is_done_by_default(self, agent: User) -> None:
        note = timeline_note_create(
            actor=agent, customer=CustomerFactory(), body_html="<p>Called her back</p>"
        )
        conversation = Conversation.objects.get(pk=note.conversation_id)
        assert (conversation.status, conversation.is_note, conversation.preview) == (
            Status.DONE,
            True,
            "Called her back",
        )

    def test_post_new_note_is_open_when_the_setting_is_off(self, agent: User) -> None:
        WorkspaceSettings.objects.update_or_create(pk=1, defaults={"notes_done_by_default": False})
        note = timeline_note_create(
            actor=agent, customer=CustomerFactory(), body_html="<p>Call back Monday</p>"
        )
        assert Conversation.objects.get(pk=note.conversation_id).status == Status.OPEN

    def test_it_notifies_the_user_a_note_is_assigned_to(self, agent: User, sam: User) -> None:
        note = timeline_note_create(
            actor=agent, customer=CustomerFactory(), body_html="<p>Please call</p>", assigned_user=sam
        )
        assert Notification.objects.get(recipient=sam).kind == Notification.Kind.NOTE_ASSIGNED
        assert note.assigned_user == sam

    def test_note_update_notifies_only_the_newly_mentioned(self, agent: User, sam: User) -> None:
        kim = UserFactory(display_name="Kim")
        note = note_create(
            actor=agent, conversation=ConversationFactory(), body_html=f"<p>{mention(sam)}</p>"
        )
        note_update(actor=agent, note=note, body_html=f"<p>{mention(sam)} and {mention(kim)}</p>")
        assert Notification.objects.filter(recipient=sam).count() == 1
        assert Notification.objects.filter(recipient=kim).count() == 1
        assert set(note.mentioned_users.all()) == {sam, kim}

    def test_note_update_records_an_event_with_the_text_before_and_after(self, agent: User) -> None:
        note = note_create(actor=agent, conversation=ConversationFactory(), body_html="<p>Old</p>")
        note_update(actor=agent, note=note, body_html="<p>New</p>")
        event = ConversationEvent.objects.get(kind=ConversationEvent.Kind.NOTE_UPDATED)
        assert event.data == {"note_id": note.pk, "before": "Old", "after": "New"}

    def test_note_update_refuses_someone_elses_note_without_update_customers(
        self, agent: User, notes_only: User
    ) -> None:
        note = note_create(actor=agent, conversation=ConversationFactory(), body_html="<p>Mine</p>")
        with pytest.raises(PermissionDenied):
            note_update(actor=notes_only, note=note, body_html="<p>Theirs</p>")

    def test_note_delete_records_an_event(self, agent: User) -> None:
        conversation = ConversationFactory()
        note = note_create(actor=agent, conversation=conversation, body_html="<p>Oops</p>")
        note_id = note.pk
        note_delete(actor=agent, note=note)
        assert not Note.objects.filter(pk=note_id).exists()
        event = ConversationEvent.objects.get(kind=ConversationEvent.Kind.NOTE_DELETED)
        assert (event.actor, event.data["note_id"]) == (agent, note_id)
        assert Conversation.objects.get(pk=conversation.pk).note_count == 0

    def test_note_delete_removes_its_files_from_storage_after_commit(
        self, agent: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        note, attachment = _note_with_a_file(agent)
        storage, name = attachment.file.storage, attachment.file.name
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            note_delete(actor=agent, note=note)
        assert storage.exists(name)  # still there until the delete commits
        for callback in callbacks:
            callback()
        assert not storage.exists(name)

    def test_a_rolled_back_note_delete_keeps_its_files(self, agent: User) -> None:
        note, attachment = _note_with_a_file(agent)
        note_id = note.pk
        with pytest.raises(RuntimeError), transaction.atomic():
            note_delete(actor=agent, note=note)
            raise RuntimeError("the request failed after the delete")
        assert attachment.file.storage.exists(attachment.file.name)
        assert Note.objects.filter(pk=note_id).exists()

    def test_note_delete_of_an_already_deleted_note_changes_nothing(self, agent: User) -> None:
        conversation = ConversationFactory()
        note = note_create(actor=agent, conversation=conversation, body_html="<p>Oops</p>")
        stale = Note.objects.get(pk=note.pk)
        note_delete(actor=agent, note=note)
        note_delete(actor=agent, note=stale)
        assert ConversationEvent.objects.filter(kind=ConversationEvent.Kind.NOTE_DELETED).count() == 1


# --- views: Post New Note -----------------------------------------------------------------------


def _new_note_url(customer: Any) -> str:
    return reverse("conversations:timeline_note_create", args=[customer.pk]) + "?add=note"


class TestPostNewNote:
    def test_the_timeline_loads_the_form_when_post_new_note_is_picked(
        self, client_for: ClientFor, agent: User
    ) -> None:
        customer = CustomerFactory()
        url = reverse("conversations:customer_timeline", args=[customer.pk]) + "?add=note"
        html = client_for(agent).get(url).content.decode()
        assert 'id="post-new-note"' in html
        assert f'action="{_new_note_url(customer)}"' in html
        assert "Create note" in html

    def test_it_answers_htmx_with_the_form_alone(self, client_for: ClientFor, agent: User) -> None:
        response = client_for(agent).get(_new_note_url(CustomerFactory()), **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert html.lstrip().startswith('<form method="post"')
        assert 'id="post-new-note"' in html
        assert "Create note" in html
        assert "Assign to" in html
        assert "data-rich-editor" in html

    def test_it_shows_the_form_on_the_page_without_javascript(
        self, client_for: ClientFor, agent: User
    ) -> None:
        html = client_for(agent).get(_new_note_url(CustomerFactory())).content.decode()
        assert "<html" in html
        assert "Create note" in html

    def test_it_posts_the_note_and_opens_the_new_conversation(
        self, client_for: ClientFor, agent: User, sam: User
    ) -> None:
        customer = CustomerFactory()
        response = client_for(agent).post(
            _new_note_url(customer),
            {"body": f"<p>Ask {mention(sam)}</p>", "body_format": "html", "assigned_user": sam.pk},
        )
        note = Note.objects.get()
        assert response.status_code == 302
        assert response.url == note.conversation.get_absolute_url()
        assert (note.conversation.customer, note.conversation.status, note.assigned_user) == (
            customer,
            Status.DONE,
            sam,
        )
        assert _mentioned(sam)

    def test_it_takes_attachments(self, client_for: ClientFor, agent: User) -> None:
        client_for(agent).post(
            _new_note_url(CustomerFactory()), {"body": "See file", "attachments": [_file("call.pdf", 1000)]}
        )
        assert Note.objects.get().attachments.get().filename == "call.pdf"

    def test_it_keeps_what_was_typed_and_shows_the_error(self, client_for: ClientFor, agent: User) -> None:
        too_many = " ".join(mention(u) for u in UserFactory.create_batch(21))
        response = client_for(agent).post(
            _new_note_url(CustomerFactory()), {"body": f"<p>Keep me {too_many}</p>", "body_format": "html"}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "You can mention up to 20 users or teams in a note" in html
        assert "Keep me" in html
        assert 'name="body_format" value="html"' in html
        assert not Note.objects.exists()

    def test_it_refuses_an_oversized_attachment_with_the_error(
        self, client_for: ClientFor, agent: User
    ) -> None:
        response = client_for(agent).post(
            _new_note_url(CustomerFactory()), {"body": "Big", "attachments": [_file("big.pdf", 10 * MB)]}
        )
        assert "the most a note can carry" in response.content.decode()
        assert not Note.objects.exists()

    def test_it_is_404_for_an_outsider(self, client_for: ClientFor, outsider: User) -> None:
        assert client_for(outsider).get(_new_note_url(CustomerFactory())).status_code == 404

    def test_it_is_403_for_someone_who_cannot_add_notes(self, client_for: ClientFor) -> None:
        PermissionSetFactory(name="Viewer", capabilities=["view_all_conversations"])
        viewer = UserFactory(sets=["Viewer"])
        response = client_for(viewer).post(_new_note_url(CustomerFactory()), {"body": "Hi"})
        assert response.status_code == 403
        assert not Note.objects.exists()


# --- views: the note and its More options -------------------------------------------------------


def _edit_url(note: Note) -> str:
    return reverse("conversations:note_update", args=[note.pk])


def _delete_url(note: Note) -> str:
    return reverse("conversations:note_delete", args=[note.pk])


class TestNoteInTheFeed:
    def test_it_shows_mentions_bold_with_an_avatar_or_team_icon(
        self, client_for: ClientFor, agent: User, sam: User
    ) -> None:
        team = TeamFactory(name="Billing")
        conversation = ConversationFactory()
        note_create(
            actor=agent, conversation=conversation, body_html=f"<p>{mention(sam)} {mention(team)}</p>"
        )
        html = client_for(agent).get(conversation.get_absolute_url()).content.decode()
        assert (
            f'data-mention-type="user" data-mention-id="{sam.pk}" data-initial="S">@Sam Support</span>'
            in html
        )
        assert (
            f'data-mention-type="team" data-mention-id="{team.pk}" data-initial="B">@Billing</span>' in html
        )

    def test_it_offers_more_options_to_the_author(self, client_for: ClientFor, notes_only: User) -> None:
        conversation = ConversationFactory()
        note_create(actor=notes_only, conversation=conversation, body_html="<p>Mine</p>")
        html = client_for(notes_only).get(conversation.get_absolute_url()).content.decode()
        assert 'aria-label="More options"' in html
        assert "Edit note" in html
        assert "Delete note" in html

    def test_it_offers_more_options_to_those_who_update_conversations(
        self, client_for: ClientFor, agent: User
    ) -> None:
        note = NoteFactory()
        html = client_for(agent).get(note.conversation.get_absolute_url()).content.decode()
        assert 'aria-label="More options"' in html

    def test_it_hides_more_options_on_someone_elses_note(
        self, client_for: ClientFor, notes_only: User
    ) -> None:
        note = NoteFactory()
        html = client_for(notes_only).get(note.conversation.get_absolute_url()).content.decode()
        assert 'aria-label="More options"' not in html

    def test_it_keeps_more_options_in_the_polled_feed(self, client_for: ClientFor, agent: User) -> None:
        note = NoteFactory()
        url = reverse("conversations:conversation_feed", args=[note.conversation_id])
        assert 'aria-label="More options"' in client_for(agent).get(url, **HTMX).content.decode()


class TestEditNote:
    def test_it_answers_htmx_with_the_note_in_edit_mode(self, client_for: ClientFor, agent: User) -> None:
        note = NoteFactory(author=agent, body_html="<p>Draft</p>")
        response = client_for(agent).get(_edit_url(note), **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert html.lstrip().startswith(f'<article class="feed-item note" id="note-{note.pk}">')
        assert 'class="note-edit-form' in html
        assert "&lt;p&gt;Draft&lt;/p&gt;" in html  # the stored HTML, for the rich editor

    def test_it_shows_the_edit_form_on_the_conversation_page_without_javascript(
        self, client_for: ClientFor, agent: User
    ) -> None:
        note = NoteFactory(author=agent)
        html = client_for(agent).get(_edit_url(note)).content.decode()
        assert "<html" in html
        assert 'class="note-edit-form' in html

    def test_it_saves_and_answers_htmx_with_the_note_and_note_updated(
        self, client_for: ClientFor, agent: User
    ) -> None:
        note = NoteFactory(author=agent)
        response = client_for(agent).post(
            _edit_url(note), {"body": "<p>Fixed</p>", "body_format": "html"}, **HTMX
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert f'id="note-{note.pk}"' in html
        assert "note-edit-form" not in html
        assert "<p>Fixed</p>" in html
        assert json.loads(response["HX-Trigger"]) == {"noteUpdated": {"id": note.pk}}
        assert Note.objects.get(pk=note.pk).body_text == "Fixed"

    def test_it_redirects_to_the_note_without_javascript(self, client_for: ClientFor, agent: User) -> None:
        note = NoteFactory(author=agent)
        response = client_for(agent).post(_edit_url(note), {"body": "Fixed"})
        assert response.status_code == 302
        assert response.url == f"{note.conversation.get_absolute_url()}#note-{note.pk}"

    def test_it_keeps_the_form_and_the_error_when_the_note_is_emptied(
        self, client_for: ClientFor, agent: User
    ) -> None:
        note = NoteFactory(author=agent, body_html="<p>Keep</p>", body_text="Keep")
        response = client_for(agent).post(
            _edit_url(note), {"body": "<p> </p>", "body_format": "html"}, **HTMX
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "A note cannot be empty: delete it instead." in html
        assert 'class="note-edit-form' in html
        assert "HX-Trigger" not in response
        assert Note.objects.get(pk=note.pk).body_text == "Keep"

    def test_cancel_answers_with_the_note_as_shown(self, client_for: ClientFor, agent: User) -> None:
        note = NoteFactory(author=agent, body_html="<p>As is</p>")
        response = client_for(agent).get(reverse("conversations:note_detail", args=[note.pk]), **HTMX)
        html = response.content.decode()
        assert "<p>As is</p>" in html
        assert "note-edit-form" not in html

    def test_it_is_404_for_an_outsider(self, client_for: ClientFor, outsider: User) -> None:
        note = NoteFactory()
        assert client_for(outsider).get(_edit_url(note), **HTMX).status_code == 404
        assert client_for(outsider).post(_edit_url(note), {"body": "Mine now"}).status_code == 404

    def test_the_note_alone_is_404_for_an_outsider(self, client_for: ClientFor, outsider: User) -> None:
        url = reverse("conversations:note_detail", args=[NoteFactory().pk])
        assert client_for(outsider).get(url, **HTMX).status_code == 404

    def test_it_is_404_for_a_collaborator_not_brought_into_the_conversation(
        self, client_for: ClientFor, collaborator: User
    ) -> None:
        assert client_for(collaborator).get(_edit_url(NoteFactory()), **HTMX).status_code == 404

    def test_it_is_403_for_someone_elses_note_without_update_customers(
        self, client_for: ClientFor, notes_only: User
    ) -> None:
        note = NoteFactory(body_html="<p>Theirs</p>")
        assert client_for(notes_only).get(_edit_url(note), **HTMX).status_code == 403
        assert client_for(notes_only).post(_edit_url(note), {"body": "Changed"}).status_code == 403
        assert Note.objects.get(pk=note.pk).body_html == "<p>Theirs</p>"

    def test_the_author_may_edit_without_update_customers(
        self, client_for: ClientFor, notes_only: User
    ) -> None:
        note = NoteFactory(author=notes_only)
        response = client_for(notes_only).post(_edit_url(note), {"body": "Changed"}, **HTMX)
        assert response.status_code == 200
        assert Note.objects.get(pk=note.pk).body_text == "Changed"


class TestDeleteNote:
    def test_it_answers_htmx_with_nothing_and_note_deleted(self, client_for: ClientFor, agent: User) -> None:
        note = NoteFactory(author=agent)
        response = client_for(agent).post(_delete_url(note), **HTMX)
        assert response.status_code == 200
        assert response.content == b""
        assert json.loads(response["HX-Trigger"]) == {"noteDeleted": {"id": note.pk}}
        assert not Note.objects.filter(pk=note.pk).exists()

    def test_it_redirects_to_the_conversation_without_javascript(
        self, client_for: ClientFor, agent: User
    ) -> None:
        note = NoteFactory(author=agent)
        response = client_for(agent).post(_delete_url(note))
        assert (response.status_code, response.url) == (302, note.conversation.get_absolute_url())

    def test_it_asks_for_confirmation_first(self, client_for: ClientFor, agent: User) -> None:
        note = NoteFactory(author=agent)
        html = client_for(agent).get(note.conversation.get_absolute_url()).content.decode()
        assert 'hx-confirm="Delete this note? This cannot be undone."' in html

    def test_it_refuses_a_get(self, client_for: ClientFor, agent: User) -> None:
        note = NoteFactory(author=agent)
        assert client_for(agent).get(_delete_url(note)).status_code == 405
        assert Note.objects.filter(pk=note.pk).exists()

    def test_it_is_404_for_an_outsider(self, client_for: ClientFor, outsider: User) -> None:
        note = NoteFactory()
        assert client_for(outsider).post(_delete_url(note), **HTMX).status_code == 404
        assert Note.objects.filter(pk=note.pk).exists()

    def test_it_is_403_for_someone_elses_note_without_update_customers(
        self, client_for: ClientFor, notes_only: User
    ) -> None:
        note = NoteFactory()
        assert client_for(notes_only).post(_delete_url(note), **HTMX).status_code == 403
        assert Note.objects.filter(pk=note.pk).exists()


# --- views: mention suggestions -----------------------------------------------------------------


class TestMentionSuggest:
    URL = reverse("conversations:mention_suggest")

    def test_it_lists_matching_users_and_teams(self, client_for: ClientFor, agent: User, sam: User) -> None:
        team = TeamFactory(name="Sales")
        team.members.add(sam)
        UserFactory(display_name="Kim Billing")
        results = client_for(agent).get(self.URL, {"q": "sa"}).json()["results"]
        assert results == [
            {"type": "team", "id": team.pk, "name": "Sales", "detail": "Team · 1 member", "initial": ""},
            {
                "type": "user",
                "id": sam.pk,
                "name": "Sam Support",
                "detail": "sam@example.com",
                "initial": "S",
            },
        ]

    def test_it_matches_an_email_address(self, client_for: ClientFor, agent: User, sam: User) -> None:
        results = client_for(agent).get(self.URL, {"q": "sam@"}).json()["results"]
        assert [r["id"] for r in results] == [sam.pk]

    def test_a_collaboration_user_sees_names_without_addresses(
        self, client_for: ClientFor, collaborator: User, sam: User
    ) -> None:
        results = client_for(collaborator).get(self.URL, {"q": "sam"}).json()["results"]
        assert results == [
            {"type": "user", "id": sam.pk, "name": "Sam Support", "detail": "User", "initial": "S"}
        ]

    def test_a_collaboration_user_cannot_search_by_address(
        self, client_for: ClientFor, collaborator: User, sam: User
    ) -> None:
        assert client_for(collaborator).get(self.URL, {"q": "sam@"}).json()["results"] == []

    def test_it_leaves_out_deactivated_users(self, client_for: ClientFor, agent: User) -> None:
        UserFactory(display_name="Sally Gone", is_active=False)
        assert client_for(agent).get(self.URL, {"q": "sally"}).json()["results"] == []

    def test_it_returns_at_most_8(self, client_for: ClientFor, agent: User) -> None:
        UserFactory.create_batch(6, display_name="Sam Many")
        TeamFactory.create_batch(6)
        assert len(client_for(agent).get(self.URL, {"q": ""}).json()["results"]) == 8

    def test_it_puts_names_that_start_with_the_query_first(self, client_for: ClientFor, agent: User) -> None:
        UserFactory(display_name="Alisa Adams")
        sam = UserFactory(display_name="Sam Zed")
        results = client_for(agent).get(self.URL, {"q": "sa"}).json()["results"]
        assert results[0]["id"] == sam.pk

    def test_it_is_403_for_someone_who_cannot_add_notes(self, client_for: ClientFor, outsider: User) -> None:
        assert client_for(outsider).get(self.URL, {"q": "s"}).status_code == 403

    def test_it_sends_an_anonymous_visitor_to_sign_in(self, client: Client) -> None:
        response = client.get(self.URL, {"q": "s"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
