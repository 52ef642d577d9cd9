"""Reads for Settings > Administration > Brands, behind Settings access and Manage workspace."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.access import require_capability
from accounts.capabilities import Capability
from accounts.models import User
from messaging.models_outbound import Brand, SenderAddress


def _require(user: User) -> None:
    require_capability(user, Capability.SETTINGS_ACCESS)
    require_capability(user, Capability.MANAGE_WORKSPACE)


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def brand_list_for_settings(*, user: User) -> QuerySet[Brand]:
    """Every brand with its addresses (two queries, whatever the number of brands)."""
    _require(user)
    addresses = SenderAddress.objects.order_by("-is_default", "email")
    return Brand.objects.prefetch_related(Prefetch("addresses", queryset=addresses)).order_by(
        "-is_default", "name", "id"
    )


def access_brand(user: User, brand_id: Any) -> Brand:
    _require(user)
    brand = brand_list_for_settings(user=user).filter(pk=_pk(brand_id)).first()
    if brand is None:
        raise Http404
    return brand


def access_sender_address(user: User, address_id: Any) -> SenderAddress:
    _require(user)
    address = SenderAddress.objects.select_related("brand").filter(pk=_pk(address_id)).first()
    if address is None:
        raise Http404
    return address
