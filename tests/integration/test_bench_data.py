"""The bench's data generators write SQL by hand: they must keep up with the schema.

A column added without a database default (``Message.channel_options``) once broke
``make bench`` for a whole session without any test noticing. These run the generators at a
tiny size and open the pages the bench measures on what they made.
"""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from bench.conversations_data import Sizes, generate, sample_ids
from bench.shortcuts_data import generate_shortcuts
from conversations.models import Conversation, Message
from customers.models import Customer

pytestmark = pytest.mark.django_db(transaction=True)  # generate() ends with VACUUM

TINY = Sizes(customers=6, conversations=40, messages=120, agents=3, companies=2)


def test_it_generates_every_table_and_the_pages_open(admin_user: User, client_for: object) -> None:
    summary = generate(TINY, bench_user_id=admin_user.pk, password_hash="!", log=lambda _: None)

    assert "40 conversations" in summary
    assert Customer.objects.filter(name__startswith="Bench Customer").count() == 6
    assert Conversation.objects.filter(name__startswith="Bench conversation").count() == 40
    assert Message.objects.filter(conversation__name__startswith="Bench conversation").count() == 120
    ids = sample_ids()
    client = client_for(admin_user)  # type: ignore[operator]
    assert isinstance(client, Client)
    for path in (
        f"/conversations/{ids['conversation_id']}/",
        f"/conversations/{ids['conversation_id']}/feed/",
        f"/customers/{ids['customer_id']}/",
        "/inbox/?view=open",
    ):
        assert client.get(path).status_code == 200, path


def test_it_adds_nothing_the_second_time(admin_user: User) -> None:
    generate(TINY, bench_user_id=admin_user.pk, password_hash="!", log=lambda _: None)

    assert generate(TINY, bench_user_id=admin_user.pk, password_hash="!", log=lambda _: None) == (
        "already present"
    )


def test_the_shortcut_library_generates(admin_user: User) -> None:
    summary = generate_shortcuts(count=30, bench_user_id=admin_user.pk, log=lambda _: None)

    assert "30 shortcuts" in summary
