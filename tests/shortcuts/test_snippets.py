"""Snippets: the name rules, one text per enabled language, the resolver, and the Settings pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from core.models import AuditEntry
from shortcuts import services
from shortcuts.models import SNIPPET_NAME_MESSAGE, LocalizationSettings, Snippet, SnippetTranslation
from shortcuts.selectors import snippet_resolver, snippet_text
from shortcuts.template_language import compile_template
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
LIST_URL = reverse("shortcuts:snippet_list")
ADD_URL = reverse("shortcuts:snippet_create")


@pytest.fixture
def content_admin(db: None) -> User:
    return UserFactory(email="content@example.com", sets=["Content Administrator"])


@pytest.fixture
def languages(db: None) -> LocalizationSettings:
    """English (default), French and German enabled."""
    return services.localization_update(
        actor=None, default_language="en", enabled_languages=["en", "fr", "de"]
    )


def _snippet(name: str = "greeting", **texts: str) -> Snippet:
    return services.snippet_create(actor=None, name=name, texts=texts or {"en": "Hello"})


def _edit_url(snippet: Snippet) -> str:
    return reverse("shortcuts:snippet_edit", args=[snippet.pk])


def _delete_url(snippet: Snippet) -> str:
    return reverse("shortcuts:snippet_delete", args=[snippet.pk])


def _errors(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- services ------------------------------------------------------------------------------


class TestSnippetCreate:
    def test_it_creates_the_snippet_with_a_text_per_given_language(
        self, languages: LocalizationSettings
    ) -> None:
        snippet = _snippet("org_order_issue", en="Sorry", fr="Désolé")
        assert snippet.reference == "sn.org_order_issue"
        assert dict(snippet.translations.values_list("language", "text")) == {"en": "Sorry", "fr": "Désolé"}

    def test_it_refuses_a_name_with_a_space(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            _snippet("order issue")
        assert _errors(excinfo)["name"] == [SNIPPET_NAME_MESSAGE]
        assert not Snippet.objects.exists()

    def test_it_refuses_a_name_of_65_characters(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            _snippet("a" * 65)
        assert _errors(excinfo)["name"] == ["Use at most 64 characters."]

    def test_it_accepts_a_name_of_64_characters(self) -> None:
        assert _snippet("a" * 64).name == "a" * 64

    def test_it_refuses_a_duplicate_name_ignoring_case(self) -> None:
        _snippet("Greeting")
        with pytest.raises(ValidationError) as excinfo:
            _snippet("greeting")
        assert _errors(excinfo)["name"] == ["A snippet named sn.Greeting already exists."]

    def test_it_requires_the_default_language_text(self, languages: LocalizationSettings) -> None:
        with pytest.raises(ValidationError) as excinfo:
            services.snippet_create(actor=None, name="greeting", texts={"en": "  ", "fr": "Bonjour"})
        assert _errors(excinfo)["text_en"] == ["Enter the text in English, the default language."]
        assert not Snippet.objects.exists()

    def test_it_ignores_texts_in_languages_that_are_not_enabled(self) -> None:
        snippet = _snippet(en="Hello", ja="こんにちは")
        assert list(snippet.translations.values_list("language", flat=True)) == ["en"]

    def test_it_refuses_a_text_over_10000_characters(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            _snippet(en="x" * 10_001)
        assert "text_en" in _errors(excinfo)

    def test_it_records_an_audit_entry(self, admin_user: User) -> None:
        snippet = services.snippet_create(actor=admin_user, name="greeting", texts={"en": "Hello"})
        entry = AuditEntry.objects.get(object_type="shortcuts.snippet", object_id=str(snippet.pk))
        assert entry.action == AuditEntry.Action.CREATE
        assert entry.actor == admin_user
        assert entry.after["texts"] == {"en": "Hello"}


class TestSnippetUpdate:
    def test_it_changes_the_name_and_the_texts(self, languages: LocalizationSettings) -> None:
        snippet = _snippet("greeting", en="Hello", fr="Bonjour")
        services.snippet_update(
            actor=None, snippet=snippet, name="welcome", texts={"en": "Welcome", "fr": "", "de": "Willkommen"}
        )
        snippet.refresh_from_db()
        assert snippet.name == "welcome"
        assert dict(snippet.translations.values_list("language", "text")) == {
            "en": "Welcome",
            "de": "Willkommen",
        }

    def test_it_keeps_its_own_name_with_another_case(self) -> None:
        snippet = _snippet("greeting")
        services.snippet_update(actor=None, snippet=snippet, name="Greeting", texts={"en": "Hello"})
        assert Snippet.objects.get().name == "Greeting"

    def test_it_keeps_texts_in_languages_no_longer_enabled(self, languages: LocalizationSettings) -> None:
        snippet = _snippet(en="Hello", de="Hallo")
        services.localization_update(actor=None, default_language="en", enabled_languages=["en"])
        services.snippet_update(actor=None, snippet=snippet, name="greeting", texts={"en": "Hi"})
        assert dict(snippet.translations.values_list("language", "text")) == {"de": "Hallo", "en": "Hi"}

    def test_it_records_before_and_after(self, admin_user: User) -> None:
        snippet = _snippet(en="Hello")
        services.snippet_update(actor=admin_user, snippet=snippet, name="greeting", texts={"en": "Hi"})
        entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_type="shortcuts.snippet")
        assert (entry.before["texts"], entry.after["texts"]) == ({"en": "Hello"}, {"en": "Hi"})


class TestSnippetDelete:
    def test_it_deletes_the_snippet_and_its_translations_with_an_audit_entry(self, admin_user: User) -> None:
        snippet = _snippet()
        services.snippet_delete(actor=admin_user, snippet=snippet)
        assert not Snippet.objects.exists()
        assert not SnippetTranslation.objects.exists()
        entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETE, object_type="shortcuts.snippet")
        assert entry.before["name"] == "greeting"


# --- the resolver ------------------------------------------------------------------------------


class TestResolver:
    def test_it_returns_the_text_in_the_requested_language(self, languages: LocalizationSettings) -> None:
        _snippet(en="Hello", fr="Bonjour")
        assert snippet_text("greeting", "fr", "en") == "Bonjour"

    def test_it_falls_back_to_the_default_language(self, languages: LocalizationSettings) -> None:
        _snippet(en="Hello")
        assert snippet_text("greeting", "fr", "en") == "Hello"

    def test_it_returns_none_for_an_unknown_snippet(self) -> None:
        assert snippet_text("nope", "fr", "en") is None

    def test_it_finds_the_snippet_ignoring_case(self) -> None:
        _snippet("Greeting", en="Hello")
        assert snippet_resolver("en")("greeting", "en") == "Hello"

    def test_it_fills_in_a_template_in_the_customers_language(self, languages: LocalizationSettings) -> None:
        _snippet(en="Hello", fr="Bonjour")
        rendered = compile_template("[[sn.greeting]]").render(
            {}, snippets=snippet_resolver(), language="fr", default_language="en"
        )
        assert rendered.text == "Bonjour"

    def test_it_fills_in_the_default_text_when_the_language_is_missing(
        self, languages: LocalizationSettings
    ) -> None:
        _snippet(en="Hello")
        rendered = compile_template("[[sn.greeting]]").render(
            {}, snippets=snippet_resolver(), language="fr", default_language="en"
        )
        assert rendered.text == "Hello"

    def test_it_reads_each_snippet_once_per_resolver(self, django_assert_num_queries) -> None:
        _snippet(en="Hello")
        resolve = snippet_resolver("en")
        with django_assert_num_queries(1):
            assert [resolve("greeting", "en"), resolve("greeting", "en")] == ["Hello", "Hello"]


# --- access ------------------------------------------------------------------------------


class TestAccess:
    @pytest.mark.parametrize("persona", ["outsider", "agent", "manager", "collaborator"])
    def test_it_refuses_the_list_without_manage_shortcuts(
        self, persona: str, request: pytest.FixtureRequest, client_for: ClientFor
    ) -> None:
        assert client_for(request.getfixturevalue(persona)).get(LIST_URL).status_code == 403

    @pytest.mark.parametrize("persona", ["outsider", "agent", "manager"])
    def test_it_refuses_adding_without_manage_shortcuts(
        self, persona: str, request: pytest.FixtureRequest, client_for: ClientFor
    ) -> None:
        response = client_for(request.getfixturevalue(persona)).post(ADD_URL, {"name": "x", "text_en": "Hi"})
        assert response.status_code == 403
        assert not Snippet.objects.exists()

    @pytest.mark.parametrize("persona", ["outsider", "agent", "manager"])
    def test_it_refuses_editing_without_manage_shortcuts(
        self, persona: str, request: pytest.FixtureRequest, client_for: ClientFor
    ) -> None:
        snippet = _snippet()
        response = client_for(request.getfixturevalue(persona)).post(
            _edit_url(snippet), {"name": "changed", "text_en": "Hi"}
        )
        assert response.status_code == 403
        assert Snippet.objects.get().name == "greeting"

    @pytest.mark.parametrize("persona", ["outsider", "agent", "manager"])
    def test_it_refuses_deleting_without_manage_shortcuts(
        self, persona: str, request: pytest.FixtureRequest, client_for: ClientFor
    ) -> None:
        snippet = _snippet()
        assert client_for(request.getfixturevalue(persona)).post(_delete_url(snippet)).status_code == 403
        assert Snippet.objects.exists()

    def test_it_sends_anonymous_visitors_to_sign_in(self) -> None:
        response = Client().get(LIST_URL)
        assert response.status_code == 302
        assert "login" in response["Location"]

    @pytest.mark.parametrize("persona", ["content_admin", "admin_user", "owner"])
    def test_it_lets_content_administrators_and_admins_in(
        self, persona: str, request: pytest.FixtureRequest, client_for: ClientFor
    ) -> None:
        assert client_for(request.getfixturevalue(persona)).get(LIST_URL).status_code == 200

    def test_it_answers_404_for_a_missing_snippet(self, content_admin: User, client_for: ClientFor) -> None:
        url = reverse("shortcuts:snippet_edit", args=[999999])
        assert client_for(content_admin).get(url).status_code == 404

    def test_it_shows_snippets_in_the_settings_menu_for_content_administrators(
        self, content_admin: User, client_for: ClientFor
    ) -> None:
        response = client_for(content_admin).get(LIST_URL)
        assert f'href="{LIST_URL}"' in response.content.decode()
        assert reverse("shortcuts:localization") not in response.content.decode()


# --- the list ------------------------------------------------------------------------------


class TestList:
    def test_it_shows_an_empty_state(self, content_admin: User, client_for: ClientFor) -> None:
        response = client_for(content_admin).get(LIST_URL)
        assert "No snippets yet." in response.content.decode()

    def test_it_shows_each_snippet_as_sn_name_with_its_languages(
        self, languages: LocalizationSettings, content_admin: User, client_for: ClientFor
    ) -> None:
        snippet = _snippet("org_order_issue", en="Sorry", fr="Désolé", de="Entschuldigung")
        html = client_for(content_admin).get(LIST_URL).content.decode()
        assert f'id="snippet-row-{snippet.pk}"' in html
        assert "sn.org_order_issue" in html
        assert '<span class="pill">fr</span>' in html
        assert "Missing:" not in html

    def test_it_flags_missing_translations_for_enabled_languages(
        self, languages: LocalizationSettings, content_admin: User, client_for: ClientFor
    ) -> None:
        _snippet(en="Hello")
        html = client_for(content_admin).get(LIST_URL).content.decode()
        assert "Missing: fr, de" in html

    def test_it_searches_by_name(self, content_admin: User, client_for: ClientFor) -> None:
        _snippet("greeting")
        _snippet("order_delay")
        html = client_for(content_admin).get(LIST_URL, {"q": "ORDER"}).content.decode()
        assert "sn.order_delay" in html
        assert "sn.greeting" not in html

    def test_it_says_when_nothing_matches_the_search(
        self, content_admin: User, client_for: ClientFor
    ) -> None:
        _snippet("greeting")
        html = client_for(content_admin).get(LIST_URL, {"q": "zzz"}).content.decode()
        assert "No snippets match" in html

    def test_it_answers_htmx_with_the_list_fragment(self, content_admin: User, client_for: ClientFor) -> None:
        _snippet("greeting")
        response = client_for(content_admin).get(LIST_URL, {"q": "greet"}, headers={"HX-Request": "true"})
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="snippet-list">')
        assert "<html" not in html
        assert "sn.greeting" in html

    def test_it_paginates(self, content_admin: User, client_for: ClientFor) -> None:
        for i in range(26):
            _snippet(f"snippet_{i:02d}")
        html = client_for(content_admin).get(LIST_URL, {"page": 2}).content.decode()
        assert "Page 2 of 2" in html
        assert "sn.snippet_25" in html
        assert "sn.snippet_00" not in html

    def test_it_runs_the_same_queries_for_1_and_20_snippets(
        self, languages: LocalizationSettings, content_admin: User, client_for: ClientFor
    ) -> None:
        client = client_for(content_admin)
        _snippet("s_0", en="Hello", fr="Bonjour")
        client.get(LIST_URL)  # warm the session and the settings row
        with CaptureQueriesContext(connection) as one:
            assert client.get(LIST_URL).status_code == 200
        for i in range(1, 20):
            _snippet(f"s_{i}", en="Hello", de="Hallo")
        with CaptureQueriesContext(connection) as twenty:
            assert client.get(LIST_URL).status_code == 200
        assert len(one.captured_queries) == len(twenty.captured_queries)


# --- add, edit, delete ------------------------------------------------------------------------------


class TestAddEdit:
    def test_it_shows_one_textarea_per_enabled_language_default_first_and_required(
        self, content_admin: User, client_for: ClientFor
    ) -> None:
        services.localization_update(actor=None, default_language="fr", enabled_languages=["en", "fr"])
        html = client_for(content_admin).get(ADD_URL).content.decode()
        assert html.index('name="text_fr"') < html.index('name="text_en"')
        assert "Français (default language)" in html
        assert html.count("<textarea") == 2

    def test_it_creates_a_snippet(
        self, languages: LocalizationSettings, content_admin: User, client_for: ClientFor
    ) -> None:
        response = client_for(content_admin).post(
            ADD_URL, {"name": "greeting", "description": "Hi", "text_en": "Hello", "text_fr": "Bonjour"}
        )
        assert response.status_code == 302
        assert response["Location"] == LIST_URL
        snippet = Snippet.objects.get(name="greeting")
        assert dict(snippet.translations.values_list("language", "text")) == {"en": "Hello", "fr": "Bonjour"}
        assert AuditEntry.objects.filter(action="create", actor=content_admin).exists()

    def test_it_keeps_what_was_typed_when_the_name_is_refused(
        self, languages: LocalizationSettings, content_admin: User, client_for: ClientFor
    ) -> None:
        response = client_for(content_admin).post(
            ADD_URL, {"name": "order issue", "text_en": "Sorry about that", "text_fr": "Désolé"}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert SNIPPET_NAME_MESSAGE in html
        assert 'value="order issue"' in html
        assert "Sorry about that</textarea>" in html
        assert "Désolé</textarea>" in html
        assert not Snippet.objects.exists()

    def test_it_says_the_default_text_is_required(self, content_admin: User, client_for: ClientFor) -> None:
        response = client_for(content_admin).post(ADD_URL, {"name": "greeting", "text_en": ""})
        assert response.status_code == 200
        assert 'id="field-text_en"' in response.content.decode()
        assert "has-error" in response.content.decode()
        assert not Snippet.objects.exists()

    def test_it_says_when_the_name_is_taken(self, content_admin: User, client_for: ClientFor) -> None:
        _snippet("Greeting")
        response = client_for(content_admin).post(ADD_URL, {"name": "GREETING", "text_en": "Hi"})
        assert "A snippet named sn.Greeting already exists." in response.content.decode()
        assert Snippet.objects.count() == 1

    def test_it_fills_the_edit_form_with_the_current_texts(
        self, languages: LocalizationSettings, content_admin: User, client_for: ClientFor
    ) -> None:
        snippet = _snippet(en="Hello", de="Hallo")
        html = client_for(content_admin).get(_edit_url(snippet)).content.decode()
        assert 'value="greeting"' in html
        assert "Hallo</textarea>" in html

    def test_it_saves_an_edit(self, content_admin: User, client_for: ClientFor) -> None:
        snippet = _snippet(en="Hello")
        response = client_for(content_admin).post(_edit_url(snippet), {"name": "greeting", "text_en": "Hi"})
        assert response.status_code == 302
        assert snippet.translations.get().text == "Hi"
        assert AuditEntry.objects.filter(action="update", object_type="shortcuts.snippet").exists()

    def test_it_asks_before_deleting(self, content_admin: User, client_for: ClientFor) -> None:
        snippet = _snippet()
        response = client_for(content_admin).get(_delete_url(snippet))
        assert response.status_code == 200
        assert "Delete <strong><code>sn.greeting</code></strong>" in response.content.decode()
        assert Snippet.objects.exists()

    def test_it_deletes_after_confirmation(self, content_admin: User, client_for: ClientFor) -> None:
        snippet = _snippet()
        response = client_for(content_admin).post(_delete_url(snippet))
        assert response.status_code == 302
        assert not Snippet.objects.exists()
        assert AuditEntry.objects.filter(action="delete", actor=content_admin).exists()
