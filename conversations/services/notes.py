"""Notes: internal messages on a conversation, with @mentions of users and teams."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from html.parser import HTMLParser

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.capabilities import Capability
from accounts.models import Team, User
from conversations.models import (
    ATTACHMENT_MAX_TOTAL,
    MAX_MENTIONS_PER_NOTE,
    Attachment,
    Conversation,
    ConversationEvent,
    Note,
    Notification,
    Status,
    WorkspaceSettings,
)
from conversations.services.conversations import conversation_create, touch_activity
from conversations.services.events import lock_conversation, record_event
from conversations.services.messages import save_attachments
from conversations.services.notifications import notify_users
from core.files import delete_files_on_commit
from core.sanitize import html_to_text, sanitize_editor_html
from customers.models import Customer


class _MentionParser(HTMLParser):
    """Walks sanitised editor HTML; finds mention spans and, given a renderer, rewrites them.

    A mention is any span whose classes include ``mention``, whatever the order of its
    attributes: the editor builds them, but a hand-made request could build them differently,
    and a span that looks like a mention must either be a real one or plain text.
    """

    def __init__(self, render: Callable[[str, int, str], str | None] | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.render = render
        self.found: list[tuple[str, int]] = []
        self.out: list[str] = []
        self._mention: tuple[str, int] | None = None
        self._depth = 0  # spans open inside the current mention
        self._text: list[str] = []

    @staticmethod
    def _target(attrs: list[tuple[str, str | None]]) -> tuple[str, int] | None:
        values = dict(attrs)
        kind, pk = values.get("data-mention-type") or "", values.get("data-mention-id") or ""
        if kind in ("user", "team") and pk.isdigit():
            return kind, int(pk)
        return None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth:
            self._depth += tag == "span"
            return
        classes = (dict(attrs).get("class") or "").split()
        if tag == "span" and "mention" in classes:
            target = self._target(attrs)
            self._mention, self._depth, self._text = target or ("", 0), 1, []
            if target is not None and target not in self.found:
                self.found.append(target)
            return
        self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._depth:
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= tag == "span"
            if not self._depth:
                kind, pk = self._mention or ("", 0)
                text = "".join(self._text)
                rendered = self.render(kind, pk, text) if self.render and kind else None
                self.out.append(rendered if rendered is not None else _escape(text))
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._text.append(data)
        else:
            self.out.append(_escape(data))


def _escape(text: str) -> str:
    return html.escape(text, quote=False).replace("\xa0", "&nbsp;")


def _mentions(clean_html: str) -> tuple[list[User], list[Team], str]:
    """The users and teams a note mentions, and the HTML with each mention's name made authoritative.

    An unknown or inactive user, or a missing team, is kept as the plain text that was typed.
    """
    finder = _MentionParser()
    finder.feed(clean_html)
    finder.close()
    if len(finder.found) > MAX_MENTIONS_PER_NOTE:
        raise ValidationError(
            {
                "body": f"You can mention up to {MAX_MENTIONS_PER_NOTE} users or teams in a note; "
                f"this note mentions {len(finder.found)}."
            }
        )
    user_ids = [pk for kind, pk in finder.found if kind == "user"]
    team_ids = [pk for kind, pk in finder.found if kind == "team"]
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids, is_active=True)}
    teams = {t.pk: t for t in Team.objects.filter(pk__in=team_ids)}

    def render(kind: str, pk: int, typed: str) -> str | None:
        target = users.get(pk) if kind == "user" else teams.get(pk)
        if target is None:
            return None
        label = target.display_name if isinstance(target, User) else target.name
        return mention_html(kind=kind, pk=pk, label=label)

    writer = _MentionParser(render)
    writer.feed(clean_html)
    writer.close()
    # Keep the order in which the note names them (the event lists them so).
    ordered_users = [users[pk] for pk in user_ids if pk in users]
    ordered_teams = [teams[pk] for pk in team_ids if pk in teams]
    return ordered_users, ordered_teams, "".join(writer.out)


def mention_html(*, kind: str, pk: int, label: str) -> str:
    """The one stored form of a mention. data-initial feeds the avatar the stylesheet draws."""
    initial = html.escape((label.strip()[:1] or "?").upper())
    return (
        f'<span class="mention" data-mention-type="{kind}" data-mention-id="{pk}" '
        f'data-initial="{initial}">@{html.escape(label)}</span>'
    )


def _text(clean_html: str) -> str:
    # The editor keeps the space after a mention as a no-break space; plain text wants a space.
    return html_to_text(clean_html).replace("\xa0", " ")


def _check_note_attachments(files: Sequence[UploadedFile]) -> None:
    """The seed: "The size limit for a note attachment is 9.5MB" (all files of a note together)."""
    if sum(f.size or 0 for f in files) > ATTACHMENT_MAX_TOTAL:
        raise ValidationError(
            {"attachments": "The attachments add up to more than 9.5 MB, the most a note can carry."}
        )


def _require_notes(actor: User) -> None:
    if Capability.ADD_NOTES not in actor.capabilities:
        raise PermissionDenied("This needs the “Add notes” permission.")


def _notify_mentions(*, actor: User, note: Note, users: list[User], teams: list[Team]) -> None:
    ids = {u.pk for u in users}
    ids |= set(User.objects.filter(teams__in=teams, is_active=True).values_list("pk", flat=True))
    notify_users(
        kind=Notification.Kind.MENTION,
        actor=actor,
        conversation=note.conversation,
        user_ids=ids,
        note=note,
        text=f"{actor} mentioned you in “{note.conversation.display_name}”",
    )


@transaction.atomic
def note_create(
    *,
    actor: User,
    conversation: Conversation,
    body_html: str,
    assigned_user: User | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Note:
    """Post a note. Everyone mentioned, and every member of a mentioned team, is notified.

    Locks the conversation while its note count and activity change.
    """
    _require_notes(actor)
    if assigned_user is not None and not assigned_user.is_active:
        raise ValidationError({"assigned_user": "Choose an active user to assign the note to."})
    clean = sanitize_editor_html(body_html)
    if not _text(clean).strip() and not attachments:
        raise ValidationError({"body": "Write the note before posting it."})
    _check_note_attachments(attachments)
    users, teams, clean = _mentions(clean)
    conversation = lock_conversation(conversation)
    now = timezone.now()
    note = Note.objects.create(
        conversation=conversation,
        author=actor,
        body_html=clean,
        body_text=_text(clean),
        assigned_user=assigned_user,
        created_at=now,
        updated_at=now,
    )
    note.mentioned_users.set(users)
    note.mentioned_teams.set(teams)
    save_attachments(attachments, uploaded_by=actor, note=note)
    conversation.note_count += 1
    if conversation.is_note and not conversation.preview:
        conversation.preview = note.body_text[:255]
    conversation.save(update_fields=["note_count", "preview"])
    touch_activity(conversation=conversation, at=now, channel=None, direction=None)
    record_event(
        conversation=conversation,
        actor=actor,
        kind=ConversationEvent.Kind.NOTE,
        data={"note_id": note.pk, "mentions": [u.display_name for u in users] + [t.name for t in teams]},
    )
    _notify_mentions(actor=actor, note=note, users=users, teams=teams)
    if assigned_user is not None and assigned_user.pk != actor.pk:
        notify_users(
            kind=Notification.Kind.NOTE_ASSIGNED,
            actor=actor,
            conversation=conversation,
            user_ids=[assigned_user.pk],
            note=note,
            text=f"{actor} assigned a note to you in “{conversation.display_name}”",
        )
    return note


@transaction.atomic
def timeline_note_create(
    *,
    actor: User,
    customer: Customer,
    body_html: str,
    assigned_user: User | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Note:
    """Post New Note on the timeline: a note conversation, Done by default (Open when the
    workspace's "Set Notes as Done by Default" is off)."""
    _require_notes(actor)
    status = Status.DONE if WorkspaceSettings.load().notes_done_by_default else Status.OPEN
    conversation = conversation_create(actor=actor, customer=customer, status=status, is_note=True)
    return note_create(
        actor=actor,
        conversation=conversation,
        body_html=body_html,
        assigned_user=assigned_user,
        attachments=attachments,
    )


def _require_own_or_update(actor: User, note: Note) -> None:
    if note.author_id != actor.pk and Capability.UPDATE_CUSTOMERS not in actor.capabilities:
        raise PermissionDenied(
            "Only the note's author, or someone who can update conversations, can change it."
        )


@transaction.atomic
def note_update(*, actor: User, note: Note, body_html: str) -> Note:
    """Edit a note; people mentioned for the first time are notified, nobody twice.

    Locks the conversation, then the note (the fixed order: conversation before its children).
    """
    _require_notes(actor)
    _require_own_or_update(actor, note)
    clean = sanitize_editor_html(body_html)
    if not _text(clean).strip():
        raise ValidationError({"body": "A note cannot be empty: delete it instead."})
    users, teams, clean = _mentions(clean)
    lock_conversation(note.conversation_id)
    note = Note.objects.select_for_update().get(pk=note.pk)
    before_users = set(note.mentioned_users.values_list("pk", flat=True))
    before_teams = set(note.mentioned_teams.values_list("pk", flat=True))
    before_text = note.body_text
    note.body_html, note.body_text, note.updated_at = clean, _text(clean), timezone.now()
    note.save(update_fields=["body_html", "body_text", "updated_at"])
    note.mentioned_users.set(users)
    note.mentioned_teams.set(teams)
    record_event(
        conversation=note.conversation,
        actor=actor,
        kind=ConversationEvent.Kind.NOTE_UPDATED,
        data={"note_id": note.pk, "before": before_text[:500], "after": note.body_text[:500]},
    )
    _notify_mentions(
        actor=actor,
        note=note,
        users=[u for u in users if u.pk not in before_users],
        teams=[t for t in teams if t.pk not in before_teams],
    )
    return note


@transaction.atomic
def note_delete(*, actor: User, note: Note) -> None:
    """Delete a note and its attachments; the conversation keeps a "Note deleted" event.

    Locks the conversation so the note count stays right under concurrent deletes.
    """
    _require_notes(actor)
    _require_own_or_update(actor, note)
    conversation = lock_conversation(note.conversation_id)
    if not Note.objects.filter(pk=note.pk).exists():
        return  # a concurrent delete won; counting it twice would skew note_count
    record_event(
        conversation=conversation,
        actor=actor,
        kind=ConversationEvent.Kind.NOTE_DELETED,
        data={"note_id": note.pk, "author": str(note.author or "")},
    )
    files = [attachment.file.name for attachment in note.attachments.all()]
    note.delete()
    delete_files_on_commit(Attachment._meta.get_field("file").storage, files)
    conversation.note_count = max(0, conversation.note_count - 1)
    conversation.save(update_fields=["note_count"])
