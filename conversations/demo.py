"""Demo conversations for `manage.py seed_demo` (runs after the accounts and customers demos).

What it adds: the tags, the "Support" and "Billing" queues, the sub statuses "Escalated"
(Open), "Waiting" (Snoozed) and "Resolved - No Reply" (Done), and 60 conversations with the
demo customers: open, snoozed and done; email mostly, some SMS and chat; inbound and
outbound messages, notes that mention the demo users and teams, tags, priorities, queues and
assignments (agent@example.com's "Mine" list has 8 open conversations).

Everything goes through the services so that every change has its ConversationEvent. The
demo admin (admin@example.com) triages (queue, assignment, priority, tags, status); replies
and notes are written by the agent the conversation is assigned to, as they would be.
Conversations are created with no actor: the customer's first message started them.

Idempotent: a conversation is found by its natural key (customer, name); a tag, queue or
sub status by its name, ignoring case. Only missing rows are added; an existing conversation
is never touched again.

Times: the services stamp "now", and only `message_receive` takes a time. So after each new
conversation is built, a final bulk update spreads its rows over the last 30 days: messages
and notes get their place in the story, their events follow them, triage events sit just
after the first message and status events after the last one, and the conversation's own
times (created, last activity, first/last message in/out) are recomputed from those.
The same update marks outbound demo replies "sent" and demo notifications as emailed, so
that nothing is mailed for them once the transaction commits: the notification email task
claims only rows not yet emailed, and a channel (safe to run twice) delivers only messages
still "queued".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import Team, User
from conversations.models import (
    Channel,
    Conversation,
    ConversationEvent,
    Message,
    Note,
    Notification,
    Priority,
    Queue,
    Status,
    SubStatus,
    Tag,
)
from conversations.services import conversations as conversation_services
from conversations.services.messages import message_receive, message_send
from conversations.services.notes import note_create
from conversations.services.tags import conversation_add_tag, tag_create
from conversations.services.workspace import sub_status_create
from core.sanitize import text_to_html
from customers.demo import CUSTOMERS, demo_admin
from customers.models import Customer, CustomerEmail

CONVERSATION_COUNT = 60
SUPPORT_ADDRESS = "support@kustomer-demo.example"

TAGS = {
    "VIP": Tag.Color.PURPLE,
    "Refund": Tag.Color.ORANGE,
    "Shipping Delay": Tag.Color.YELLOW,
    "Bug": Tag.Color.RED,
    "Billing": Tag.Color.GREEN,
    "Login Issue": Tag.Color.TEAL,
}
QUEUES = {
    "Support": "Front-line questions: orders, shipping, accounts.",
    "Billing": "Invoices, refunds and payments.",
}
SUB_STATUSES = [
    (Status.OPEN, "Escalated", "Handed to a specialist or engineering; keep the customer posted."),
    (Status.SNOOZED, "Waiting", "Waiting for the customer to reply with more information."),
    (Status.DONE, "Resolved - No Reply", "Answered; the customer did not write back."),
]
ESCALATED, WAITING, NO_REPLY = "Escalated", "Waiting", "Resolved - No Reply"

# Who works the conversations (accounts.demo makes them).
ALEX, SAM, MAX = "agent@example.com", "agent2@example.com", "manager@example.com"


@dataclass(frozen=True)
class Scenario:
    """One kind of support request, with the whole exchange it usually leads to."""

    name: str
    queue: str
    tags: tuple[str, ...]
    priority: int
    inbound: str
    short: str  # the same request as an SMS or chat message
    reply: str
    follow_up: str  # the customer writes again: the ball is back with the agent
    thanks: str
    closing: str
    note: str  # {mention} is where the note mentions a colleague or a team


SCENARIOS = [
    Scenario(
        "Where is order #{order}?",
        "Support",
        ("Shipping Delay",),
        Priority.MEDIUM,
        "Hi,\n\nI ordered a set of ceramic mugs (order #{order}) nine days ago and the tracking page still "
        'says "label created". Could you check what is going on? I need them for an event on '
        "Saturday.\n\nThanks,\n{first}",
        'Hi, order #{order} still shows "label created" after 9 days. Any news?',
        "Hi {first},\n\nSorry for the wait. I checked with our warehouse: order #{order} was caught in a "
        "carrier backlog and left our depot this morning. The new estimated delivery is Thursday, and "
        "the tracking link should update within a few hours.\n\nBest,\n{agent}",
        "Thanks. The tracking still hasn't moved though. Is Thursday still realistic?",
        "It arrived today, thank you for chasing it!",
        "Great to hear, {first}. Enjoy the mugs, and let us know if there is anything else.\n\n{agent}",
        "{mention} the carrier lost the scan at the depot. Can you open a trace with them if nothing "
        "moves by tomorrow?",
    ),
    Scenario(
        "Refund for order #{order}",
        "Billing",
        ("Refund",),
        Priority.MEDIUM,
        "Hello,\n\nI returned the hiking boots from order #{order} two weeks ago (return label "
        "RMA-{order}) and I still haven't seen the refund on my card. Can you tell me when it will "
        "arrive?\n\n{first}",
        "Hi, still waiting for my refund for order #{order}, returned 2 weeks ago.",
        "Hi {first},\n\nThanks for your patience. The warehouse received your return on Monday and I have "
        "just issued the refund of $129.00 to the card ending 4417. Banks usually take 3 to 5 business "
        "days to show it.\n\nKind regards,\n{agent}",
        "It's been 5 business days and still nothing on my statement. Could you send me a refund reference?",
        "The refund showed up this morning. Thanks!",
        "Glad it came through, {first}. Have a great week!\n\n{agent}",
        "{mention} could you confirm the refund for #{order} actually settled? The customer says nothing "
        "has arrived.",
    ),
    Scenario(
        "Charged twice for invoice INV-{order}",
        "Billing",
        ("Billing",),
        Priority.HIGHEST,
        "Hi,\n\nMy credit card was charged twice for invoice INV-{order} ($249.00 each, same day). Please "
        "refund the duplicate charge as soon as possible.\n\nRegards,\n{first}",
        "You charged my card twice for invoice INV-{order}. Please refund one.",
        "Hi {first},\n\nYou're right: our payment provider retried a request that had already gone "
        "through. I have voided the duplicate $249.00 charge; it will disappear from your statement "
        "within a few days. Sorry for the trouble.\n\n{agent}",
        "I can still see both charges as pending. Is that expected?",
        "Both charges are sorted now, thanks for the quick fix.",
        "Thanks for confirming, {first}. I've added a note to your account so this can't happen "
        "again.\n\n{agent}",
        "Duplicate charge from the payment retry again. {mention} is there a ticket for the retry issue?",
    ),
    Scenario(
        "Can't log in after password reset",
        "Support",
        ("Login Issue",),
        Priority.HIGH,
        'Hi,\n\nI reset my password yesterday and now the site keeps saying "invalid credentials", even '
        "with the new password. I've tried two browsers. Can you help?\n\n{first}",
        "Can't log in since I reset my password, it says invalid credentials",
        "Hi {first},\n\nSorry about that. It looks like the reset link was used twice, which cancels the "
        "first password. I've sent you a fresh reset email: please use the newest link only, within the "
        "hour.\n\n{agent}",
        "I used the new link and it worked once, but today it's rejecting my password again.",
        "That did it, I'm back in. Thank you!",
        "Perfect, {first}. Glad you're back in.\n\n{agent}",
        "{mention} second report this week of passwords not sticking after a reset. Could this be the "
        "session bug?",
    ),
    Scenario(
        "Two-factor codes not arriving",
        "Support",
        ("Login Issue",),
        Priority.HIGH,
        "Hi,\n\nI'm not receiving the SMS verification codes when I try to sign in. My number hasn't "
        "changed. I'm locked out of my account.\n\n{first}",
        "Not getting my login code by SMS, I'm locked out",
        "Hi {first},\n\nI can see the codes are being sent, but your carrier is rejecting them. I've "
        "switched your account to email codes for now so you can sign in. Let me know if that "
        "works.\n\n{agent}",
        "The email code arrived, but I'd rather use SMS. Can you switch it back once the carrier issue "
        "is fixed?",
        "Email codes work fine, thanks.",
        "Great, {first}. We'll let you know when SMS codes are reliable again.\n\n{agent}",
        "{mention} carrier rejections are up since Monday. Worth raising with the SMS provider?",
    ),
    Scenario(
        "Damaged item in order #{order}",
        "Support",
        ("Refund",),
        Priority.MEDIUM,
        "Hello,\n\nThe glass carafe in order #{order} arrived cracked. The box was crushed on one corner. "
        "Could you send a replacement?\n\n{first}",
        "The carafe from order #{order} arrived cracked, can I get a replacement?",
        "Hi {first},\n\nI'm so sorry it arrived damaged. I've shipped a replacement carafe by express at "
        "no charge (you'll get tracking by email), and there's no need to return the broken "
        "one.\n\n{agent}",
        "Thank you. Could you also refund the express shipping I paid on the original order?",
        "The replacement arrived in one piece. Thanks!",
        "Wonderful, {first}. Enjoy!\n\n{agent}",
        "Third damaged carafe this month from the same warehouse. {mention} can we check the packaging?",
    ),
    Scenario(
        "Update billing address on our account",
        "Billing",
        ("Billing",),
        Priority.LOW,
        "Hello,\n\nOur office has moved. Please update the billing address on our account to 48 Harbour "
        "Street, Suite 300, and reissue last month's invoice with the new address.\n\nThanks,\n{first}",
        "Hi, we moved: please update our billing address to 48 Harbour Street, Suite 300.",
        "Hi {first},\n\nDone: the billing address is updated, and the reissued invoice for last month "
        "with the new address is on its way to you.\n\nBest regards,\n{agent}",
        "Thanks! The PO number is missing on the reissued invoice. Could you add PO-7781?",
        "Perfect, that's everything. Thanks.",
        "You're welcome, {first}.\n\n{agent}",
        "{mention} this customer needs PO numbers on every invoice from now on.",
    ),
    Scenario(
        "Change delivery address for order #{order}",
        "Support",
        (),
        Priority.MEDIUM,
        "Hi,\n\nI just placed order #{order} and realised it's going to my old address. Can you change it "
        "to 12 Linden Avenue before it ships?\n\n{first}",
        "Order #{order} is going to my old address, can you change it before it ships?",
        "Hi {first},\n\nGood timing: the order hadn't been packed yet, so I've updated the delivery "
        "address to 12 Linden Avenue. You'll get a new confirmation email shortly.\n\n{agent}",
        "The confirmation still shows the old address. Did the change go through?",
        "Got the new confirmation, thank you!",
        "Happy to help, {first}.\n\n{agent}",
        "{mention} the address change didn't reach the warehouse system for #{order}, please check.",
    ),
    Scenario(
        "App crashes when uploading a photo",
        "Support",
        ("Bug",),
        Priority.HIGH,
        "Hi,\n\nEvery time I try to upload a photo to my profile in the iOS app (version 4.2.1), the app "
        "closes. Restarting the phone didn't help.\n\n{first}",
        "Your app crashes every time I upload a photo",
        "Hi {first},\n\nThanks for the details. We've reproduced the crash with photos larger than 12 MB "
        "and our developers are working on a fix for the next release. In the meantime, uploading from "
        "the website works.\n\n{agent}",
        "Any news on the fix? Uploading from the website is a pain on my phone.",
        "The update fixed it. Thanks!",
        "Thanks for letting us know, {first}.\n\n{agent}",
        "Reproduced on iOS 17 with a 14 MB photo. {mention} is this on the list for 4.2.2?",
    ),
    Scenario(
        "Cancel my subscription",
        "Billing",
        ("Billing",),
        Priority.LOW,
        "Hello,\n\nPlease cancel my monthly subscription at the end of the current billing period. I "
        "won't need it over the summer.\n\n{first}",
        "Please cancel my subscription at the end of this month",
        "Hi {first},\n\nI've scheduled the cancellation for the end of your current period, so you keep "
        "access until then and won't be charged again. If you'd rather pause than cancel, I can do that "
        "too.\n\n{agent}",
        "Actually, a pause would be better. Can you pause it for three months instead?",
        "Thanks, that's all I needed.",
        "All set, {first}. We hope to see you back in the autumn.\n\n{agent}",
        "{mention} the customer would rather pause than cancel. Do we offer three-month pauses?",
    ),
    Scenario(
        "Discount code not applied to order #{order}",
        "Billing",
        ("Billing",),
        Priority.LOW,
        "Hi,\n\nI used the code SPRING20 at checkout for order #{order} but the total didn't change. "
        "Could you apply the discount?\n\n{first}",
        "SPRING20 didn't work on order #{order}, can you apply it?",
        "Hi {first},\n\nThe code expired the day before your order, but I've applied the 20% as a "
        "goodwill gesture: $18.40 is on its way back to your card.\n\n{agent}",
        "Thanks! Will the code work for my next order as well?",
        "Thanks a lot, very kind.",
        "Our pleasure, {first}.\n\n{agent}",
        "{mention} SPRING20 expired early but the site banner still advertises it.",
    ),
    Scenario(
        "Order #{order} marked delivered but not received",
        "Support",
        ("Shipping Delay",),
        Priority.HIGHEST,
        "Hi,\n\nThe tracking for order #{order} says it was delivered yesterday at 2:14 pm, but nothing "
        "arrived and my neighbours haven't seen it. What can we do?\n\n{first}",
        "Tracking says order #{order} was delivered but I never got it",
        "Hi {first},\n\nI'm sorry. I've opened a claim with the carrier and asked for the GPS location of "
        "the delivery scan. If we don't find the parcel within 48 hours, we'll send a "
        "replacement.\n\n{agent}",
        "Any update from the carrier? It's been two days.",
        "The replacement came today, thank you.",
        "So glad it's sorted, {first}.\n\n{agent}",
        "{mention} carrier claim opened for #{order}; please send the replacement if it isn't resolved "
        "by Friday.",
    ),
    Scenario(
        "VAT invoice for order #{order}",
        "Billing",
        ("Billing",),
        Priority.LOWEST,
        "Hello,\n\nCould you send me a VAT invoice for order #{order}? I need it for my expense report, "
        "with our company name on it.\n\n{first}",
        "Can I get a VAT invoice for order #{order}?",
        "Hi {first},\n\nHere's the VAT invoice for order #{order} with your company name added. You can "
        "also download invoices any time from Account > Orders.\n\n{agent}",
        "Could you also add our VAT number, GB 123 4567 89?",
        "Got it, thanks.",
        "You're welcome, {first}.\n\n{agent}",
        "{mention} business customers keep asking for this: could checkout ask for a VAT number?",
    ),
    Scenario(
        "Account locked after too many attempts",
        "Support",
        ("Login Issue",),
        Priority.HIGH,
        "Hi,\n\nMy account says it's locked after too many sign-in attempts. I didn't try that many "
        "times. Could someone else be trying to get in?\n\n{first}",
        "My account is locked but I didn't try to log in that many times",
        "Hi {first},\n\nI've unlocked your account. The failed attempts came from an unfamiliar location, "
        "so I'd recommend changing your password and turning on two-factor authentication.\n\n{agent}",
        "I changed the password, but it locked again this morning. Is someone still trying?",
        "Password changed and two-factor is on. Thanks for the heads-up.",
        "Great, {first}: you're well protected now.\n\n{agent}",
        "{mention} repeated lockouts from the same address range. Should we block it?",
    ),
    Scenario(
        "Wrong size shipped for order #{order}",
        "Support",
        ("Refund",),
        Priority.MEDIUM,
        "Hi,\n\nI ordered the rain jacket in size M (order #{order}) but received an XL. Can I exchange "
        "it?\n\n{first}",
        "Got an XL instead of M in order #{order}, can I swap it?",
        "Hi {first},\n\nSorry for the mix-up! I've emailed you a prepaid return label, and a size M is "
        "already on its way, no need to wait for the return to arrive.\n\n{agent}",
        "The return label says it has expired. Could you send a new one?",
        "The M fits perfectly. Thank you!",
        "Great to hear, {first}!\n\n{agent}",
        "{mention} another picking error at the warehouse, order #{order}.",
    ),
]


@dataclass
class Plan:
    """What one demo conversation becomes."""

    index: int
    customer: Customer
    scenario: Scenario
    status: str
    assignee: User | None
    channel: str
    fresh: bool = False  # only the customer's first message so far
    escalated: bool = False
    no_reply: bool = False  # done without the customer writing back
    wake_in: datetime.timedelta | None = None  # snoozed until a time; None: until the customer replies
    pinned: bool = False
    note_by: User | None = None
    mention: User | Team | None = None

    @property
    def order(self) -> int:
        return 10480 + self.index * 37

    @property
    def name(self) -> str:
        return self.scenario.name.format(order=self.order)

    def fill(self, text: str) -> str:
        first = self.customer.first_name or self.customer.display_name
        agent = self.assignee.display_name.split(" ")[0] if self.assignee else ""
        return text.format(first=first, order=self.order, agent=agent)


@dataclass
class Workspace:
    """The workspace rows the demo conversations use, by name."""

    tags: dict[str, Tag]
    queues: dict[str, Queue]
    sub_statuses: dict[str, SubStatus]
    teams: dict[str, Team]


@dataclass
class Clock:
    """When each row of a new demo conversation happened (the services stamp them "now")."""

    start: datetime.datetime
    messages: dict[int, datetime.datetime] = field(default_factory=dict)
    notes: dict[int, datetime.datetime] = field(default_factory=dict)

    @property
    def last(self) -> datetime.datetime:
        return max([self.start, *self.messages.values(), *self.notes.values()])


def _status(index: int) -> str:
    if index % 3 == 2:
        return Status.DONE
    if index % 6 == 1:
        return Status.SNOOZED
    return Status.OPEN


def _plans(customers: list[Customer | None], people: dict[str, User], workspace: Workspace) -> list[Plan]:
    alex, sam, max_ = people[ALEX], people[SAM], people[MAX]
    plans: list[Plan] = []
    ranks: dict[str, int] = {Status.OPEN: 0, Status.SNOOZED: 0, Status.DONE: 0}
    for index in range(CONVERSATION_COUNT):
        customer = customers[(index * 7) % len(customers)]
        status = _status(index)
        rank = ranks[status]
        ranks[status] += 1
        if customer is None:
            continue
        scenario = SCENARIOS[index % len(SCENARIOS)]
        channel = Channel.EMAIL
        if index % 10 in (3, 8) and customer.phones.exists():
            channel = Channel.SMS
        elif index % 10 == 6:
            channel = Channel.CHAT
        plan = Plan(index, customer, scenario, status, None, channel)
        if status == Status.OPEN:
            # agent@example.com's "Mine" list: the first 8 open conversations.
            plan.assignee = alex if rank < 8 else sam if rank < 15 else max_ if rank < 18 else None
            plan.fresh = plan.assignee is None or rank in (2, 6, 11)
            plan.escalated = not plan.fresh and rank in (1, 9, 13)
        elif status == Status.SNOOZED:
            plan.assignee = alex if rank % 2 == 0 else sam
            if rank % 2:
                plan.wake_in = datetime.timedelta(days=1 + rank % 4, hours=rank)
        else:
            plan.assignee = [alex, sam, max_][rank % 3]
            plan.no_reply = rank % 3 == 0
        plan.pinned = index in (0, 7, 22)
        if plan.assignee is not None and index % 5 == 0:
            plan.note_by = plan.assignee
            billing = workspace.teams.get("Billing")
            if scenario.queue == "Billing" and billing is not None:
                plan.mention = billing
            else:
                plan.mention = sam if plan.assignee.pk == alex.pk else alex
        plans.append(plan)
    return plans


def _mention_html(target: User | Team) -> str:
    kind, label = ("team", target.name) if isinstance(target, Team) else ("user", target.display_name)
    return f'<span class="mention" data-mention-type="{kind}" data-mention-id="{target.pk}">@{label}</span>'


def _receive(conversation: Conversation, plan: Plan, clock: Clock, text: str, at: datetime.datetime) -> None:
    sender = ""
    if plan.channel == Channel.SMS:
        sender = plan.customer.phones.values_list("phone", flat=True).first() or ""
    elif plan.channel == Channel.EMAIL:
        sender = plan.customer.primary_email
    is_email = plan.channel == Channel.EMAIL
    subject = (plan.name if at == clock.start else f"Re: {plan.name}") if is_email else ""
    message = message_receive(
        conversation=conversation,
        channel=plan.channel,
        subject=subject,
        body_text=text,
        body_html=text_to_html(text) if is_email else "",
        from_address=sender,
        to=[SUPPORT_ADDRESS] if is_email else [],
        received_at=at,
    )
    clock.messages[message.pk] = at


def _send(conversation: Conversation, plan: Plan, clock: Clock, text: str, at: datetime.datetime) -> None:
    author = plan.assignee
    if author is None:  # unassigned conversations have had no reply yet
        return
    is_email = plan.channel == Channel.EMAIL
    to = list(plan.customer.phones.values_list("phone", flat=True)[:1]) if plan.channel == Channel.SMS else []
    message = message_send(
        actor=author,
        conversation=conversation,
        channel=plan.channel,
        subject=f"Re: {plan.name}" if is_email else "",
        body_html=text_to_html(text),
        to=to,
        from_address=SUPPORT_ADDRESS if is_email else "",
    )
    clock.messages[message.pk] = at


def _build(
    plan: Plan, *, admin: User, now: datetime.datetime, workspace: Workspace
) -> tuple[Conversation, Clock]:
    scenario, index = plan.scenario, plan.index
    # The story, in minutes after the customer's first message.
    reply_at = 20 + (index * 13) % 160
    again_at = reply_at + 240 + (index * 29) % 1200
    closing_at = again_at + 30 + (index * 7) % 90
    age = datetime.timedelta(hours=3 + ((index * 41) % 60) * 11.9)
    start = now - max(age, datetime.timedelta(minutes=closing_at + 30))
    clock = Clock(start=start)

    def minutes(n: int) -> datetime.datetime:
        return start + datetime.timedelta(minutes=n)

    conversation = conversation_services.conversation_create(
        actor=None, customer=plan.customer, name=plan.name, channel=plan.channel
    )
    first_text = scenario.short if plan.channel != Channel.EMAIL else scenario.inbound
    _receive(conversation, plan, clock, plan.fill(first_text), start)

    # Triage by the admin: queue (a transfer unassigns), then team and agent, priority, tags.
    queue, team = workspace.queues.get(scenario.queue), workspace.teams.get(scenario.queue)
    if queue is not None:
        conversation_services.conversation_transfer(actor=admin, conversation=conversation, queue=queue)
    conversation_services.conversation_assign(
        actor=admin,
        conversation=conversation,
        users=[plan.assignee] if plan.assignee else [],
        teams=[team] if team else [],
    )
    company = plan.customer.company
    is_vip = company is not None and company.name == "Globex Corporation"
    bump = 1 if is_vip or plan.escalated else 0
    conversation_services.conversation_set_priority(
        actor=admin, conversation=conversation, priority=min(Priority.HIGHEST, scenario.priority + bump)
    )
    for tag_name in [*scenario.tags, *(["VIP"] if is_vip else [])]:
        tag = workspace.tags.get(tag_name)
        if tag is not None:
            conversation_add_tag(actor=admin, conversation=conversation, tag=tag)

    if not plan.fresh:
        _send(conversation, plan, clock, plan.fill(scenario.reply), minutes(reply_at))
    if plan.note_by is not None and plan.mention is not None:
        body = text_to_html(plan.fill(scenario.note.replace("{mention}", "MENTION")))
        note = note_create(
            actor=plan.note_by,
            conversation=conversation,
            body_html=body.replace("MENTION", _mention_html(plan.mention)),
            assigned_user=plan.mention if isinstance(plan.mention, User) and index % 10 == 0 else None,
        )
        clock.notes[note.pk] = minutes(15 if plan.fresh else reply_at + 10)
    if plan.status == Status.OPEN and not plan.fresh:
        _receive(conversation, plan, clock, plan.fill(scenario.follow_up), minutes(again_at))
    elif plan.status == Status.DONE and not plan.no_reply:
        _receive(conversation, plan, clock, plan.fill(scenario.thanks), minutes(again_at))
        _send(conversation, plan, clock, plan.fill(scenario.closing), minutes(closing_at))

    # Where the conversation stands now.
    subs = workspace.sub_statuses
    if plan.escalated and ESCALATED in subs:
        conversation_services.conversation_set_sub_status(
            actor=admin, conversation=conversation, sub_status=subs[ESCALATED]
        )
    if plan.status == Status.SNOOZED:
        conversation_services.conversation_snooze(
            actor=admin,
            conversation=conversation,
            until=timezone.now() + plan.wake_in if plan.wake_in else None,
            until_customer_replies=plan.wake_in is None,
            sub_status=subs.get(WAITING) if plan.wake_in is None else None,
        )
    elif plan.status == Status.DONE:
        conversation_services.conversation_done(
            actor=admin, conversation=conversation, sub_status=subs.get(NO_REPLY) if plan.no_reply else None
        )
    if plan.pinned:
        conversation_services.conversation_set_pinned(actor=admin, conversation=conversation, pinned=True)
    return conversation, clock


TRIAGE = {
    ConversationEvent.Kind.QUEUE,
    ConversationEvent.Kind.ASSIGNED,
    ConversationEvent.Kind.PRIORITY,
    ConversationEvent.Kind.TAG_ADDED,
}


def _retime(conversation: Conversation, clock: Clock) -> None:
    """Move a new demo conversation's rows to the times of its story (see the module docstring)."""
    start, last = clock.start, clock.last
    triage_at = start + datetime.timedelta(minutes=3)
    messages = list(Message.objects.filter(conversation=conversation))
    for message in messages:
        message.created_at = clock.messages[message.pk]
        if message.direction == Message.Direction.OUT:
            message.delivery_status = Message.DeliveryStatus.SENT
            message.sent_at = message.created_at
    Message.objects.bulk_update(messages, ["created_at", "delivery_status", "sent_at"])
    notes = list(Note.objects.filter(conversation=conversation))
    for note in notes:
        note.created_at = note.updated_at = clock.notes[note.pk]
    Note.objects.bulk_update(notes, ["created_at", "updated_at"])
    events = list(ConversationEvent.objects.filter(conversation=conversation).order_by("id"))
    for n, event in enumerate(events):
        if event.kind == ConversationEvent.Kind.CREATED:
            event.created_at = start
        elif event.kind == ConversationEvent.Kind.MESSAGE:
            event.created_at = clock.messages[event.data["message_id"]]
        elif event.kind == ConversationEvent.Kind.NOTE:
            event.created_at = clock.notes[event.data["note_id"]]
        elif event.kind in TRIAGE:
            event.created_at = triage_at + datetime.timedelta(seconds=n)
        else:
            event.created_at = last + datetime.timedelta(minutes=5, seconds=n)
    ConversationEvent.objects.bulk_update(events, ["created_at"])
    status = Conversation.objects.values_list("status", flat=True).get(pk=conversation.pk)
    notifications = list(Notification.objects.filter(conversation=conversation))
    for notification in notifications:
        at = clock.notes.get(notification.note_id or 0, triage_at)
        notification.created_at = notification.emailed_at = at
        notification.read_at = at if status == Status.DONE else None
    Notification.objects.bulk_update(notifications, ["created_at", "emailed_at", "read_at"])
    inbound = [m.created_at for m in messages if m.direction == Message.Direction.IN]
    outbound = [m.created_at for m in messages if m.direction == Message.Direction.OUT]
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=start,
        last_activity_at=last,
        updated_at=max(e.created_at for e in events),
        first_message_in_at=min(inbound, default=None),
        last_message_in_at=max(inbound, default=None),
        first_message_out_at=min(outbound, default=None),
        last_message_out_at=max(outbound, default=None),
    )


