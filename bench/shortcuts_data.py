"""Bench data for the shortcut menu: 5,000 shortcuts (public, private and team-limited), with
categories and snippets, so the # menu's search is measured over a realistic library.

Idempotent: nothing is added when the bench shortcuts are already there.
"""

from __future__ import annotations

import random
from collections.abc import Callable

TOPICS = (
    "refund", "shipping", "return", "exchange", "billing", "invoice", "password", "login",
    "delivery", "damaged", "warranty", "cancel", "subscription", "upgrade", "discount",
    "tracking", "address", "payment", "vip", "feedback",
)  # fmt: skip
PHRASES = (
    "Thanks for reaching out, {{customer.firstName}}.",
    "I have looked into your order and here is what I found.",
    "[[sn.bench_apology]]",
    '{{#ifCond customer.custom.tier "==" "Gold"}}As a Gold member you get priority handling.'
    "{{else}}We will get back to you within two business days.{{/ifCond}}",
    'Your reservation is on {{dateFormat customer.custom.reservationDateAt format="ll"}}.',
    "You can follow the parcel with the tracking link in your confirmation email.",
    "Let me know if there is anything else I can help with.",
    "{{currentUser.displayName}}, Customer Care",
)


def generate_shortcuts(*, count: int = 5000, bench_user_id: int, log: Callable[[str], object] = print) -> str:
    from django.db import transaction

    from accounts.models import Team, User
    from shortcuts.models import Shortcut, ShortcutCategory, Snippet, SnippetTranslation

    if Shortcut.objects.filter(name__startswith="bench_").count() >= count:
        stale = Shortcut.objects.filter(name__startswith="bench_", search_text="")
        for shortcut in stale.iterator():  # made before search_text existed
            shortcut.refresh_search_text()
            Shortcut.objects.filter(pk=shortcut.pk).update(search_text=shortcut.search_text)
        return "already present"
    rng = random.Random(20261122)
    with transaction.atomic():
        snippet, _ = Snippet.objects.get_or_create(name="bench_apology")
        SnippetTranslation.objects.get_or_create(
            snippet=snippet, language="en", defaults={"text": "Sorry for the trouble."}
        )
        parents = []
        for topic in TOPICS[:8]:
            parent, _ = ShortcutCategory.objects.get_or_create(name=f"Bench {topic}", parent=None)
            parents.append(parent)
        children = [
            ShortcutCategory.objects.get_or_create(name=f"{p.name} sub {n}", parent=p)[0]
            for p in parents
            for n in range(3)
        ]
        categories = [None, *parents, *children]
        user_ids = list(User.objects.values_list("pk", flat=True)[:200])
        teams = list(Team.objects.all()[:20])
        existing = set(Shortcut.objects.filter(name__startswith="bench_").values_list("name", flat=True))
        shortcuts = []
        for n in range(count):
            topic = TOPICS[n % len(TOPICS)]
            name = f"bench_{topic}_{n}"
            if name in existing:
                continue
            roll = rng.random()
            share = (
                Shortcut.Share.PUBLIC
                if roll < 0.8
                else Shortcut.Share.PRIVATE
                if roll < 0.9 or not teams
                else Shortcut.Share.LIMITED
            )
            mine = share == Shortcut.Share.PRIVATE and rng.random() < 0.2
            owner = bench_user_id if mine else rng.choice(user_ids)
            body = " ".join(rng.sample(PHRASES, k=4))
            message = f"<p>About your {topic}: {body}</p>"
            shortcuts.append(
                Shortcut(
                    name=name,
                    message_html=message,
                    share=share,
                    owner_id=owner,
                    category=rng.choice(categories),
                    snippet_names=["bench_apology"] if "[[sn.bench_apology]]" in message else [],
                )
            )
            shortcuts[-1].refresh_search_text()
        created = Shortcut.objects.bulk_create(shortcuts, batch_size=1000)
        through = Shortcut.limited_teams.through
        through.objects.bulk_create(
            [
                through(shortcut_id=s.pk, team_id=rng.choice(teams).pk)
                for s in created
                if s.share == Shortcut.Share.LIMITED
            ],
            batch_size=1000,
        )
    log(f"    {len(created)} shortcuts created")
    return f"{len(created)} shortcuts created"
