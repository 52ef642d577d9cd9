"""The customer timeline and the conversation view (timeline, conversation, Insight Panel)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import capability_required
from accounts.capabilities import Capability
from accounts.models import User
from accounts.types import AuthedRequest
from conversations.forms import CustomerForm, NewConversationForm, PostNewNoteForm, ReplyForm
from conversations.models import Channel, Conversation, Priority, WorkspaceSettings
from conversations.selectors import (
    access_conversation,
    access_conversation_with_details,
    access_customer,
    customer_events,
    details_choices,
    timeline_conversations,
    timeline_entries,
)
from conversations.selectors import (
    conversation_feed as select_feed,
)
from conversations.selectors import (
    customer_list as select_customers,
)
from conversations.selectors.links import merged_into
from conversations.services.conversations import conversation_create as create_conversation
from core.forms import apply_errors
from core.links import id_url, id_url_maker
from core.paginate import paginate, query_without_page
from customers import services as customer_services
from customers.models import Customer

# The conversation's own pages and actions that the timeline page links to, by the names
# its templates use (`urls.assign`...): each is reversed once per process (core.links).
CONVERSATION_URL_NAMES = (
    "conversation_detail",
    "conversation_feed",
    "assign",
    "assign_to_me",
    "attributes",
    "done",
    "pin",
    "rename",
    "reopen",
    "set_priority",
    "set_sub_status",
    "snooze",
    "transfer",
)


def conversation_urls(conversation_id: int) -> dict[str, str]:
    """`{name: reverse("conversations:<name>", args=[conversation_id])}` for CONVERSATION_URL_NAMES."""
    return {name: id_url(f"conversations:{name}", conversation_id) for name in CONVERSATION_URL_NAMES}


def conversation_url_maker() -> Callable[[int], str]:
    """A function from a conversation id to its page's URL, for lists of conversations."""
    return id_url_maker("conversations:conversation_detail")


def page_context(
    request: AuthedRequest, customer: Customer, conversation: Conversation | None, **extra: Any
) -> dict[str, Any]:
    """Everything the timeline page shows: the customer, their conversations, the open one."""
    user = request.user
    conversations = timeline_conversations(user=user, customer=customer)
    timeline = timeline_entries(conversations=conversations, events=customer_events(customer=customer))
    url_for = conversation_url_maker()
    for entry in timeline:
        if entry.kind == "conversation":
            entry.url = url_for(entry.obj.pk)
    context: dict[str, Any] = {
        "customer": customer,
        "conversations": conversations,
        "timeline": timeline,
        "conversation": conversation,
        "nav_active": "customers",
        "can_update": Capability.UPDATE_CUSTOMERS in user.capabilities,
        "can_send": Capability.SEND_MESSAGES in user.capabilities,
        "can_note": Capability.ADD_NOTES in user.capabilities,
        "can_merge": Capability.MERGE_CONVERSATIONS in user.capabilities,
        "priorities": list(reversed(Priority.choices)),
        "customer_form": extra.pop("customer_form", None)
        or (CustomerForm.for_customer(customer) if request.GET.get("edit") else None),
        "editing": bool(request.GET.get("edit")),
        # Without JavaScript, the Snooze menu and the Conversation Attributes window open
        # with ?snooze=1 and ?attributes=1; with it, they load when opened.
        "snoozing": bool(request.GET.get("snooze")),
        "adding": request.GET.get("add", ""),  # + Add › New Conversation or Post New Note, without JavaScript
        "oob": False,  # the fragments are in place; an htmx answer that sends them out of band says so
        "editing_attributes": bool(request.GET.get("attributes")),
    }
    if conversation is None and request.GET.get("add") == "note" and context["can_note"]:
        note_form = extra.pop("note_form", None) or PostNewNoteForm()
        context["note_form"] = note_form
        context["note_status"] = new_note_status()
        context["note_assignee"] = picked_user(note_form)
    if conversation is not None:
        context["urls"] = conversation_urls(conversation.pk)
        context["feed"] = feed = select_feed(conversation=conversation)
        channel = default_channel(conversation, feed)
        reply_form = extra.pop("reply_form", None) or ReplyForm(initial={"channel": channel})
        context["reply_form"] = reply_form
        context["reply_assignee"] = picked_user(reply_form)
        # `access_conversation_with_details` reads these with the conversation; a conversation
        # from `access_conversation` comes without them, and they are read here.
        read = vars(conversation)
        if "tag_link_list" in read:
            users, teams = read["assigned_user_list"], read["assigned_team_list"]
            tag_links = read["tag_link_list"]
        else:
            users = list(conversation.assigned_users.all())
            teams = list(conversation.assigned_teams.all())
            tag_links = list(conversation.tag_links.select_related("tag"))
        context["assigned_users"] = users
        context["assigned_teams"] = teams
        context["assigned_team_ids"] = {team.pk for team in teams}
        context["tag_links"] = tag_links
        context.update(details_choices(conversation=conversation))
    context.update(extra)
    return context


def new_note_status() -> str:
    """What a note posted on the timeline starts as (Settings > Workspace > Conversation Status)."""
    return "Done" if WorkspaceSettings.load().notes_done_by_default else "Open"


