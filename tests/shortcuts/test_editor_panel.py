"""Snippets & Dynamic Text: the panel of the shortcut editor and of the reply editor, and the
snippet ↔ shortcut links on the Snippets settings pages."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from conversations.models import Conversation
from conversations.services.conversations import conversation_create
from core.sanitize import sanitize_editor_html
from customers.models import Customer
from customers.services import customer_create
from shortcuts import services
from shortcuts.models import LocalizationSettings, Shortcut, Snippet, SnippetTranslation
from shortcuts.selectors import snippet_uses
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
SHORTCUT_PANEL = reverse("shortcuts:shortcut_editor_panel")
SHORTCUT_SNIPPETS = reverse("shortcuts:shortcut_editor_panel_snippets")
SHORTCUT_DYNAMIC = reverse("shortcuts:shortcut_editor_panel_dynamic_text")
SNIPPET_LIST = reverse("shortcuts:snippet_list")


@pytest.fixture
def content_admin(db: None) -> User:
    return UserFactory(email="content@example.com", sets=["Content Administrator"])


@pytest.fixture
def languages(db: None) -> LocalizationSettings:
    """English (default), French and German enabled."""
    return services.localization_update(
        actor=None, default_language="en", enabled_languages=["en", "fr", "de"]
    )


@pytest.fixture
def customer(owner: User) -> Customer:
    return customer_create(
        actor=owner,
        first_name="Jane",
        last_name="Doe",
        emails=[("jane@example.org", "home")],
        locale="fr",
        custom={"plan": "Gold"},
    )


@pytest.fixture
def conversation(owner: User, customer: Customer) -> Conversation:
    return conversation_create(actor=owner, customer=customer, name="Refund for Jane", channel="email")


def _reply_url(conversation: Conversation, part: str = "") -> str:
    name = {"": "reply_editor_panel", "snippets": "reply_editor_panel_snippets"}.get(
        part, "reply_editor_panel_dynamic_text"
    )
    return reverse(f"shortcuts:{name}", args=[conversation.pk])


def _snippet(name: str = "greeting", **texts: str) -> Snippet:
    return services.snippet_create(actor=None, name=name, texts=texts or {"en": "Hello"})


def _shortcut(name: str, message: str, *, actor: User | None = None, share: str = "public") -> Shortcut:
    return services.shortcut_create(actor=actor, name=name, message=message, share=share)


def _option(page: str, marker: str) -> str:
    """The opening tag of the panel option holding ``marker`` (a data-path or an id)."""
    at = page.index(marker)
    start = page.rindex("<div", 0, at)
    return page[start : page.index(">", at) + 1]


# --- access ----------------------------------------------------------------------------------


class TestAccess:
    @pytest.mark.parametrize("url", [SHORTCUT_PANEL, SHORTCUT_SNIPPETS, SHORTCUT_DYNAMIC])
    @pytest.mark.parametrize("persona", ["outsider", "agent", "manager"])
    def test_it_refuses_the_shortcut_editor_panel_without_manage_shortcuts(
        self, url: str, persona: str, request: pytest.FixtureRequest, client_for: ClientFor
    ) -> None:
        assert client_for(request.getfixturevalue(persona)).get(url).status_code == 403

    @pytest.mark.parametrize("persona", ["content_admin", "admin_user"])
    def test_it_lets_those_who_manage_shortcuts_open_the_shortcut_editor_panel(
        self, persona: str, request: pytest.FixtureRequest, client_for: ClientFor
    ) -> None:
        assert client_for(request.getfixturevalue(persona)).get(SHORTCUT_PANEL).status_code == 200

    @pytest.mark.parametrize("part", ["", "snippets", "dynamic"])
    def test_it_answers_404_to_an_outsider_of_the_conversation(
        self, part: str, outsider: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        assert client_for(outsider).get(_reply_url(conversation, part)).status_code == 404

    def test_it_answers_404_for_a_missing_conversation(self, agent: User, client_for: ClientFor) -> None:
        url = reverse("shortcuts:reply_editor_panel", args=[999999])
        assert client_for(agent).get(url).status_code == 404

    def test_it_answers_404_to_a_collaborator_not_brought_into_the_conversation(
        self, collaborator: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        assert client_for(collaborator).get(_reply_url(conversation)).status_code == 404

    @pytest.mark.parametrize("url", [SHORTCUT_PANEL, SHORTCUT_DYNAMIC])
    def test_it_sends_anonymous_visitors_to_sign_in(self, url: str) -> None:
        response = Client().get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]

    def test_it_sends_anonymous_visitors_of_the_reply_panel_to_sign_in(
        self, conversation: Conversation
    ) -> None:
        response = Client().get(_reply_url(conversation))
        assert response.status_code == 302
        assert "login" in response["Location"]

    def test_it_refuses_a_post(self, agent: User, conversation: Conversation, client_for: ClientFor) -> None:
        assert client_for(agent).post(_reply_url(conversation)).status_code == 405


# --- the panel -------------------------------------------------------------------------------


class TestPanel:
    def test_it_answers_the_fragment_with_both_tabs(
        self, agent: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        page = client_for(agent).get(_reply_url(conversation)).content.decode()
        assert page.lstrip().startswith('<div class="editor-panel" id="editor-panel"')
        assert "<html" not in page
        assert ">Snippets</button>" in page
        assert ">Dynamic Text</button>" in page
        assert f'hx-get="{_reply_url(conversation, "snippets")}"' in page
        assert f'hx-get="{_reply_url(conversation, "dynamic")}"' in page

    def test_the_reply_editor_offers_no_current_user_options(
        self, agent: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        page = client_for(agent).get(_reply_url(conversation)).content.decode()
        assert "Customer First Name" in page
        assert "Conversation Name" in page
        assert "Current User" not in page
        assert "currentUser." not in page

    def test_the_shortcut_editor_offers_every_group_as_tokens(
        self, content_admin: User, client_for: ClientFor
    ) -> None:
        page = client_for(content_admin).get(SHORTCUT_PANEL).content.decode()
        for group in ("Customer", "Conversation", "Current User"):
            assert f">{group}</div>" in page
        option = _option(page, 'data-path="customer.firstName"')
        assert 'data-insert-text="{{customer.firstName}}"' in option
        assert 'data-token-class="dt-token"' in option
        assert "data-insert-html" not in option

    def test_it_groups_custom_attributes(
        self, agent: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        page = client_for(agent).get(_reply_url(conversation)).content.decode()
        assert ">Custom attributes</div>" in page
        assert 'data-insert-html="Gold"' in _option(page, 'data-path="customer.custom.plan"')

    def test_it_searches_dynamic_text(
        self, agent: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        response = client_for(agent).get(
            _reply_url(conversation, "dynamic"), {"q": "first name"}, headers={"HX-Request": "true"}
        )
        page = response.content.decode()
        assert page.lstrip().startswith('<div class="editor-panel-list" id="editor-panel-dynamic"')
        assert "Customer First Name" in page
        assert "Customer Last Name" not in page

    def test_it_says_when_no_dynamic_text_matches(
        self, agent: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        page = client_for(agent).get(_reply_url(conversation, "dynamic"), {"q": "zzz"}).content.decode()
        assert "No dynamic text matches “zzz”." in page


class TestValues:
    def test_it_inserts_the_value_for_this_conversation(
        self, agent: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        page = client_for(agent).get(_reply_url(conversation)).content.decode()
        assert 'data-insert-html="Jane"' in _option(page, 'data-path="customer.firstName"')
        assert 'data-insert-html="Refund for Jane"' in _option(page, 'data-path="conversation.name"')
        assert "{{customer.firstName}}" not in page

    def test_an_empty_value_inserts_nothing_and_says_so(
        self, agent: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        page = client_for(agent).get(_reply_url(conversation)).content.decode()
        option = _option(page, 'data-path="customer.phone"')
        assert 'data-empty="No value for this customer"' in option
        assert "data-insert-html" not in option

    def test_a_value_from_the_customer_is_escaped(
        self, owner: User, agent: User, client_for: ClientFor
    ) -> None:
        customer = customer_create(actor=owner, first_name="<script>alert(1)</script>", last_name="&")
        conversation = conversation_create(actor=owner, customer=customer, name='"quoted" <b>')
        page = client_for(agent).get(_reply_url(conversation)).content.decode()
        assert "<script>alert(1)</script>" not in page
        option = _option(page, 'data-path="customer.firstName"')
        # Escaped by the template engine (the HTML inserted), then again for the attribute.
        value = option.split('data-insert-html="', 1)[1].split('"', 1)[0]
        assert html.unescape(value) == "&lt;script&gt;alert(1)&lt;/script&gt;"
        name = (
            _option(page, 'data-path="conversation.name"').split('data-insert-html="', 1)[1].split('"', 1)[0]
        )
        assert html.unescape(name) == "&quot;quoted&quot; &lt;b&gt;"

    def test_a_value_is_never_evaluated_as_a_template(
        self, owner: User, agent: User, client_for: ClientFor
    ) -> None:
        customer = customer_create(actor=owner, first_name="{{currentUser.email}}")
        conversation = conversation_create(actor=owner, customer=customer)
        page = client_for(agent).get(_reply_url(conversation)).content.decode()
        assert 'data-insert-html="{{currentUser.email}}"' in _option(page, 'data-path="customer.firstName"')
        assert agent.email not in page


# --- snippets --------------------------------------------------------------------------------


class TestSnippets:
    def test_the_shortcut_editor_inserts_the_snippet_token(
        self, content_admin: User, client_for: ClientFor
    ) -> None:
        snippet = _snippet("order_issue", en="Sorry")
        page = client_for(content_admin).get(SHORTCUT_PANEL).content.decode()
        option = _option(page, f'id="editor-panel-snippet-{snippet.pk}"')
        assert 'data-insert-text="[[sn.order_issue]]"' in option
        assert 'data-token-class="sn-token"' in option
        assert "data-translation" not in page

    def test_the_reply_editor_inserts_the_text_in_the_customers_language(
        self, languages: LocalizationSettings, agent: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        snippet = _snippet("order_issue", en="Sorry", fr="Désolé", de="Entschuldigung")
        page = client_for(agent).get(_reply_url(conversation)).content.decode()
        option = _option(page, f'id="editor-panel-snippet-{snippet.pk}"')
        assert 'data-insert-html="Désolé"' in option
        assert 'data-language="fr"' in option

    def test_it_embeds_every_translation_for_the_language_drop_down(
        self, languages: LocalizationSettings, agent: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        _snippet("order_issue", en="Sorry", fr="Désolé", de="Entschuldigung")
        page = client_for(agent).get(_reply_url(conversation)).content.decode()
        assert 'data-language="en" data-label="English" data-html="Sorry"' in page
        assert 'data-language="fr" data-label="Français" data-html="Désolé"' in page
        assert 'data-language="de" data-label="Deutsch" data-html="Entschuldigung"' in page

    def test_it_falls_back_to_the_default_language_when_the_snippet_lacks_the_customers(
        self, languages: LocalizationSettings, agent: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        snippet = _snippet("order_issue", en="Sorry", de="Entschuldigung")
        page = client_for(agent).get(_reply_url(conversation)).content.decode()
        assert 'data-insert-html="Sorry"' in _option(page, f'id="editor-panel-snippet-{snippet.pk}"')

    def test_it_falls_back_to_the_default_language_when_the_customers_is_not_enabled(
        self, owner: User, agent: User, client_for: ClientFor
    ) -> None:
        services.localization_update(actor=None, default_language="en", enabled_languages=["en", "fr"])
        snippet = _snippet("order_issue", en="Sorry", fr="Désolé")
        # A German text left over from when German was enabled is not used.
        SnippetTranslation.objects.create(snippet=snippet, language="de", text="Entschuldigung")
        customer = customer_create(actor=owner, first_name="Hans", locale="de")
        conversation = conversation_create(actor=owner, customer=customer)
        page = client_for(agent).get(_reply_url(conversation)).content.decode()
        assert 'data-insert-html="Sorry"' in _option(page, f'id="editor-panel-snippet-{snippet.pk}"')
        assert "Entschuldigung" not in page  # nor offered in the language drop-down

    def test_it_uses_the_default_language_for_a_customer_without_a_locale(
        self, languages: LocalizationSettings, owner: User, agent: User, client_for: ClientFor
    ) -> None:
        snippet = _snippet("order_issue", en="Sorry", fr="Désolé")
        conversation = conversation_create(
            actor=owner, customer=customer_create(actor=owner, first_name="Al")
        )
        page = client_for(agent).get(_reply_url(conversation)).content.decode()
        assert 'data-insert-html="Sorry"' in _option(page, f'id="editor-panel-snippet-{snippet.pk}"')

    def test_it_escapes_the_snippet_text_and_keeps_its_line_breaks(
        self, agent: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        snippet = _snippet("warning", en="<b>Hi</b>\nBye & thanks")
        page = client_for(agent).get(_reply_url(conversation)).content.decode()
        option = _option(page, f'id="editor-panel-snippet-{snippet.pk}"')
        value = option.split('data-insert-html="', 1)[1].split('"', 1)[0]
        assert html.unescape(value) == "&lt;b&gt;Hi&lt;/b&gt;<br>Bye &amp; thanks"

    def test_it_flags_a_snippet_missing_the_default_text(
        self, languages: LocalizationSettings, agent: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        snippet = _snippet("greeting", en="Hello", fr="Bonjour")
        SnippetTranslation.objects.filter(snippet=snippet, language="en").delete()
        page = client_for(agent).get(_reply_url(conversation)).content.decode()
        assert "No text in English, the default language" in page
        assert 'data-insert-html="Bonjour"' in _option(page, f'id="editor-panel-snippet-{snippet.pk}"')

    @pytest.mark.parametrize("query", ["order", "sn.order", "SN.ORDER"])
    def test_it_searches_by_name_with_or_without_sn(
        self, query: str, agent: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        _snippet("order_issue")
        _snippet("greeting")
        response = client_for(agent).get(
            _reply_url(conversation, "snippets"), {"q": query}, headers={"HX-Request": "true"}
        )
        page = response.content.decode()
        assert page.lstrip().startswith('<div class="editor-panel-list" id="editor-panel-snippets"')
        assert "<html" not in page
        assert "sn.order_issue" in page
        assert "sn.greeting" not in page

    def test_it_says_when_no_snippet_matches(self, content_admin: User, client_for: ClientFor) -> None:
        page = client_for(content_admin).get(SHORTCUT_SNIPPETS, {"q": "zzz"}).content.decode()
        assert "No snippets match “zzz”." in page

    def test_it_lists_at_most_20_and_says_so(self, content_admin: User, client_for: ClientFor) -> None:
        for i in range(21):
            _snippet(f"s_{i:02d}")
        page = client_for(content_admin).get(SHORTCUT_SNIPPETS).content.decode()
        assert page.count('class="editor-panel-option"') == 20
        assert "Showing the first 20" in page


# --- query counts ----------------------------------------------------------------------------


class TestQueryCounts:
    def test_the_reply_panel_runs_the_same_queries_for_1_and_20_snippets(
        self, languages: LocalizationSettings, agent: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        client = client_for(agent)
        _snippet("s_00", en="Hello", fr="Bonjour")
        client.get(_reply_url(conversation))  # warm the session and the settings row
        with CaptureQueriesContext(connection) as one:
            assert client.get(_reply_url(conversation)).status_code == 200
        for i in range(1, 20):
            _snippet(f"s_{i:02d}", en="Hello", fr="Bonjour", de="Hallo")
        with CaptureQueriesContext(connection) as twenty:
            assert client.get(_reply_url(conversation)).status_code == 200
        assert len(one.captured_queries) == len(twenty.captured_queries)

    def test_the_reply_panel_runs_the_same_queries_for_1_and_20_custom_attributes(
        self, owner: User, agent: User, client_for: ClientFor
    ) -> None:
        client = client_for(agent)
        few = conversation_create(
            actor=owner, customer=customer_create(actor=owner, first_name="A", custom={"k0": 1})
        )
        many = conversation_create(
            actor=owner,
            customer=customer_create(actor=owner, first_name="B", custom={f"k{i}": i for i in range(20)}),
        )
        client.get(_reply_url(few))
        with CaptureQueriesContext(connection) as one:
            assert client.get(_reply_url(few)).status_code == 200
        with CaptureQueriesContext(connection) as twenty:
            page = client.get(_reply_url(many)).content.decode()
        assert 'data-path="customer.custom.k19"' in page
        assert len(one.captured_queries) == len(twenty.captured_queries)

    def test_the_shortcut_panel_runs_the_same_queries_for_1_and_20_snippets(
        self, languages: LocalizationSettings, content_admin: User, client_for: ClientFor
    ) -> None:
        client = client_for(content_admin)
        _snippet("s_00")
        client.get(SHORTCUT_PANEL)
        with CaptureQueriesContext(connection) as one:
            assert client.get(SHORTCUT_PANEL).status_code == 200
        for i in range(1, 20):
            _snippet(f"s_{i:02d}", en="Hello", de="Hallo")
        with CaptureQueriesContext(connection) as twenty:
            assert client.get(SHORTCUT_PANEL).status_code == 200
        assert len(one.captured_queries) == len(twenty.captured_queries)


# --- the editor's HTML: tokens survive as text, and nothing new gets through ---------------


class TestSanitizer:
    def test_template_tokens_survive_as_text(self) -> None:
        clean = sanitize_editor_html("<p>Hi {{customer.firstName}}, [[sn.order_issue]]</p>")
        assert clean == "<p>Hi {{customer.firstName}}, [[sn.order_issue]]</p>"

    def test_a_saved_shortcut_keeps_its_tokens(self) -> None:
        shortcut = _shortcut("hello", "<p>Hi {{customer.firstName}} [[sn.order_issue]]</p>")
        assert shortcut.message_html == "<p>Hi {{customer.firstName}} [[sn.order_issue]]</p>"
        assert shortcut.snippet_names == ["order_issue"]

    def test_no_script_or_handler_gets_through_a_token_span(self) -> None:
        clean = sanitize_editor_html(
            '<span class="sn-token" data-html="x" onclick="alert(1)" style="color:red">Hi</span>'
            "<script>x</script>"
        )
        assert "onclick" not in clean
        assert "style" not in clean
        assert "data-html" not in clean
        assert "<script" not in clean


# --- snippet ↔ shortcut links --------------------------------------------------------------


class TestSnippetLinks:
    def test_the_list_names_the_shortcuts_using_each_snippet(
        self, content_admin: User, client_for: ClientFor
    ) -> None:
        snippet = _snippet("order_issue")
        shortcut = _shortcut("late_order", "<p>[[sn.order_issue]]</p>")
        page = client_for(content_admin).get(SNIPPET_LIST).content.decode()
        row = page[page.index(f'id="snippet-row-{snippet.pk}"') :]
        row = row[: row.index("</tr>")]
        edit = reverse("shortcuts:shortcut_edit", args=[shortcut.pk])
        assert "1 shortcut" in row
        assert f'<a href="{edit}" target="_blank" rel="noopener">late_order</a>' in row

    def test_the_edit_page_links_each_shortcut_to_its_edit_page(
        self, content_admin: User, client_for: ClientFor
    ) -> None:
        snippet = _snippet("order_issue")
        first = _shortcut("late_order", "<p>[[sn.order_issue]]</p>")
        second = _shortcut("lost_order", "<p>[[sn.Order_Issue]] and more</p>")
        _shortcut("unrelated", "<p>Hello</p>")
        page = (
            client_for(content_admin)
            .get(reverse("shortcuts:snippet_edit", args=[snippet.pk]))
            .content.decode()
        )
        section = page[page.index('id="snippet-used-by"') :]
        for shortcut in (first, second):
            edit = reverse("shortcuts:shortcut_edit", args=[shortcut.pk])
            assert f'<a href="{edit}" target="_blank" rel="noopener">{shortcut.name}</a>' in section
        assert "unrelated" not in section

    def test_the_edit_page_says_when_no_shortcut_uses_it(
        self, content_admin: User, client_for: ClientFor
    ) -> None:
        snippet = _snippet("order_issue")
        page = (
            client_for(content_admin)
            .get(reverse("shortcuts:snippet_edit", args=[snippet.pk]))
            .content.decode()
        )
        assert "No shortcut uses <code>sn.order_issue</code> yet." in page

    def test_private_shortcuts_of_others_are_counted_not_named(
        self, content_admin: User, admin_user: User, client_for: ClientFor
    ) -> None:
        snippet = _snippet("order_issue")
        _shortcut("mine_private", "[[sn.order_issue]]", actor=content_admin, share="private")
        _shortcut("secret_one", "[[sn.order_issue]]", actor=admin_user, share="private")
        _shortcut("secret_two", "[[sn.order_issue]]", actor=admin_user, share="private")
        page = (
            client_for(content_admin)
            .get(reverse("shortcuts:snippet_edit", args=[snippet.pk]))
            .content.decode()
        )
        assert "mine_private" in page
        assert "secret_one" not in page
        assert "secret_two" not in page
        assert "and 2 private shortcuts" in page

    def test_only_private_shortcuts_of_others_are_counted_alone(
        self, content_admin: User, admin_user: User, client_for: ClientFor
    ) -> None:
        _snippet("order_issue")
        _shortcut("secret_one", "[[sn.order_issue]]", actor=admin_user, share="private")
        page = client_for(content_admin).get(SNIPPET_LIST).content.decode()
        assert "secret_one" not in page
        assert ">1 private shortcut</li>" in page

    def test_snippet_uses_is_one_query(self, content_admin: User, django_assert_num_queries: object) -> None:
        for i in range(3):
            _snippet(f"s_{i}")
            _shortcut(f"uses_{i}", f"[[sn.s_{i}]] [[sn.s_0]]")
        with django_assert_num_queries(1):  # type: ignore[operator]
            uses = snippet_uses(user=content_admin, names=["s_0", "S_1", "s_2", "none"])
        assert [s.name for s in uses["s_0"].shortcuts] == ["uses_0", "uses_1", "uses_2"]
        assert [s.name for s in uses["s_1"].shortcuts] == ["uses_1"]
        assert uses["none"].total == 0

    def test_the_list_runs_the_same_queries_for_1_and_20_snippets_used_by_shortcuts(
        self, languages: LocalizationSettings, content_admin: User, admin_user: User, client_for: ClientFor
    ) -> None:
        client = client_for(content_admin)
        _snippet("s_00", en="Hello", fr="Bonjour")
        _shortcut("use_00", "[[sn.s_00]]")
        client.get(SNIPPET_LIST)  # warm the session and the settings row
        with CaptureQueriesContext(connection) as one:
            assert client.get(SNIPPET_LIST).status_code == 200
        for i in range(1, 20):
            _snippet(f"s_{i:02d}", en="Hello", de="Hallo")
            _shortcut(f"use_{i:02d}", f"[[sn.s_{i:02d}]] [[sn.s_00]]")
            _shortcut(f"private_{i:02d}", f"[[sn.s_{i:02d}]]", actor=admin_user, share="private")
        with CaptureQueriesContext(connection) as twenty:
            page = client.get(SNIPPET_LIST).content.decode()
        assert "20 shortcuts" in page
        assert len(one.captured_queries) == len(twenty.captured_queries)
