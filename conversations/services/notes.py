"""Notes: internal messages on a conversation, with @mentions of users and teams."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
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
    Conversation,
    ConversationEvent,
    Note,
    Notification,
    Status,
    WorkspaceSettings,
)
from conversations.services.conversations import conversation_create, touch_activity
from conversations.services.events import lock_conversation, record_event
from conversations.services.messages import check_attachments, save_attachments
from conversations.services.notifications import notify_users
from core.sanitize import html_to_text, sanitize_editor_html
from customers.models import Customer

_MENTION = re.compile(
    r'<span class="mention" data-mention-type="(user|team)" data-mention-id="(\d+)">.*?</span>', re.DOTALL
)


class _MentionFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "span" and values.get("class") == "mention":
            kind, pk = values.get("data-mention-type"), values.get("data-mention-id") or ""
            if kind in ("user", "team") and pk.isdigit() and (kind, int(pk)) not in self.found:
                self.found.append((kind, int(pk)))


def _mentions(clean_html: str) -> tuple[list[User], list[Team], str]:
    """The users and teams a note mentions, and the HTML with each mention's name made authoritative."""
    finder = _MentionFinder()
    finder.feed(clean_html)
    if len(finder.found) > MAX_MENTIONS_PER_NOTE:
        count = len(finder.found)
        raise ValidationError(
            {"body": f"A note can mention at most {MAX_MENTIONS_PER_NOTE} users and teams; it has {count}."}
        )
    user_ids = [pk for kind, pk in finder.found if kind == "user"]
    team_ids = [pk for kind, pk in finder.found if kind == "team"]
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids, is_active=True)}
    teams = {t.pk: t for t in Team.objects.filter(pk__in=team_ids)}

    def rewrite(match: re.Match[str]) -> str:
        kind, pk = match.group(1), int(match.group(2))
        target = users.get(pk) if kind == "user" else teams.get(pk)
        if target is None:  # an unknown or inactive mention is kept as plain text
            return html.escape(html_to_text(match.group(0)))
        label = target.display_name if isinstance(target, User) else target.name
        attrs = f'class="mention" data-mention-type="{kind}" data-mention-id="{pk}"'
        return f"<span {attrs}>@{html.escape(label)}</span>"

    return list(users.values()), list(teams.values()), _MENTION.sub(rewrite, clean_html)


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
    """Post a note. Everyone mentioned, and every member of a mentioned team, is notified."""
    _require_notes(actor)
    clean = sanitize_editor_html(body_html)
    if not html_to_text(clean) and not attachments:
        raise ValidationError({"body": "Write the note before posting it."})
    check_attachments(attachments, per_file=None, total=ATTACHMENT_MAX_TOTAL)
    users, teams, clean = _mentions(clean)
    conversation = lock_conversation(conversation)
    now = timezone.now()
    note = Note.objects.create(
        conversation=conversation,
        author=actor,
        body_html=clean,
        body_text=html_to_text(clean),
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
    """Edit a note; people mentioned for the first time are notified."""
    _require_notes(actor)
    _require_own_or_update(actor, note)
    clean = sanitize_editor_html(body_html)
    if not html_to_text(clean):
        raise ValidationError({"body": "A note cannot be empty: delete it instead."})
    users, teams, clean = _mentions(clean)
    lock_conversation(note.conversation_id)
    note = Note.objects.select_for_update().get(pk=note.pk)
    before_users = set(note.mentioned_users.values_list("pk", flat=True))
    before_teams = set(note.mentioned_teams.values_list("pk", flat=True))
    before_text = note.body_text
    note.body_html, note.body_text, note.updated_at = clean, html_to_text(clean), timezone.now()
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
    _require_notes(actor)
    _require_own_or_update(actor, note)
    conversation = lock_conversation(note.conversation_id)
    record_event(
        conversation=conversation,
        actor=actor,
        kind=ConversationEvent.Kind.NOTE_DELETED,
        data={"note_id": note.pk, "author": str(note.author or "")},
    )
    note.delete()
    conversation.note_count = max(0, conversation.note_count - 1)
    conversation.save(update_fields=["note_count"])
