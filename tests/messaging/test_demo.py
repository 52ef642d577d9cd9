from __future__ import annotations

import pytest

from messaging import demo
from messaging.models import EmailChannel

pytestmark = pytest.mark.django_db


def test_the_demo_addresses_seed_once() -> None:
    demo.seed()
    assert demo.seed() == "0 inbound addresses added"
    assert sorted(EmailChannel.objects.values_list("address", flat=True)) == sorted(
        a for a, _ in demo.ADDRESSES
    )
