"""Turn raw RFC 5322 bytes into what a conversation needs, without ever raising on bad input.

Built on the standard library's `email` package with `policy.default`, hardened: every
header read is guarded (a malformed header yields "" rather than an exception), bodies are
decoded with the declared charset, then UTF-8, then cp1252, then Latin-1 (which cannot
fail), MIME nesting and part counts are bounded, and NUL characters (which PostgreSQL text
cannot hold) are removed.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime
import email.utils
import os
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser, HeaderParser
from typing import Any, cast

MAX_DEPTH = 20
MAX_PARTS = 500
MAX_REFERENCES = 100

_MSGID = re.compile(r"<[^<>\s]{1,990}>")
# Charsets that say little: bytes that decode as UTF-8 almost certainly are UTF-8.
_WEAK_CHARSETS = {"us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252"}


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class DeliveryReport:
    """The parts of an RFC 3464 delivery status notification that matter to us."""

    original_message_id: str
    action: str
    status: str
    diagnostic: str
    recipient: str

    @property
    def is_failure(self) -> bool:
        return self.action == "failed" or self.status.startswith("5")

    @property
    def reason(self) -> str:
        parts = [p for p in (self.status, self.diagnostic) if p]
        text = " ".join(parts) or "The receiving server refused the message."
        return f"Bounced for {self.recipient}: {text}" if self.recipient else f"Bounced: {text}"


@dataclass
class ParsedEmail:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    from_name: str = ""
    from_address: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)
    subject: str = ""
    date: datetime.datetime | None = None
    text: str = ""
    html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    auto_reason: str = ""
    report: DeliveryReport | None = None

    @property
    def referenced_ids(self) -> list[str]:
        """In-Reply-To first, then References from the most recent backwards."""
        seen: list[str] = []
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            if mid not in seen:
                seen.append(mid)
        return seen[:MAX_REFERENCES]


def parse_message(raw: bytes) -> EmailMessage:
    # policy.default's message_factory makes EmailMessage objects.
    return cast(EmailMessage, BytesParser(policy=policy.default).parsebytes(raw))


def parse_headers(head: bytes) -> EmailMessage:
    return cast(EmailMessage, BytesParser(policy=policy.default).parsebytes(head, headersonly=True))


def clean_text(value: str) -> str:
    """Undo surrogate escapes left by 8-bit headers and drop NULs."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        value = decode_bytes(value.encode("utf-8", "surrogateescape"), None)
    return value.replace("\x00", "")


def decode_bytes(data: bytes, declared: str | None) -> str:
    """Declared charset, then UTF-8, then cp1252, then Latin-1: never raises."""
    declared = (declared or "").strip().strip("\"'").lower()
    if not declared or declared in _WEAK_CHARSETS:
        candidates = ["utf-8", declared, "cp1252"]
    else:
        candidates = [declared, "utf-8", "cp1252"]
    for name in candidates:
        if not name:
            continue
        try:
            codecs.lookup(name)
            return data.decode(name).replace("\x00", "")
        except (LookupError, UnicodeError, ValueError, TypeError):
            continue
    return data.decode("latin-1").replace("\x00", "")


def header(message: Any, name: str) -> str:
    try:
        if name not in message:  # cheap: parsing a header with policy.default is not
            return ""
        value = message.get(name)
        text = "" if value is None else str(value)
    except Exception:  # a malformed header must not stop the message
        text = _raw_header(message, name)
    if "\ufffd" in text:  # undeclared 8-bit bytes: decode them ourselves
        text = _raw_header(message, name) or text
    return " ".join(clean_text(text).split())


def _raw_header(message: Any, name: str) -> str:
    """The header as it came (8-bit bytes decoded like bodies, RFC 2047 words decoded), or ""."""
    for key, value in getattr(message, "_headers", []):
        if key.lower() != name.lower():
            continue
        raw = clean_text(value if isinstance(value, str) else str(value))
        if "=?" in raw:
            with contextlib.suppress(Exception):  # broken encoded words stay as they came
                raw = str(make_header(decode_header(raw)))
        return raw
    return ""


def addresses(message: Any, name: str) -> list[tuple[str, str]]:
    """[(display name, address)] of an address header; never raises."""
    found: list[tuple[str, str]] = []
    try:
        for value in message.get_all(name) or []:
            for addr in getattr(value, "addresses", ()):
                found.append((clean_text(addr.display_name or ""), clean_text(addr.addr_spec or "")))
    except Exception:
        found = []
    if any("\ufffd" in display for display, _ in found):
        found = []  # 8-bit bytes in the header: parse the raw value below
    if not found:
        raw = header(message, name) or _raw_header(message, name)
        found = [(n, a) for n, a in email.utils.getaddresses([raw]) if a]
    return [(" ".join(n.split()), a.strip().strip("<>")) for n, a in found if "@" in a]


