"""Demo snippets, languages and shortcuts for `manage.py seed_demo` (idempotent: by name)."""

from __future__ import annotations

from accounts.models import User
from conversations.models import Queue, Tag
from shortcuts import services
from shortcuts.models import LocalizationSettings, Shortcut, ShortcutCategory, Snippet

SNIPPETS = {
    "signoff": {
        "en": "Best regards,",
        "fr": "Bien cordialement,",
        "de": "Mit freundlichen Grüßen,",
    },
    "order_issue": {
        "en": "I'm sorry about the trouble with your order.",
        "fr": "Je suis désolé pour le problème avec votre commande.",
    },
}

SHORTCUTS = [
    (
        "Orders",
        "where_is_my_order",
        "Hi {{customer.firstName}},\n\n[[sn.order_issue]] I checked with the carrier and your parcel "
        "is on its way.\n\n[[sn.signoff]]\n{{currentUser.displayName}}",
    ),
    (
        "Returns",
        "return_policy",
        '{{#ifCond customer.custom.tier "==" "Diamond"}}Our return policy is 60 days for Diamond '
        "members, {{../customer.firstName}}.{{else}}Our return policy is 30 days.{{/ifCond}}",
    ),
    (
        "Returns",
        "reservation_date",
        'Your reservation is on {{dateFormat customer.custom.reservationDateAt format="LL"}}.',
    ),
]


# Shortcuts whose actions change the conversation: (category, name, message, subject, tags, queue)
ACTION_SHORTCUTS = [
    (
        "Orders",
        "refund_to_billing",
        "Hi {{customer.firstName}}, I've passed your refund to our billing team: they will "
        "write to you within two business days.\n\n[[sn.signoff]]\n{{currentUser.displayName}}",
        "Refund request: {{customer.name}}",
        ["Refund", "Billing"],
        "Billing",
    ),
]


def seed() -> str:
    admin = User.objects.filter(email__iexact="admin@example.com").first()
    added = 0
    if LocalizationSettings.load().enabled_languages == ["en"]:  # only the first time
        services.localization_update(actor=admin, default_language="en", enabled_languages=["en", "fr", "de"])
    for name, texts in SNIPPETS.items():
        if not Snippet.objects.filter(name__iexact=name).exists():
            services.snippet_create(actor=admin, name=name, texts=texts)
            added += 1
    categories: dict[str, ShortcutCategory] = {}
    for category_name, name, message in SHORTCUTS:
        category = (
            categories.get(category_name)
            or ShortcutCategory.objects.filter(name__iexact=category_name, parent=None).first()
        )
        if category is None:
            category = services.category_create(actor=admin, name=category_name)
        categories[category_name] = category
        if not Shortcut.objects.filter(name__iexact=name).exists():
            services.shortcut_create(
                actor=admin, name=name, message=message, message_format="text", category=category
            )
            added += 1
    for category_name, name, message, subject, tag_names, queue_name in ACTION_SHORTCUTS:
        if Shortcut.objects.filter(name__iexact=name).exists():
            continue
        shortcut = services.shortcut_create(
            actor=admin, name=name, message=message, message_format="text", category=categories[category_name]
        )
        services.shortcut_update(
            actor=admin,
            shortcut=shortcut,
            name=name,
            share=shortcut.share,
            category=shortcut.category,
            message=message,
            message_format="text",
            actions=services.ShortcutActions(
                subject=subject,
                tags=list(Tag.objects.filter(name__in=tag_names, is_active=True)),
                queue=Queue.objects.filter(name=queue_name, is_active=True).first(),
            ),
        )
        added += 1
    return f"{added} snippets and shortcuts added"
