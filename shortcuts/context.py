"""The allowlisted context that shortcuts, email templates and dynamic text render against,
and the catalogue of dynamic text the editors offer.

The template engine only walks dicts and lists, so this module is the whole of what a
template can reach: each value is copied out of the model by name here. Nothing else of a
model (no methods, no related managers, no settings) is ever in reach.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Func, QuerySet

from accounts.models import User
from conversations.models import Conversation, Message
from customers.models import Customer

# Keys of custom attributes that may appear in a path: no dots, no leading "__".
_MAX_CUSTOM_KEYS = 200


class _Lazy(Mapping[str, object]):
    """A mapping whose costly values (a query each) are computed when a template asks."""

    def __init__(self, values: dict[str, object], loaders: dict[str, Callable[[], object]]):
        self._values = values
        self._loaders = loaders

    def __getitem__(self, key: str) -> object:
        if key not in self._values:
            if key not in self._loaders:
                raise KeyError(key)
            self._values[key] = self._loaders.pop(key)()
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        yield from self._values
        yield from self._loaders

    def __len__(self) -> int:
        return len(self._values) + len(self._loaders)


def _custom(values: object) -> dict[str, object]:
    """Custom attributes as plain JSON data (they already are: a JSONField)."""
    if not isinstance(values, dict):
        return {}
    return {str(k): v for k, v in values.items() if isinstance(k, str) and not k.startswith("__")}


def customer_context(customer: Customer) -> dict[str, object]:
    phones = list(customer.phones.all())
    return {
        "id": str(customer.pk),
        "name": customer.display_name,
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "email": customer.primary_email,
        "phone": phones[0].phone if phones else "",
        "locale": customer.locale,
        "createdAt": customer.created_at,
        "company": customer.company.name if customer.company_id and customer.company else "",
        "custom": _custom(customer.custom),
    }


def _message_text(conversation: Conversation, direction: str, *, last: bool = False) -> Callable[[], object]:
    def load() -> object:
        order = ("-created_at", "-pk") if last else ("created_at", "pk")
        text = (
            Message.objects.filter(conversation=conversation, direction=direction)
            .order_by(*order)
            .values_list("body_text", flat=True)
            .first()
        )
        return text or ""

    return load


def conversation_context(conversation: Conversation) -> Mapping[str, object]:
    return _Lazy(
        {
            "id": str(conversation.pk),
            "name": conversation.name,
            "channels": list(conversation.channels),
            "preview": conversation.preview,
            "status": conversation.status,
            "priority": conversation.priority,
            "satisfaction": "",  # no satisfaction surveys yet: a declared field, empty
            "createdAt": conversation.created_at,
            "firstMessageInAt": conversation.first_message_in_at,
            "lastMessageOutAt": conversation.last_message_out_at,
            "custom": _custom(conversation.custom),
        },
        {
            "firstMessageIn": _message_text(conversation, Message.Direction.IN),
            "lastMessageOut": _message_text(conversation, Message.Direction.OUT, last=True),
        },
    )


def user_context(user: User) -> dict[str, object]:
    return {
        "id": str(user.pk),
        "displayName": user.display_name,
        "email": user.email,
        "emailSignature": user.email_signature,
        "mobile": user.mobile,
    }


def template_context(
    *, customer: Customer | None = None, conversation: Conversation | None = None, user: User | None = None
) -> dict[str, object]:
    """What a template may read. A conversation brings its customer when none is given."""
    if customer is None and conversation is not None:
        customer = conversation.customer
    context: dict[str, object] = {}
    if customer is not None:
        context["customer"] = customer_context(customer)
    if conversation is not None:
        context["conversation"] = conversation_context(conversation)
    if user is not None:
        context["currentUser"] = user_context(user)
    return context


def recipient_language(customer: Customer | None, default_language: str) -> str:
    """The language a customer reads: their locale's language ("pt-br" -> "pt"), or the default."""
    locale = (customer.locale if customer is not None else "").strip().lower()
    return locale.split("-")[0].split("_")[0] if locale else default_language


# --- The Dynamic Text catalogue ----------------------------------------------------------------


@dataclass(frozen=True)
class DynamicText:
    group: str  # "Customer", "Conversation", "Current User"
    label: str  # "Customer First Name"
    path: str  # "customer.firstName"
    description: str

    @property
    def token(self) -> str:
        return "{{" + self.path + "}}"