def message_ids(value: str) -> list[str]:
    return _MSGID.findall(value or "")[:MAX_REFERENCES]


def normalise_message_id(value: str) -> str:
    ids = message_ids(value)
    if ids:
        return ids[0]
    value = "".join((value or "").split())
    return f"<{value}>" if value and len(value) < 990 else ""


def _date(message: Any) -> datetime.datetime | None:
    try:
        value = message.get("Date")
        moment = getattr(value, "datetime", None)
    except Exception:
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment if isinstance(moment, datetime.datetime) else None


_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoresponder")


def auto_generated_reason(message: Any, *, envelope_from: str | None = None) -> str:
    """Why a message is automatic (an auto-reply, a bounce, bulk or list mail), or "".

    `envelope_from` is the SMTP MAIL FROM when known, "<>" for the null sender.

    Nothing automatic is ever sent back to such a message: that is how mail loops start.
    """
    auto = header(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = header(message, "Precedence").lower()
    if precedence in {"bulk", "junk", "auto_reply", "list"}:
        return f"Precedence: {precedence}"
    for name in _AUTO_HEADERS:
        if header(message, name):
            return f"{name} header"
    suppress = header(message, "X-Auto-Response-Suppress")
    if suppress and suppress.lower() != "none":
        return f"X-Auto-Response-Suppress: {suppress}"
    if header(message, "List-Id") or header(message, "List-Unsubscribe"):
        return "Mailing list"
    if content_type_of(message) == "multipart/report":
        return "Delivery report"
    return_path = header(message, "Return-Path")
    if envelope_from == "<>" or return_path.replace(" ", "") == "<>":
        return "Null sender (a bounce or an automatic notice)"
    sender = header(message, "From").lower()
    if "mailer-daemon@" in sender or "postmaster@" in sender:
        return "Sent by a mail server"
    return ""


def is_auto_generated(message: Any, *, envelope_from: str | None = None) -> bool:
    return bool(auto_generated_reason(message, envelope_from=envelope_from))


def content_type_of(part: Any) -> str:
    try:
        return str(part.get_content_type()).lower()
    except Exception:
        return "application/octet-stream"


def _disposition(part: Any) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


def _filename(part: Any, content_type: str, index: int) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    name = clean_text(str(name))
    name = os.path.basename(name.replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")[:200]
    if not name:
        ext = {
            "image/png": ".png",
            "image/jpeg": ".jpg",
            "image/gif": ".gif",
            "application/pdf": ".pdf",
            "message/rfc822": ".eml",
            "text/calendar": ".ics",
            "text/plain": ".txt",
            "text/html": ".html",
        }.get(content_type, "")
        name = f"attachment-{index}{ext}"
    return name


def _payload_bytes(part: Any) -> bytes:
    try:
        if part.is_multipart() or content_type_of(part) == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                return bytes(inner[0].as_bytes(policy=policy.SMTP))
            return b""
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""


def _text_of(part: Any) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    data = _payload_bytes(part)
    if any("Base64" in type(defect).__name__ for defect in getattr(part, "defects", [])):
        return ""  # what decodes from broken base64 is noise
    text = decode_bytes(data, charset)
    return "" if _looks_binary(text) else text


def _looks_binary(text: str) -> bool:
    """Garbage from a broken transfer encoding: better no text than a screen of noise."""
    sample = text[:2000]
    if not sample:
        return False
    odd = sum(1 for ch in sample if not (ch.isprintable() or ch in "\r\n\t"))
    return odd > len(sample) * 0.1


class _Walker:
    def __init__(self, parsed: ParsedEmail) -> None:
        self.parsed = parsed
        self.parts = 0

    def walk(self, part: Any, depth: int = 0) -> None:
        self.parts += 1
        if depth > MAX_DEPTH or self.parts > MAX_PARTS:
            return
        content_type = content_type_of(part)
        disposition = _disposition(part)
        if content_type.startswith("multipart/"):
            try:
                children = [c for c in part.get_payload() if hasattr(c, "get_content_type")]
            except Exception:
                children = []
            if content_type == "multipart/alternative":
                self._alternative(children, depth)
            else:
                for child in children:
                    self.walk(child, depth + 1)
            return
        has_name = False
        try:
            has_name = bool(part.get_filename())
        except Exception:
            has_name = True
        if content_type in {"text/plain", "text/html"} and disposition != "attachment" and not has_name:
            text = _text_of(part)
            if content_type == "text/plain":
                self.parsed.text = f"{self.parsed.text}\n\n{text}" if self.parsed.text else text
            else:
                self.parsed.html = f"{self.parsed.html}<hr>{text}" if self.parsed.html else text
            return
        self._attachment(part, content_type, disposition)

    def _alternative(self, children: list[Any], depth: int) -> None:
        """The richest HTML alternative shows; the last plain text one is kept as text."""
        html_child = None
        text_child = None
        for child in children:
            kind = content_type_of(child)
            if kind == "text/plain":
                text_child = child
            elif kind == "text/html" or kind.startswith("multipart/"):
                html_child = child
        if text_child is not None:
            text = _text_of(text_child)
            self.parsed.text = f"{self.parsed.text}\n\n{text}" if self.parsed.text else text
        if html_child is not None:
            if content_type_of(html_child) == "text/html":
                html = _text_of(html_child)
                self.parsed.html = f"{self.parsed.html}<hr>{html}" if self.parsed.html else html
            else:
                saved_text = self.parsed.text
                self.walk(html_child, depth + 1)
                self.parsed.text = saved_text or self.parsed.text

    def _attachment(self, part: Any, content_type: str, disposition: str) -> None:
        content_id = header(part, "Content-ID").strip().strip("<>")
        self.parsed.attachments.append(
            ParsedAttachment(
                filename=_filename(part, content_type, len(self.parsed.attachments) + 1),
                content_type=content_type[:255],
                data=_payload_bytes(part),
                content_id=content_id[:255],
                inline=disposition == "inline" or bool(content_id),
            )
        )


def _delivery_report(message: Any) -> DeliveryReport | None:
    try:
        if content_type_of(message) != "multipart/report":
            return None
        if (message.get_param("report-type") or "").lower() != "delivery-status":
            return None
        parts = list(message.walk())
    except Exception:
        return None
    action = status = diagnostic = recipient = original = ""
    for part in parts[:MAX_PARTS]:
        kind = content_type_of(part)
        if kind == "message/delivery-status":
            blocks = _status_blocks(part)
            recipients = [b for b in blocks[1:] if b.get("action") or b.get("status")] or blocks[1:]
            chosen = next((b for b in recipients if b.get("action") == "failed"), None)
            chosen = chosen or (recipients[0] if recipients else {})
            action = chosen.get("action", "")
            status = chosen.get("status", "")
            diagnostic = chosen.get("diagnostic-code", "")
            recipient = chosen.get("final-recipient", "").split(";")[-1].strip()
        elif kind in {"message/rfc822", "text/rfc822-headers", "message/rfc822-headers"} and not original:
            original = _original_message_id(part, kind)
    return DeliveryReport(
        original_message_id=original,
        action=action.lower(),
        status=status,
        diagnostic=diagnostic[:400],
        recipient=recipient[:320],
    )


def _status_blocks(part: Any) -> list[dict[str, str]]:
    """message/delivery-status: a per-message block, then one block per recipient."""
    blocks: list[dict[str, str]] = []
    try:
        payload = part.get_payload()
    except Exception:
        return blocks
    if isinstance(payload, list):
        for block in payload:
            blocks.append({k.lower(): header(block, k) for k in block})
        return blocks
    text = payload if isinstance(payload, str) else ""
    for chunk in re.split(r"\r?\n\s*\r?\n", text):
        parsed = HeaderParser(policy=policy.default).parsestr(chunk, headersonly=True)
        blocks.append({k.lower(): header(parsed, k) for k in parsed})
    return blocks


def _original_message_id(part: Any, kind: str) -> str:
    try:
        payload = part.get_payload()
        if isinstance(payload, list) and payload:
            return normalise_message_id(header(payload[0], "Message-ID"))
        text = payload if isinstance(payload, str) else _text_of(part)
        headers = HeaderParser(policy=policy.default).parsestr(text, headersonly=True)
        return normalise_message_id(header(headers, "Message-ID"))
    except Exception:
        return ""


def parse_email(raw: bytes, *, envelope_from: str | None = None) -> ParsedEmail:
    """Everything we use from a message. Raises only on input the parser cannot read at all."""
    message = parse_message(raw)
    parsed = ParsedEmail()
    parsed.message_id = normalise_message_id(header(message, "Message-ID"))
    parsed.in_reply_to = message_ids(header(message, "In-Reply-To"))
    parsed.references = message_ids(header(message, "References"))
    senders = addresses(message, "From") or addresses(message, "Sender") or addresses(message, "Reply-To")
    if senders:
        parsed.from_name, parsed.from_address = senders[0]
        if parsed.from_name.lower() == parsed.from_address.lower():
            parsed.from_name = ""
    parsed.to = [a for _, a in addresses(message, "To")][:100]
    parsed.cc = [a for _, a in addresses(message, "Cc")][:100]
    for name in ("Delivered-To", "X-Original-To", "Envelope-To"):
        parsed.delivered_to += [a for _, a in addresses(message, name)]
    parsed.subject = header(message, "Subject")[:998]
    parsed.date = _date(message)
    parsed.auto_reason = auto_generated_reason(message, envelope_from=envelope_from)
    parsed.report = _delivery_report(message)
    if parsed.report is None:
        _Walker(parsed).walk(message)
    return parsed