def _workspace(admin: User) -> tuple[Workspace, int]:
    """Tags, queues and sub statuses by name, adding the missing ones."""
    added = 0
    tags: dict[str, Tag] = {}
    for name, color in TAGS.items():
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = tag_create(actor=admin, name=name, color=color)
            added += 1
        tags[name] = tag
    queues: dict[str, Queue] = {}
    for name, description in QUEUES.items():
        queue = Queue.objects.filter(name__iexact=name).first()
        if queue is None:
            # No queue service yet (routing brings one): a plain row, as the Django admin adds it.
            queue = Queue.objects.create(name=name, description=description)
            added += 1
        queues[name] = queue
    sub_statuses: dict[str, SubStatus] = {}
    for status, name, description in SUB_STATUSES:
        sub_status = SubStatus.objects.filter(status=status, name__iexact=name, is_deleted=False).first()
        if sub_status is None:
            sub_status = sub_status_create(actor=admin, status=status, name=name, description=description)
            added += 1
        if sub_status.is_usable:
            sub_statuses[name] = sub_status
    teams = {team.name: team for team in Team.objects.filter(name__in=list(QUEUES))}
    return Workspace(tags=tags, queues=queues, sub_statuses=sub_statuses, teams=teams), added


def seed() -> str:
    admin = demo_admin()
    if admin is None:
        return "skipped: the demo admin (admin@example.com) is missing"
    people = {u.email.lower(): u for u in User.objects.filter(email__in=[ALEX, SAM, MAX], is_active=True)}
    for email in (ALEX, SAM, MAX):
        people.setdefault(email, admin)
    workspace, settings_added = _workspace(admin)
    customers: list[Customer | None] = []
    for row in CUSTOMERS:
        found = CustomerEmail.objects.filter(email__iexact=row.primary_email).first()
        customers.append(found.customer if found else None)
    now = timezone.now()
    added: list[Conversation] = []
    for plan in _plans(customers, people, workspace):
        if Conversation.objects.filter(customer=plan.customer, name=plan.name).exists():
            continue
        conversation, clock = _build(plan, admin=admin, now=now, workspace=workspace)
        _retime(conversation, clock)
        added.append(conversation)
    if added:
        latest = Conversation.objects.filter(customer=OuterRef("pk")).order_by("-last_activity_at")
        Customer.objects.filter(pk__in={c.customer_id for c in added}).update(
            last_activity_at=Subquery(latest.values("last_activity_at")[:1])
        )
    return f"{settings_added} tags, queues and sub statuses, {len(added)} conversations added"
