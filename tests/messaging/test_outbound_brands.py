"""Settings > Administration > Brands: brands, their sender addresses, the defaults, the audit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from core.models import AuditEntry
from messaging import demo_outbound, services_outbound
from messaging.models_outbound import Brand, SenderAddress
from tests.messaging.outbound_helpers import ACME, make_brand

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


class TestServices:
    def test_the_first_brand_and_address_become_the_defaults(self) -> None:
        brand = make_brand()
        assert brand.is_default
        assert SenderAddress.objects.get().is_default

    def test_one_brand_is_the_default(self) -> None:
        first = make_brand()
        second = services_outbound.brand_create(actor=None, name="Beta", is_default=True)
        assert list(Brand.objects.filter(is_default=True)) == [second]
        first.refresh_from_db()
        assert not first.is_default

    def test_the_default_cannot_be_turned_off_directly(self) -> None:
        brand = make_brand()
        with pytest.raises(ValidationError, match="make another brand the default instead"):
            services_outbound.brand_update(actor=None, brand=brand, name="Acme", is_default=False)

    def test_the_default_brand_cannot_be_deleted(self) -> None:
        brand = make_brand()
        with pytest.raises(ValidationError, match="is the default brand"):
            services_outbound.brand_delete(actor=None, brand=brand)
        assert Brand.objects.count() == 1

    def test_a_default_address_cannot_be_deleted(self) -> None:
        make_brand()
        with pytest.raises(ValidationError, match="is the default address of Acme"):
            services_outbound.sender_address_delete(actor=None, address=SenderAddress.objects.get())

    def test_an_address_belongs_to_one_brand_ignoring_case(self) -> None:
        make_brand()
        other = services_outbound.brand_create(actor=None, name="Beta")
        with pytest.raises(ValidationError, match="is already a sender address"):
            services_outbound.sender_address_create(actor=None, brand=other, email=ACME.upper())

    def test_brand_names_are_unique_ignoring_case(self) -> None:
        make_brand()
        with pytest.raises(ValidationError, match="There is already a brand called"):
            services_outbound.brand_create(actor=None, name="ACME")

    def test_changes_are_audited(self, owner: User) -> None:
        brand = services_outbound.brand_create(actor=owner, name="Acme")
        address = services_outbound.sender_address_create(actor=owner, brand=brand, email=ACME)
        second = services_outbound.sender_address_create(actor=owner, brand=brand, email="b@acme.example")
        services_outbound.sender_address_update(
            actor=owner, address=second, email="b@acme.example", display_name="B", is_default=True
        )
        services_outbound.sender_address_delete(actor=owner, address=address)
        actions = list(
            AuditEntry.objects.filter(object_type__startswith="messaging.")
            .order_by("id")
            .values_list("object_type", "action")
        )
        assert actions == [
            ("messaging.brand", "create"),
            ("messaging.senderaddress", "create"),
            ("messaging.senderaddress", "create"),
            ("messaging.senderaddress", "update"),
            ("messaging.senderaddress", "delete"),
        ]
        assert AuditEntry.objects.filter(actor=owner).count() == 5

    def test_the_demo_brand_seeds_once(self) -> None:
        demo_outbound.seed(None)
        demo_outbound.seed(None)
        assert list(SenderAddress.objects.values_list("email", "brand__is_default")) == [
            ("support@example.com", True)
        ]


class TestViews:
    def test_the_page_is_in_the_settings_menu(self, client_for: ClientFor, owner: User) -> None:
        response = client_for(owner).get(reverse("messaging:brand_list"))
        html = response.content.decode()
        assert f'href="{reverse("messaging:brand_list")}"' in html
        assert "No brands yet." in html

    def test_it_lists_brands_and_addresses(self, client_for: ClientFor, owner: User) -> None:
        make_brand()
        html = client_for(owner).get(reverse("messaging:brand_list")).content.decode()
        assert "Acme" in html and ACME in html and "Acme Support" in html

    def test_it_adds_a_brand_then_an_address(self, client_for: ClientFor, owner: User) -> None:
        client = client_for(owner)
        response = client.post(reverse("messaging:brand_create"), {"name": "Acme"})
        brand = Brand.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("messaging:sender_address_create", args=[brand.pk])
        response = client.post(
            reverse("messaging:sender_address_create", args=[brand.pk]),
            {"email": ACME, "display_name": "Acme Support"},
        )
        assert response.status_code == 302
        assert SenderAddress.objects.get().formatted == "Acme Support <support@acme.example>"

    def test_a_bad_address_keeps_the_form(self, client_for: ClientFor, owner: User) -> None:
        brand = make_brand()
        response = client_for(owner).post(
            reverse("messaging:sender_address_create", args=[brand.pk]),
            {"email": "not-an-address", "display_name": "Typed name"},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "Enter a valid email address." in html and "Typed name" in html

    def test_it_edits_an_address(self, client_for: ClientFor, owner: User) -> None:
        make_brand()
        address = SenderAddress.objects.get()
        response = client_for(owner).post(
            reverse("messaging:sender_address_edit", args=[address.pk]),
            {"email": "help@acme.example", "display_name": "Acme Help", "is_default": "on"},
        )
        assert response.status_code == 302
        address.refresh_from_db()
        assert (address.email, address.display_name) == ("help@acme.example", "Acme Help")

    def test_it_renames_a_brand(self, client_for: ClientFor, owner: User) -> None:
        brand = make_brand()
        url = reverse("messaging:brand_edit", args=[brand.pk])
        response = client_for(owner).post(url, {"name": "Acme Inc", "is_default": "on"})
        assert response.status_code == 302
        brand.refresh_from_db()
        assert brand.name == "Acme Inc"

    def test_deleting_the_default_brand_is_refused_with_a_message(
        self, client_for: ClientFor, owner: User
    ) -> None:
        brand = make_brand()
        response = client_for(owner).post(reverse("messaging:brand_delete", args=[brand.pk]), follow=True)
        assert "is the default brand: make another brand the default before deleting it." in (
            response.content.decode()
        )
        assert Brand.objects.count() == 1

    def test_it_deletes_another_brand(self, client_for: ClientFor, owner: User) -> None:
        make_brand()
        other = services_outbound.brand_create(actor=None, name="Beta")
        response = client_for(owner).post(reverse("messaging:brand_delete", args=[other.pk]))
        assert response.status_code == 302
        assert list(Brand.objects.values_list("name", flat=True)) == ["Acme"]

    def test_it_deletes_an_address_that_is_not_the_default(self, client_for: ClientFor, owner: User) -> None:
        brand = make_brand()
        extra = services_outbound.sender_address_create(actor=None, brand=brand, email="b@acme.example")
        client_for(owner).post(reverse("messaging:sender_address_delete", args=[extra.pk]))
        assert list(SenderAddress.objects.values_list("email", flat=True)) == [ACME]

    def test_an_agent_may_not_manage_brands(self, client_for: ClientFor, agent: User) -> None:
        brand = make_brand()
        client = client_for(agent)
        assert client.get(reverse("messaging:brand_list")).status_code == 403
        assert client.post(reverse("messaging:brand_delete", args=[brand.pk])).status_code == 403

    def test_an_outsider_may_not_see_brands(self, client_for: ClientFor, outsider: User) -> None:
        brand = make_brand()
        assert client_for(outsider).get(reverse("messaging:brand_edit", args=[brand.pk])).status_code == 403

    def test_a_missing_brand_is_404(self, client_for: ClientFor, owner: User) -> None:
        assert client_for(owner).get(reverse("messaging:brand_edit", args=[999999])).status_code == 404

    def test_the_list_reads_as_many_queries_for_10_brands_as_for_1(
        self, client_for: ClientFor, owner: User
    ) -> None:
        client = client_for(owner)
        make_brand()
        client.get(reverse("messaging:brand_list"))  # warm the session and caches
        with CaptureQueriesContext(connection) as one:
            client.get(reverse("messaging:brand_list"))
        for i in range(9):
            brand = services_outbound.brand_create(actor=None, name=f"Brand {i}")
            services_outbound.sender_address_create(actor=None, brand=brand, email=f"b{i}@x.example")
            services_outbound.sender_address_create(actor=None, brand=brand, email=f"c{i}@x.example")
        with CaptureQueriesContext(connection) as ten:
            client.get(reverse("messaging:brand_list"))
        assert len(ten) == len(one)


def test_the_reply_editors_from_choices_follow_changes_at_once() -> None:
    """They are cached (every conversation view reads them); any change forgets the cache."""
    from conversations.reply_options import sender_choices

    brand = services_outbound.brand_create(actor=None, name="Acme")
    services_outbound.sender_address_create(actor=None, brand=brand, email="support@acme.example")
    assert [address for address, _ in sender_choices()] == ["support@acme.example"]
    services_outbound.sender_address_create(actor=None, brand=brand, email="sales@acme.example")
    assert "sales@acme.example" in [address for address, _ in sender_choices()]
