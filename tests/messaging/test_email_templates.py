"""Email templates: the rules when saving, rendering around a reply (snippets in the customer's
language, values escaped, the reply never evaluated), the wrap in outbound mail, the reply
editor's choice, the settings pages (preview sandboxed), and the shortcut action."""

from __future__ import annotations

from collections.abc import Callable
from email import message_from_bytes
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from conversations.models import Conversation, Message
from conversations.services.conversations import conversation_create
from customers.services import customer_create
from messaging import email_templates as services
from messaging.email_templates import render_email_html, template_for
from messaging.models_templates import EmailTemplate
from messaging.outbound_mail import build_email
from shortcuts import services as shortcut_services
from shortcuts.services import ShortcutActions
from shortcuts.services.applying import shortcut_apply

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
WRAP = '<div class="brand">[[sn.hello]] {{customer.firstName}}</div>{{message}}<footer>Acme</footer>'


@pytest.fixture
def conversation(admin_user: User) -> Conversation:
    customer = customer_create(
        actor=admin_user, first_name="Jeanne", emails=[("jeanne@example.com", "home")], locale="fr"
    )
    return conversation_create(actor=admin_user, customer=customer, name="Commande", channel="email")


@pytest.fixture
def french() -> None:
    shortcut_services.localization_update(actor=None, default_language="en", enabled_languages=["en", "fr"])
    shortcut_services.snippet_create(actor=None, name="hello", texts={"en": "Hello", "fr": "Bonjour"})


def create(name: str = "Branded", html: str = WRAP, **kwargs: Any) -> EmailTemplate:
    return services.email_template_create(actor=None, name=name, html=html, **kwargs)


class TestRules:
    @pytest.mark.parametrize(
        ("html", "message"),
        [
            ("<p>no slot</p>", "exactly once"),
            ("{{message}}{{message}}", "exactly once"),
            ("{{message}} {{#ifCond a}}", "Line 1, column"),
        ],
    )
    def test_bad_bodies_are_refused_with_a_clear_message(self, html: str, message: str) -> None:
        with pytest.raises(ValidationError) as excinfo:
            create(html=html)
        assert message in excinfo.value.message_dict["html"][0]
        assert not EmailTemplate.objects.exists()

    def test_css_with_closing_pairs_is_accepted(self) -> None:
        template = create(html="<style>@media (max-width: 600px) { .c { width: 100% }}</style>{{message}}")
        assert template.pk

    def test_names_are_unique_ignoring_case(self) -> None:
        create("Branded")
        with pytest.raises(ValidationError, match="already exists"):
            create("BRANDED")

    def test_the_first_is_the_default_and_there_is_one_default(self) -> None:
        first = create("First")
        second = create("Second", is_default=True)
        first.refresh_from_db()
        assert (first.is_default, second.is_default) == (False, True)
        with pytest.raises(ValidationError, match="Make another template the default first"):
            services.email_template_update(
                actor=None, template=second, name="Second", html=WRAP, is_default=False
            )
        with pytest.raises(ValidationError, match="before deleting"):
            services.email_template_delete(actor=None, template=second)
        services.email_template_delete(actor=None, template=first)


class TestRendering:
    def test_snippets_in_the_customers_language_and_values_escaped(
        self, admin_user: User, conversation: Conversation, french: None
    ) -> None:
        Conversation.objects.filter(pk=conversation.pk)
        conversation.customer.first_name = "<b>Jeanne</b>"
        conversation.customer.save()
        html = render_email_html(
            create(), "<p>{{customer.email}} stays as typed</p>", conversation=conversation, user=admin_user
        )
        assert html.startswith('<div class="brand">Bonjour &lt;b&gt;Jeanne&lt;/b&gt;</div>')
        assert "<p>{{customer.email}} stays as typed</p>" in html  # the reply is never evaluated
        assert html.endswith("<footer>Acme</footer>")

    def test_the_outbound_email_is_wrapped_in_the_chosen_or_default_template(
        self, admin_user: User, conversation: Conversation, french: None
    ) -> None:
        default = create("Default")
        other = create("Other", html="<section>{{message}}</section>")
        for options, expected in (
            ({}, '<div class="brand">Bonjour Jeanne</div>'),
            ({"email_template": other.pk}, "<section>"),
        ):
            message = Message.objects.create(
                conversation=conversation, customer=conversation.customer, direction="out", channel="email",
                body_html="<p>Here it is</p>", body_text="Here it is", to=["jeanne@example.com"],
                delivery_status="queued", external_id=f"<x{len(options)}@acme.example>", author=admin_user,
                channel_options=options,
            )  # fmt: skip
            parsed = message_from_bytes(build_email(message).message().as_bytes())
            html = next(p for p in parsed.walk() if p.get_content_type() == "text/html")
            body = html.get_payload(decode=True).decode()
            assert expected in body and "<p>Here it is</p>" in body
        assert template_for({}) == default

    def test_a_template_deleted_since_falls_back_to_the_default(self) -> None:
        default = create("Default")
        assert template_for({"email_template": 999_999}) == default


