"""Demo Brand for `manage.py seed_demo` (called from messaging.demo.seed). Idempotent."""

from __future__ import annotations

from accounts.models import User
from messaging import services_outbound
from messaging.models_outbound import Brand, SenderAddress


def seed(admin: User | None) -> str:
    brand = Brand.objects.filter(name__iexact="Kustomer Demo").first()
    if brand is None:
        brand = services_outbound.brand_create(actor=admin, name="Kustomer Demo", is_default=True)
    if not SenderAddress.objects.filter(email__iexact="support@example.com").exists():
        services_outbound.sender_address_create(
            actor=admin, brand=brand, email="support@example.com", display_name="Kustomer Demo Support"
        )
    return "a demo brand sending from support@example.com"
