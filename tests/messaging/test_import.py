"""manage.py import_mail: .eml files, directories and streamed .mbox archives."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from conversations.models import Conversation, Message
from messaging import services
from messaging.mbox import iter_mbox
from messaging.models import EmailChannel, InboundEmail
from tests.messaging.conftest import FIXTURES, build, eml

pytestmark = pytest.mark.django_db


def _mbox(*messages: bytes) -> bytes:
    out = b""
    for raw in messages:
        body = b"\n".join(b">" + line if line.startswith(b"From ") else line for line in raw.split(b"\n"))
        out += b"From sender@customer.example Mon Nov 16 09:00:00 2026\n" + body.rstrip(b"\n") + b"\n\n"
    return out


def test_it_imports_an_eml_file_and_processes_it_now(channel: EmailChannel, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import_mail", str(FIXTURES / "plain.eml"), "--now", stdout=out)
    inbound = InboundEmail.objects.get()
    assert (inbound.source, inbound.status) == ("import", "processed")
    assert "1 processed" in out.getvalue()


def test_it_imports_a_directory_and_one_bad_message_does_not_stop_the_rest(channel: EmailChannel) -> None:
    out = io.StringIO()
    call_command("import_mail", str(FIXTURES), "--now", "--channel", channel.address, stdout=out)
    statuses = dict(InboundEmail.objects.values_list("message_id_header", "status"))
    assert statuses["<no-from-1@customer.example>"] == "failed"
    assert statuses["<plain-1@customer.example>"] == "processed"
    assert statuses["<related-1@customer.example>"] == "processed"
    assert InboundEmail.objects.count() == len(list(FIXTURES.glob("*.eml")))


def test_it_streams_an_mbox_and_unescapes_from_lines(channel: EmailChannel, tmp_path: Path) -> None:
    archive = tmp_path / "archive.mbox"
    archive.write_bytes(
        _mbox(
            build(message_id="<a@customer.example>", body="First.\nFrom here on, quoted.\n"),
            eml("no_from.eml"),
            build(message_id="<b@customer.example>", sender="Bo <bo@customer.example>"),
        )
    )
    call_command("import_mail", str(archive), "--now", stdout=io.StringIO())
    assert list(InboundEmail.objects.order_by("id").values_list("status", flat=True)) == [
        "processed",
        "failed",
        "processed",
    ]
    first = Message.objects.get(external_id="<a@customer.example>")
    assert "From here on, quoted." in first.body_text


def test_the_mbox_reader_keeps_one_message_at_a_time() -> None:
    data = _mbox(*(build(message_id=f"<m{i}@x.example>") for i in range(3)))
    messages = list(iter_mbox(io.BytesIO(data), name="t", max_bytes=10_000))
    assert [m.origin for m in messages] == ["t #1", "t #2", "t #3"]
    assert all(m.data and m.data.startswith(b"From: ") for m in messages)
    huge = list(iter_mbox(io.BytesIO(data), name="t", max_bytes=100))
    assert [m.data for m in huge] == [None, None, None]


def test_it_queues_to_the_worker_without_now(
    channel: EmailChannel, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_mail", str(FIXTURES / "plain.eml"), stdout=io.StringIO())
    assert InboundEmail.objects.get().status == "processed"


def test_it_needs_a_channel_when_there_are_several(channel: EmailChannel) -> None:
    EmailChannel.objects.create(address="other@acme.example", secret_prefix="x", secret_hash="0")
    with pytest.raises(CommandError, match="--channel"):
        call_command("import_mail", str(FIXTURES / "plain.eml"))


def test_it_refuses_an_unknown_channel(channel: EmailChannel) -> None:
    with pytest.raises(CommandError, match="No active inbound address"):
        call_command("import_mail", str(FIXTURES / "plain.eml"), "--channel", "nobody@acme.example")


def test_imported_mail_keeps_its_date(channel: EmailChannel) -> None:
    call_command("import_mail", str(FIXTURES / "plain.eml"), "--now", stdout=io.StringIO())
    assert Message.objects.get().created_at.isoformat() == "2026-11-16T08:15:00+00:00"


@pytest.mark.django_db(transaction=True)
def test_it_processes_in_worker_processes_keeping_each_senders_order(tmp_path: Path, settings: Any) -> None:
    # Forked workers read the raw files: they must be on disk, not in the test's in-memory storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    channel = services.email_channel_create(actor=None, address="support@acme.example")[0]
    messages = []
    for i in range(12):
        sender = f"Customer {i % 3} <c{i % 3}@customer.example>"
        previous = f"<imp-{i - 3}@customer.example>" if i >= 3 else ""
        messages.append(build(sender=sender, message_id=f"<imp-{i}@customer.example>", in_reply_to=previous))
    archive = tmp_path / "archive.mbox"
    archive.write_bytes(_mbox(*messages, eml("no_from.eml")))
    out = io.StringIO()
    call_command(
        "import_mail", str(archive), "--now", "--jobs", "2", "--channel", channel.address, stdout=out
    )
    assert "1 failed, 12 processed" in out.getvalue()
    # Each customer's replies threaded into their one conversation, whichever process ran them.
    assert sorted(Conversation.objects.values_list("message_count", flat=True)) == [4, 4, 4]
