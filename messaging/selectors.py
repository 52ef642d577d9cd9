"""Reads for Settings > Channels > Email, each behind its capability (accounts.access)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.access import require_capability
from accounts.capabilities import Capability
from accounts.models import User
from messaging.models import EmailChannel, InboundEmail

CAPABILITY = Capability.MANAGE_WORKSPACE
FAILED_STATUSES = {
    "": "Failed and ignored",
    InboundEmail.Status.FAILED: "Failed",
    InboundEmail.Status.IGNORED: "Ignored",
}


def _get(queryset: QuerySet[Any], pk: Any) -> Any:
    try:
        return queryset.get(pk=int(pk))
    except (ValueError, TypeError, queryset.model.DoesNotExist):
        raise Http404 from None


def access_email_channel(user: User, channel_id: Any) -> EmailChannel:
    require_capability(user, Capability.SETTINGS_ACCESS)
    require_capability(user, CAPABILITY)
    return cast(EmailChannel, _get(EmailChannel.objects.all(), channel_id))


def access_inbound_email(user: User, inbound_id: Any) -> InboundEmail:
    require_capability(user, Capability.SETTINGS_ACCESS)
    require_capability(user, CAPABILITY)
    return cast(InboundEmail, _get(InboundEmail.objects.select_related("channel"), inbound_id))


def email_channel_list_for_settings(*, user: User) -> QuerySet[EmailChannel]:
    require_capability(user, CAPABILITY)
    # A correlated count over the failed rows only (the partial index inbound_needing_attention),
    # not a join with every message the address ever received.
    failed = (
        InboundEmail.objects.filter(channel=OuterRef("pk"), status=InboundEmail.Status.FAILED)
        .order_by()
        .values("channel")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return EmailChannel.objects.annotate(failed_count=Coalesce(Subquery(failed), 0)).order_by("address")


def inbound_list_failed(
    *, user: User, status: str = "", channel_id: str = "", query: str = ""
) -> QuerySet[InboundEmail]:
    """Failed and ignored inbound mail, newest first, narrowed by status, address and text."""
    require_capability(user, CAPABILITY)
    rows = InboundEmail.objects.needing_attention().select_related("channel")
    if status in (InboundEmail.Status.FAILED, InboundEmail.Status.IGNORED):
        rows = rows.filter(status=status)
    if channel_id.isdigit():
        rows = rows.filter(channel_id=int(channel_id))
    query = query.strip()
    if query:
        rows = rows.filter(
            Q(from_address__icontains=query)
            | Q(subject__icontains=query)
            | Q(failure_reason__icontains=query)
        )
    return rows.defer("raw").order_by("-received_at", "-id")
