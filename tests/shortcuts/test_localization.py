"""Localization: the default language and the enabled languages, and their Settings page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import User
from core.models import AuditEntry
from shortcuts import services
from shortcuts.models import LocalizationSettings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
URL = reverse("shortcuts:localization")


class TestDefaults:
    def test_it_starts_with_english_only(self) -> None:
        settings = LocalizationSettings.load()
        assert (settings.default_language, settings.enabled_languages) == ("en", ["en"])


class TestLocalizationUpdate:
    def test_it_saves_the_languages_in_the_order_of_settings(self) -> None:
        settings = services.localization_update(
            actor=None, default_language="fr", enabled_languages=["ja", "fr", "en"]
        )
        assert settings.default_language == "fr"
        assert settings.enabled_languages == ["en", "fr", "ja"]
        assert settings.languages_in_order == ["fr", "en", "ja"]

    def test_it_refuses_a_default_that_is_not_enabled(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            services.localization_update(actor=None, default_language="de", enabled_languages=["en"])
        assert excinfo.value.message_dict["default_language"] == [
            "The default language, Deutsch, must be one of the enabled languages."
        ]
        assert LocalizationSettings.load().default_language == "en"

    def test_it_refuses_no_enabled_language(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            services.localization_update(actor=None, default_language="en", enabled_languages=[])
        assert excinfo.value.message_dict["enabled_languages"] == ["Enable at least one language."]

    def test_it_refuses_an_unknown_language(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            services.localization_update(actor=None, default_language="en", enabled_languages=["en", "xx"])
        assert "enabled_languages" in excinfo.value.message_dict

    def test_it_records_an_audit_entry(self, admin_user: User) -> None:
        services.localization_update(actor=admin_user, default_language="en", enabled_languages=["en", "fr"])
        entry = AuditEntry.objects.get(object_type="shortcuts.localizationsettings")
        assert entry.before["enabled_languages"] == ["en"]
        assert entry.after["enabled_languages"] == ["en", "fr"]
        assert entry.actor == admin_user

    def test_it_records_nothing_when_nothing_changed(self, admin_user: User) -> None:
        services.localization_update(actor=admin_user, default_language="en", enabled_languages=["en"])
        assert not AuditEntry.objects.filter(object_type="shortcuts.localizationsettings").exists()


class TestAccess:
    @pytest.mark.parametrize("persona", ["outsider", "agent", "manager"])
    def test_it_refuses_the_page_without_manage_workspace(
        self, persona: str, request: pytest.FixtureRequest, client_for: ClientFor
    ) -> None:
        assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 403

    def test_it_refuses_a_content_administrator(self, client_for: ClientFor) -> None:
        content_admin = UserFactory(sets=["Content Administrator"])
        response = client_for(content_admin).post(
            URL, {"default_language": "fr", "enabled_languages": ["fr"]}
        )
        assert response.status_code == 403
        assert LocalizationSettings.load().default_language == "en"

    def test_it_refuses_a_post_from_an_outsider(self, outsider: User, client_for: ClientFor) -> None:
        response = client_for(outsider).post(URL, {"default_language": "fr", "enabled_languages": ["fr"]})
        assert response.status_code == 403
        assert LocalizationSettings.load().enabled_languages == ["en"]

    def test_it_lets_an_admin_in_and_lists_it_in_the_settings_menu(
        self, admin_user: User, client_for: ClientFor
    ) -> None:
        response = client_for(admin_user).get(URL)
        assert response.status_code == 200
        assert f'href="{URL}"' in response.content.decode()


class TestPage:
    def test_it_shows_the_current_choices(self, admin_user: User, client_for: ClientFor) -> None:
        services.localization_update(actor=None, default_language="en", enabled_languages=["en", "de"])
        html = client_for(admin_user).get(URL).content.decode()
        assert 'value="de" id="id_enabled_languages_3" checked' in html
        assert 'value="fr" id="id_enabled_languages_2" checked' not in html
        assert '<option value="en" selected>' in html

    def test_it_saves_the_languages(self, admin_user: User, client_for: ClientFor) -> None:
        response = client_for(admin_user).post(
            URL, {"default_language": "fr", "enabled_languages": ["en", "fr", "es"]}
        )
        assert response.status_code == 302
        settings = LocalizationSettings.load()
        assert (settings.default_language, settings.enabled_languages) == ("fr", ["en", "fr", "es"])
        assert AuditEntry.objects.filter(
            object_type="shortcuts.localizationsettings", actor=admin_user
        ).exists()

    def test_it_explains_the_error_and_keeps_what_was_typed(
        self, admin_user: User, client_for: ClientFor
    ) -> None:
        response = client_for(admin_user).post(
            URL, {"default_language": "ja", "enabled_languages": ["en", "de"]}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "must be one of the enabled languages" in html
        assert '<option value="ja" selected>' in html
        assert 'value="de" id="id_enabled_languages_3" checked' in html
        assert LocalizationSettings.load().enabled_languages == ["en"]

    def test_it_says_at_least_one_language_is_needed(self, admin_user: User, client_for: ClientFor) -> None:
        response = client_for(admin_user).post(URL, {"default_language": "en"})
        assert "Enable at least one language." in response.content.decode()

    def test_it_changes_the_textareas_on_the_snippet_form(
        self, admin_user: User, client_for: ClientFor
    ) -> None:
        client = client_for(admin_user)
        client.post(URL, {"default_language": "en", "enabled_languages": ["en", "pt-br"]})
        html = client.get(reverse("shortcuts:snippet_create")).content.decode()
        assert 'name="text_pt-br"' in html
        assert 'lang="pt-br"' in html
