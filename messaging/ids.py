"""Identifiers we put on outbound mail: unguessable Message-IDs and reply-address tokens.

Threading trusts a reference only when it names something we issued (or received), so
these must not be guessable: a stranger who could forge one could join a conversation.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction

from conversations.models import Conversation
from messaging.models import EmailChannel, ReplyToken

_TOKEN = re.compile(r"^[a-z0-9]{20,40}$")


def default_domain() -> str:
    _, _, domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")
    return domain.strip(" >").lower() or "localhost"


def new_message_id(domain: str | None = None) -> str:
    """<random-token@domain>: 160 random bits, so nobody can reference our mail without having it."""
    return f"<{secrets.token_hex(20)}@{domain or default_domain()}>"


def reply_token_for(conversation: Conversation) -> str:
    """The conversation's reply token, made on first use (lower case: some servers fold local parts)."""
    existing = ReplyToken.objects.filter(conversation=conversation).values_list("token", flat=True).first()
    if existing:
        return existing
    token = secrets.token_hex(16)
    try:
        with transaction.atomic():
            ReplyToken.objects.create(conversation=conversation, token=token)
    except IntegrityError:  # another worker made one first
        return ReplyToken.objects.get(conversation=conversation).token
    return token


def reply_address(channel: EmailChannel, conversation: Conversation) -> str:
    """support+<token>@example.com for this channel and conversation."""
    return f"{channel.local_part}+{reply_token_for(conversation)}@{channel.domain}"


def split_plus_address(address: str) -> tuple[str, str]:
    """("support@example.com", "token") for support+token@example.com; ("...", "") otherwise."""
    local, _, domain = address.strip().lower().rpartition("@")
    base, plus, tag = local.partition("+")
    return f"{base}@{domain}", tag if plus else ""


def conversation_for_token(token: str) -> Conversation | None:
    if not _TOKEN.match(token or ""):
        return None
    found = ReplyToken.objects.select_related("conversation").filter(token=token).first()
    return found.conversation if found else None
