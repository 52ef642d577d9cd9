from __future__ import annotations

import pytest
from django.core.management import call_command

from shortcuts.models import Shortcut, Snippet
from shortcuts.selectors import snippet_resolver
from shortcuts.template_language import compile_template

pytestmark = pytest.mark.django_db


def test_the_demo_shortcuts_seed_once_and_render_with_their_snippets() -> None:
    call_command("seed_demo", verbosity=0)
    counts = (Shortcut.objects.count(), Snippet.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Shortcut.objects.count(), Snippet.objects.count()) == counts == (4, 2)
    shortcut = Shortcut.objects.get(name="where_is_my_order")
    rendered = compile_template(shortcut.message_html).render(
        {"customer": {"firstName": "Jeanne"}, "currentUser": {"displayName": "Alex"}},
        escape="html",
        snippets=snippet_resolver(),
        language="fr",
        default_language="en",
    )
    assert "Hi Jeanne" in rendered.text
    assert "Je suis désolé" in rendered.text
    assert "Bien cordialement," in rendered.text
    assert "Alex" in rendered.text and not rendered.unknown


def test_the_demo_has_a_shortcut_with_actions() -> None:
    call_command("seed_demo", verbosity=0)
    shortcut = Shortcut.objects.get(name="refund_to_billing")
    assert sorted(shortcut.add_tags.values_list("name", flat=True)) == ["Billing", "Refund"]
    assert shortcut.queue is not None and shortcut.queue.name == "Billing"
    assert shortcut.subject == "Refund request: {{customer.name}}"