# The seed's table of standard options, in its order.
STANDARD_DYNAMIC_TEXT: tuple[DynamicText, ...] = (
    DynamicText("Customer", "Customer Id", "customer.id", "The customer's ID"),
    DynamicText("Customer", "Customer Name", "customer.name", "The customer's full name"),
    DynamicText("Customer", "Customer First Name", "customer.firstName", "The customer's first name"),
    DynamicText("Customer", "Customer Last Name", "customer.lastName", "The customer's last name"),
    DynamicText("Customer", "Customer Email Address", "customer.email", "The customer's email address"),
    DynamicText("Customer", "Customer Phone Number", "customer.phone", "The customer's phone number"),
    DynamicText("Conversation", "Conversation Id", "conversation.id", "The conversation's ID"),
    DynamicText(
        "Conversation", "Conversation Channels", "conversation.channels",
        "The list of the channels of the conversation",
    ),
    DynamicText(
        "Conversation", "Conversation First Message In", "conversation.firstMessageIn",
        "The text of the first inbound message",
    ),
    DynamicText(
        "Conversation", "Conversation Last Message Out", "conversation.lastMessageOut",
        "The text of the last outbound message",
    ),
    DynamicText("Conversation", "Conversation Name", "conversation.name", "The conversation's subject"),
    DynamicText(
        "Conversation", "Conversation Preview", "conversation.preview",
        "The text of the first message (regardless of direction)",
    ),
    DynamicText(
        "Conversation", "Conversation Satisfaction Rating", "conversation.satisfaction",
        "The number of the satisfaction rating on the conversation",
    ),
    DynamicText("Conversation", "Conversation Status", "conversation.status", "The conversation's status"),
    DynamicText(
        "Current User", "Current User Display Name", "currentUser.displayName",
        "The display name of the user who applied the shortcut",
    ),
    DynamicText(
        "Current User", "Current User Email", "currentUser.email",
        "The email address of the user who applied the shortcut",
    ),
    DynamicText(
        "Current User", "Current User Email Signature", "currentUser.emailSignature",
        "The email signature of the user who applied the shortcut",
    ),
    DynamicText(
        "Current User", "Current User Mobile", "currentUser.mobile",
        "The phone number of the user who applied the shortcut",
    ),
)  # fmt: skip

TIMELINE_GROUPS = frozenset({"Customer", "Conversation"})
_PATH_KEY_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


class _JsonbObjectKeys(Func):
    function = "jsonb_object_keys"


def _recent_custom_keys(queryset: QuerySet[Any], sample: int = 1000) -> list[str]:
    """The custom attribute keys in use on the most recently updated rows (bounded, so the
    cost does not grow with the table)."""
    ids = queryset.order_by("-updated_at").values("pk")[:sample]
    keys = (
        queryset.model.objects.filter(pk__in=ids)
        .annotate(key=_JsonbObjectKeys("custom"))
        .values_list("key", flat=True)
        .distinct()
    )
    return sorted({k for k in keys if k and set(k) <= _PATH_KEY_OK and not k.startswith("__")})[
        :_MAX_CUSTOM_KEYS
    ]


def _custom_options(group: str, root: str, keys: list[str]) -> list[DynamicText]:
    return [
        DynamicText(group, f"{group} {key} (custom)", f"{root}.custom.{key}", f"Custom attribute {key}")
        for key in keys
    ]


def workspace_custom_keys() -> tuple[list[str], list[str]]:
    """Custom attribute keys of customers and conversations, cached for five minutes."""
    cached = cache.get("shortcuts:custom-keys")
    if cached is None:
        cached = (
            _recent_custom_keys(Customer.objects.all()),
            _recent_custom_keys(Conversation.objects.all()),
        )
        cache.set("shortcuts:custom-keys", cached, 300)
    return cached


def dynamic_text_options(
    *, conversation: Conversation | None = None, timeline: bool = False, query: str = ""
) -> list[DynamicText]:
    """The Dynamic Text tab: the standard options and the custom attributes.

    On the timeline (a reply or note on a conversation) only Customer and Conversation values
    are offered, and the custom attributes are those of this customer and conversation; in the
    shortcut editor, everything, with the custom attribute keys in use in the workspace.
    """
    if conversation is not None:
        customer_keys = sorted(_custom(conversation.customer.custom))
        conversation_keys = sorted(_custom(conversation.custom))
        customer_keys = [k for k in customer_keys if set(k) <= _PATH_KEY_OK][:_MAX_CUSTOM_KEYS]
        conversation_keys = [k for k in conversation_keys if set(k) <= _PATH_KEY_OK][:_MAX_CUSTOM_KEYS]
    else:
        customer_keys, conversation_keys = workspace_custom_keys()
    options = [
        *(o for o in STANDARD_DYNAMIC_TEXT if not timeline or o.group in TIMELINE_GROUPS),
        *_custom_options("Customer", "customer", customer_keys),
        *_custom_options("Conversation", "conversation", conversation_keys),
    ]
    needle = query.strip().lower()
    if needle:
        options = [o for o in options if needle in o.label.lower() or needle in o.path.lower()]
    return options