def picked_user(form: Any) -> Any:
    """The note assignee chosen before a validation error, so the picker shows their name again."""
    value = form["assigned_user"].value()
    if not value or not str(value).isdigit():
        return None
    return User.objects.filter(pk=int(value), is_active=True).only("id", "display_name").first()


def default_channel(conversation: Conversation, feed: list[Any]) -> str:
    """The next reply goes out on the channel of the last message (the feed is in time order)."""
    last = next((item.obj.channel for item in reversed(feed) if item.kind == "message"), None)
    if last and last != Channel.NOTE:
        return str(last)
    return conversation.channels[-1] if conversation.channels else Channel.EMAIL


@login_required
@require_GET
def customer_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = paginate(request, select_customers(user=request.user, query=query))
    context = {"page": page, "q": query, "query": query_without_page(request), "nav_active": "customers"}
    if request.htmx and not request.htmx.boosted:
        return render(request, "conversations/customer_list.html#customer-list", context)
    return render(request, "conversations/customer_list.html", context)


@capability_required(Capability.UPDATE_CUSTOMERS)
@require_http_methods(["GET", "POST"])
def customer_create(request: AuthedRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = customer_services.customer_create(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{customer} is added.")
            return redirect(customer)
    return render(request, "conversations/customer_form.html", {"form": form, "nav_active": "customers"})


@login_required
@require_GET
def customer_timeline(request: AuthedRequest, customer_id: int) -> HttpResponse:
    customer = access_customer(request.user, customer_id)
    return render(request, "conversations/timeline.html", page_context(request, customer, None))


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: AuthedRequest, customer_id: int) -> HttpResponse:
    """GET: the editor form alone (it loads when opened). POST: save the customer header."""
    customer = access_customer(request.user, customer_id, write=True)
    if request.method == "GET":
        if not request.htmx:
            return redirect(customer.get_absolute_url() + "?edit=1")
        context = {"customer": customer, "customer_form": CustomerForm.for_customer(customer)}
        return render(request, "conversations/timeline.html#customer-edit-form", context)
    posted = CustomerForm(request.POST)
    form: CustomerForm | None = posted
    if posted.is_valid():
        try:
            customer = customer_services.customer_update(
                actor=request.user, customer=customer, **posted.service_kwargs()
            )
        except ValidationError as error:
            apply_errors(posted, error)
        else:
            customer = access_customer(request.user, customer.pk)
            form = None  # the header closes; the editor loads afresh when opened again
            if not request.htmx:
                messages.success(request, "The customer is saved.")
                return redirect(customer)
    if not request.htmx:  # the whole page again, with the form open, its errors and what was typed
        context = page_context(request, customer, None, customer_form=form, editing=True)
        return render(request, "conversations/timeline.html", context)
    context = {
        "customer": customer,
        "customer_form": form,
        "can_update": True,
        "editing": bool(form and form.errors),
    }
    return render(request, "conversations/timeline.html#customer-header", context)


@capability_required(Capability.UPDATE_CUSTOMERS)
@require_POST
def conversation_create(request: AuthedRequest, customer_id: int) -> HttpResponse:
    customer = access_customer(request.user, customer_id, write=True)
    form = NewConversationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(customer)
    conversation = create_conversation(
        actor=request.user,
        customer=customer,
        name=form.cleaned_data["name"],
        channel=form.cleaned_data["channel"],
    )
    return redirect(conversation)


@login_required
@require_GET
def conversation_detail(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    try:
        conversation = access_conversation_with_details(request.user, conversation_id, customer_contacts=True)
    except Http404:
        # A merged-away conversation sends whoever opens it to the result (which checks access).
        into = merged_into(conversation_id)
        if into is None:
            raise
        messages.info(request, "The conversation you opened was merged into this one.")
        return redirect("conversations:conversation_detail", conversation_id=into)
    window = next((name for name in CONVERSATION_WINDOWS if request.GET.get(name)), None)
    if window and request.htmx and not request.htmx.boosted:
        return conversation_window(request, conversation, window)
    # Seeing the conversation means seeing its customer: no second access query is needed
    # (and their emails and phones came with the conversation).
    customer = conversation.customer
    return render(request, "conversations/timeline.html", page_context(request, customer, conversation))


# The forms the conversation page loads only when their menu or window opens (most views of
# a conversation never use them): ?snooze=1 or ?attributes=1 answers htmx with the form
# alone, and without htmx gives the page with it open.
CONVERSATION_WINDOWS = {"snooze": "snooze-form", "attributes": "attributes-form"}


def conversation_window(request: AuthedRequest, conversation: Conversation, window: str) -> HttpResponse:
    if Capability.UPDATE_CUSTOMERS not in request.user.capabilities:
        raise PermissionDenied("This needs the “Update customers and conversations” permission.")
    context = {
        "conversation": conversation,
        "urls": conversation_urls(conversation.pk),
        "priorities": list(reversed(Priority.choices)),
        **details_choices(conversation=conversation),
    }
    return render(request, f"conversations/timeline.html#{CONVERSATION_WINDOWS[window]}", context)


@login_required
@require_GET
def conversation_feed(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    """The messages and notes pane alone: htmx polls it so new messages appear without a reload."""
    conversation = access_conversation(request.user, conversation_id)
    context = {"conversation": conversation, "feed": select_feed(conversation=conversation)}
    return render(request, "conversations/timeline.html#conversation-feed", context)