class TestReplyEditor:
    def test_the_chosen_template_is_kept_on_the_message(
        self, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        create("Default")
        other = create("Other", html="<section>{{message}}</section>")
        client = client_for(admin_user)
        page = client.get(conversation.get_absolute_url()).content.decode()
        assert 'name="email_template"' in page and ">Other</option>" in page
        client.post(
            reverse("conversations:reply", args=[conversation.pk]),
            {"channel": "email", "body": "Hi", "body_format": "text", "email_template": other.pk},
        )
        assert Message.objects.get(conversation=conversation).channel_options == {"email_template": other.pk}

    def test_an_unknown_template_is_refused(
        self, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        create("Default")
        response = client_for(admin_user).post(
            reverse("conversations:reply", args=[conversation.pk]),
            {"channel": "email", "body": "Hi", "body_format": "text", "email_template": "999999"},
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert not Message.objects.exists()


class TestSettingsPages:
    def test_add_edit_preview_and_delete(self, admin_user: User, client_for: ClientFor) -> None:
        client = client_for(admin_user)
        assert (
            "No email templates yet" in client.get(reverse("messaging:email_template_list")).content.decode()
        )
        response = client.post(
            reverse("messaging:email_template_create"),
            {"name": "Branded", "html": "<h1>Acme</h1>{{message}}"},
        )
        template = EmailTemplate.objects.get()
        assert response["Location"] == reverse("messaging:email_template_edit", args=[template.pk])
        assert template.is_default
        edit = client.get(response["Location"]).content.decode()
        assert 'sandbox class="preview-frame"' in edit
        preview = client.get(reverse("messaging:email_template_preview", args=[template.pk]))
        assert "<h1>Acme</h1><p>Hi there,</p>" in preview.content.decode()
        assert (
            "sandbox" in preview["Content-Security-Policy"]
            and "script" not in preview["Content-Security-Policy"]
        )
        bad = client.post(response["Location"], {"name": "Branded", "html": "<h1>no slot</h1>"})
        assert (
            "exactly once" in bad.content.decode() and "&lt;h1&gt;no slot&lt;/h1&gt;" in bad.content.decode()
        )
        client.post(reverse("messaging:email_template_delete", args=[template.pk]))
        assert not EmailTemplate.objects.exists()

    def test_agents_and_outsiders_are_refused(
        self, agent: User, outsider: User, client_for: ClientFor
    ) -> None:
        template = create()
        for user in (agent, outsider):
            client = client_for(user)
            assert client.get(reverse("messaging:email_template_list")).status_code == 403
            assert (
                client.get(reverse("messaging:email_template_preview", args=[template.pk])).status_code == 403
            )

    def test_the_list_query_count_does_not_grow(self, admin_user: User, client_for: ClientFor) -> None:
        client = client_for(admin_user)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                client.get(reverse("messaging:email_template_list"))
            return len(queries)

        create("T0")
        one = count()
        for n in range(1, 20):
            create(f"T{n}")
        assert count() == one


class TestShortcutAction:
    def test_a_shortcut_picks_its_email_template(self, admin_user: User, conversation: Conversation) -> None:
        create("Default")
        other = create("Other", html="<section>{{message}}</section>")
        shortcut = shortcut_services.shortcut_create(actor=None, name="formal", message="Dear customer,")
        shortcut = shortcut_services.shortcut_update(
            actor=None, shortcut=shortcut, name="formal", share="public", message="Dear customer,",
            actions=ShortcutActions(email_template=other.pk),
        )  # fmt: skip
        applied = shortcut_apply(actor=admin_user, shortcut=shortcut, conversation=conversation)
        assert applied.email_template == other.pk and applied.notes == ["Email Template: Other"]
        assert applied.changes == []

    def test_a_template_that_does_not_exist_is_refused(self) -> None:
        shortcut = shortcut_services.shortcut_create(actor=None, name="formal")
        with pytest.raises(ValidationError, match="no longer exists"):
            shortcut_services.shortcut_update(
                actor=None, shortcut=shortcut, name="formal", share="public",
                actions=ShortcutActions(email_template=12345),
            )  # fmt: skip
