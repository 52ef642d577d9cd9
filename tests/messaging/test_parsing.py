"""The parser on the .eml corpus: no database, no exceptions, sensible text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from messaging.html import body_html
from messaging.parsing import decode_bytes, is_auto_generated, parse_email, parse_message
from tests.messaging.conftest import FIXTURES, build, eml


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.eml")), ids=lambda p: p.name)
def test_it_parses_every_fixture_without_raising(path: Path) -> None:
    parse_email(path.read_bytes())


def test_it_decodes_rfc2047_headers() -> None:
    parsed = parse_email(eml("plain.eml"))
    assert parsed.from_name == "Jane Döe"
    assert parsed.subject == "Where is my order — #10480?"
    assert "Grüße" in parsed.text


def test_it_prefers_the_html_alternative_and_keeps_the_text() -> None:
    parsed = parse_email(eml("alternative.eml"))
    assert "<b>HTML</b>" in parsed.html
    assert parsed.text.startswith("Hi, the plain text version.")


def test_it_finds_inline_images_and_attachments_in_nested_multiparts() -> None:
    parsed = parse_email(eml("related_inline.eml"))
    assert [(a.filename, a.content_type, a.content_id) for a in parsed.attachments] == [
        ("screenshot.png", "image/png", "shot-1@customer.example"),
        ("Rechnung März.pdf", "application/pdf", ""),
    ]
    assert parsed.attachments[1].data.startswith(b"%PDF")


def test_it_decodes_undeclared_8bit_latin1() -> None:
    parsed = parse_email(eml("latin1_undeclared.eml"))
    assert parsed.subject == "Café crème"
    assert parsed.text.strip() == "J'ai commandé un café crème – il est froid."


def test_it_falls_back_from_an_unknown_charset() -> None:
    assert parse_email(eml("unknown_charset.eml")).text.strip() == "Naïve café text in UTF-8."


def test_it_reads_utf8_declared_as_ascii() -> None:
    assert parse_email(eml("wrong_charset.eml")).text.strip() == "¡Hola! 日本語 and ü."


def test_decode_bytes_never_raises() -> None:
    assert decode_bytes(b"\xff\xfe\x00abc", "no-such-charset") == "ÿþabc"
    assert decode_bytes(b"caf\xc3\xa9", None) == "café"


def test_it_drops_noise_from_broken_base64_and_survives_broken_mime() -> None:
    parsed = parse_email(eml("malformed_mime.eml"))
    assert parsed.from_address == "hal@customer.example"
    assert parsed.text == ""
    assert "unterminated html" in parsed.html
    assert parsed.date is None


def test_it_bounds_nesting() -> None:
    parsed = parse_email(eml("nested_deep.eml"))
    assert parsed.text == "" and parsed.attachments == []


def test_it_reads_threading_headers() -> None:
    parsed = parse_email(eml("quoted_plain.eml"))
    assert parsed.message_id == "<plain-2@customer.example>"
    assert parsed.referenced_ids == ["<outbound-abc123@acme.example>", "<plain-1@customer.example>"]


def test_it_reads_a_delivery_status_notification() -> None:
    report = parse_email(eml("dsn.eml")).report
    assert report is not None
    assert report.original_message_id == "<outbound-abc123@acme.example>"
    assert report.is_failure
    assert report.status == "5.1.1"
    assert "User unknown" in report.reason


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated; owner-email=x@y.example"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "list"},
        {"Precedence": "auto_reply"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "yes"},
        {"X-Auto-Response-Suppress": "All"},
        {"List-Id": "<news.customer.example>"},
        {"Return-Path": "<>"},
    ],
)
def test_it_flags_automatic_mail(headers: dict[str, str]) -> None:
    assert is_auto_generated(parse_message(build(headers=headers)))


def test_it_does_not_flag_a_person() -> None:
    assert not is_auto_generated(parse_message(build(headers={"Auto-Submitted": "no"})))
    assert is_auto_generated(parse_message(build()), envelope_from="<>")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000))
def test_it_never_raises_on_arbitrary_bytes(raw: bytes) -> None:
    parse_email(raw)


_FRAGMENTS = [
    b"From: a@b.example\n",
    b"Content-Type: multipart/mixed; boundary=X\n",
    b"Content-Type: text/html; charset=x-unknown\n",
    b"Content-Transfer-Encoding: base64\n",
    b"Content-Transfer-Encoding: quoted-printable\n",
    b"Content-Disposition: attachment; filename*=utf-8''%FF%FE.pdf\n",
    b"Subject: =?utf-8?B?////?= =?bogus?Q?x?=\n",
    b"\n",
    b"--X\n",
    b"--X--\n",
    b"<p onclick=x>hi<script>alert(1)</script><img src=cid:a>\n",
    b"=E9=\n",
    b"\xff\xfe\x00\n",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=40))
def test_mime_shaped_garbage_parses_and_renders_safely(fragments: list[bytes]) -> None:
    parsed = parse_email(b"".join(fragments))
    html = body_html(html_part=parsed.html, text_part=parsed.text, cid_urls={})
    assert "<script" not in html
    assert not re.search(r"<[^>]*\sonclick", html)
    assert "\x00" not in parsed.text
