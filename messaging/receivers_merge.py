"""A merge moves what messaging keeps for the merged-away conversation to the result, inside
the merge's transaction: its reply-address tokens (mail to either address keeps threading)
and its forwards (the record of who forwarded what)."""

from __future__ import annotations

from typing import Any

from conversations.signals import conversation_merged
from messaging.models import ReplyToken
from messaging.models_forward import ConversationForward


def move_to_result(*, source_id: int, target_id: int, **_: Any) -> None:
    ReplyToken.objects.filter(conversation_id=source_id).update(conversation_id=target_id)
    ConversationForward.objects.filter(conversation_id=source_id).update(conversation_id=target_id)


def connect() -> None:
    conversation_merged.connect(move_to_result, dispatch_uid="messaging.move_to_result")
