"""Reads for notes, mentions and notifications."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from accounts.access import require_capability
from accounts.capabilities import Capability
from accounts.models import Team, User
from conversations.models import Note, Notification
from conversations.selectors.conversations import _int, access_conversation

MENTION_SUGGESTIONS = 8


def access_note(user: User, note_id: Any, *, write: bool = False) -> Note:
    """The note, if its conversation is visible to the user (404 otherwise, as for a missing one).

    With write: PermissionDenied unless the user adds notes and wrote it or updates conversations.
    """
    note = (
        Note.objects.select_related("author", "assigned_user")
        .prefetch_related("attachments")
        .filter(pk=_int(note_id))
        .first()
    )
    if note is None:
        raise Http404
    note.conversation = access_conversation(user, note.conversation_id)
    if write:
        require_capability(user, Capability.ADD_NOTES)
        if note.author_id != user.pk and Capability.UPDATE_CUSTOMERS not in user.capabilities:
            raise PermissionDenied(
                "Only the note's author, or someone who can update conversations, can change it."
            )
    return note


def mention_candidates(
    *, query: str, limit: int = MENTION_SUGGESTIONS, with_emails: bool = True
) -> list[dict[str, Any]]:
    """Active users (by name, and by email `with_emails`) and teams (by name); names that start
    with the query first. Without `with_emails` no address is searched or shown."""
    users = User.objects.filter(is_active=True)
    teams = Team.objects.annotate(member_count=Count("members", filter=Q(members__is_active=True)))
    rank: Any = Value(1, output_field=IntegerField())
    team_rank: Any = rank
    if query:
        by_name = Q(display_name__icontains=query)
        users = users.filter(by_name | Q(email__icontains=query) if with_emails else by_name)
        teams = teams.filter(name__icontains=query)
        rank = Case(When(display_name__istartswith=query, then=0), default=1, output_field=IntegerField())
        team_rank = Case(When(name__istartswith=query, then=0), default=1, output_field=IntegerField())
    found: list[tuple[int, str, dict[str, Any]]] = []
    for user in (
        users.annotate(rank=rank)
        .order_by("rank", "display_name", "pk")
        .only("id", "display_name", "email")[:limit]
    ):
        name = user.display_name or (user.email if with_emails else f"User {user.pk}")
        entry = {
            "type": "user",
            "id": user.pk,
            "name": name,
            "detail": user.email if with_emails else "User",
            "initial": name[:1].upper(),
        }
        found.append((user.rank, name.lower(), entry))
    for team in teams.annotate(rank=team_rank).order_by("rank", "name", "pk")[:limit]:
        count = team.member_count
        detail = f"Team · {count} member{'' if count == 1 else 's'}"
        entry = {"type": "team", "id": team.pk, "name": team.name, "detail": detail, "initial": ""}
        found.append((team.rank, team.name.lower(), entry))
    found.sort(key=lambda item: (item[0], item[1]))
    return [entry for _, _, entry in found[:limit]]


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first, with what a row shows (no per-row queries)."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor", "conversation", "conversation__customer", "note")
        .order_by("-created_at", "-id")
    )
