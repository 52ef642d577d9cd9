"""Reads for Settings > Security > API Keys and for the REST API. Every read goes through an
access check: the Settings pages need "Manage API keys"; the API reads through the same
`access_*` funnel as the agent UI, with the key's principal in place of a user."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404

from accounts.access import require_capability
from accounts.capabilities import Capability
from accounts.models import PermissionSet, User
from api.auth import ApiKeyPrincipal
from api.models import ApiKey
from conversations.models import Conversation
from conversations.selectors import access_conversation_with_details, linked_conversation_refs


def api_key_list_for_settings(*, actor: User) -> QuerySet[ApiKey]:
    require_capability(actor, Capability.MANAGE_API_KEYS)
    return ApiKey.objects.select_related("created_by").prefetch_related("permission_sets")


def access_api_key(actor: User, api_key_id: Any) -> ApiKey:
    require_capability(actor, Capability.MANAGE_API_KEYS)
    try:
        return ApiKey.objects.get(pk=int(api_key_id))
    except (TypeError, ValueError, ApiKey.DoesNotExist):
        raise Http404 from None


def grantable_permission_sets(*, actor: User) -> QuerySet[PermissionSet]:
    """The sets an admin may give a key: those granting nothing the admin lacks, so a key is
    never a way to more access than its maker has."""
    return PermissionSet.objects.filter(capabilities__contained_by=sorted(actor.capabilities))


def conversation_for_api(
    principal: ApiKeyPrincipal, conversation_id: Any
) -> tuple[Conversation, list[dict[str, str]]]:
    """The conversation with its assignments and tags (one query), and its links (one more).

    Http404 for a missing conversation and for one the key may not see, alike."""
    # The principal answers everything the funnel asks of a user (see ApiKeyPrincipal).
    conversation = access_conversation_with_details(cast(User, principal), conversation_id)
    return conversation, linked_conversation_refs(conversation)
