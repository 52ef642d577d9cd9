"""The SMTP receiver (aiosmtpd): any mail server can relay customer mail to it.

RCPT TO chooses the channel (support+token@example.com belongs to support@example.com); an
address that is not an active channel is refused with 550 before any data is sent. DATA is
stored (`inbound_store`) before 250 is answered, so an accepted message is never lost; a
storage failure answers 451 and the sending server tries again later.
"""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.db import close_old_connections, connections

from messaging import conf, services
from messaging.models import InboundEmail

logger = logging.getLogger(__name__)


def _channel_exists(address: str) -> bool:
    close_old_connections()
    try:
        return services.email_channel_for_address(address) is not None
    finally:
        # The receiver's worker thread lives as long as the server: hold no connection idle.
        connections.close_all()


def _store(raw: bytes, mail_from: str, rcpt_tos: list[str]) -> list[int]:
    close_old_connections()
    try:
        return _store_for_channels(raw, mail_from, rcpt_tos)
    finally:
        connections.close_all()


def _store_for_channels(raw: bytes, mail_from: str, rcpt_tos: list[str]) -> list[int]:
    stored: list[int] = []
    seen: set[int] = set()
    for rcpt in rcpt_tos:
        channel = services.email_channel_for_address(rcpt)
        if channel is None or channel.pk in seen:
            continue
        seen.add(channel.pk)
        inbound = services.inbound_store(
            channel=channel,
            raw=raw,
            source=InboundEmail.Source.SMTP,
            envelope_from=mail_from or "<>",
            envelope_to=rcpt,
        )
        stored.append(inbound.pk)
    return stored


class InboundHandler:
    async def handle_RCPT(  # noqa: N802 (aiosmtpd's name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not await sync_to_async(_channel_exists)(address):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            await sync_to_async(_store)(bytes(raw), envelope.mail_from or "", list(envelope.rcpt_tos))
        except Exception:
            logger.exception("Could not store an inbound SMTP message")
            return "451 4.3.0 Could not store the message; try again later"
        return "250 2.0.0 Message accepted for delivery"


def make_controller(host: str = "127.0.0.1", port: int = 2525) -> Controller:
    return Controller(
        InboundHandler(),
        hostname=host,
        port=port,
        data_size_limit=conf.store_max_bytes(),
        enable_SMTPUTF8=True,
        decode_data=False,
    )
