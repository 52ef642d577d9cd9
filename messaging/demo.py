"""Demo inbound addresses for `manage.py seed_demo` (after conversations' demo).

Idempotent: an address is looked up ignoring case and added only when missing. The Email
Hook secrets made here are not shown anywhere: rotate one in Settings > Channels > Email
to post mail to the demo. The addresses use the reserved `.example` domain.
"""

from __future__ import annotations

from accounts.models import User
from messaging import services
from messaging.models import EmailChannel

ADDRESSES = [
    ("support@kustomer-demo.example", "Kustomer Demo Support"),
    ("billing@kustomer-demo.example", "Kustomer Demo Billing"),
]


def seed() -> str:
    admin = User.objects.filter(email__iexact="admin@example.com").first()
    added = 0
    for address, display_name in ADDRESSES:
        if not EmailChannel.objects.filter(address__iexact=address).exists():
            services.email_channel_create(actor=admin, address=address, display_name=display_name)
            added += 1
    from messaging import demo_outbound

    demo_outbound.seed(admin)  # the demo Brand (outbound mail)
    return f"{added} inbound addresses added"
