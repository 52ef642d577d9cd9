from __future__ import annotations

from typing import Any

from django import forms

from shortcuts.models import (
    SNIPPET_NAME_MAX_LENGTH,
    SNIPPET_TEXT_MAX_LENGTH,
    LocalizationSettings,
    language_choices,
    language_label,
)
from shortcuts.services import text_key


class SnippetForm(forms.Form):
    """The name and one text per enabled language, the default language first. The rules (name
    characters, uniqueness, the default text) live in the services; the form only shapes input."""

    name = forms.CharField(
        max_length=SNIPPET_NAME_MAX_LENGTH,
        help_text="Letters, digits and underscores, e.g. org_order_issue. Insert it with [[sn.name]].",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(max_length=255, required=False)

    def __init__(self, *args: Any, localization: LocalizationSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages = localization.languages_in_order
        for language in self.languages:
            is_default = language == localization.default_language
            self.fields[text_key(language)] = forms.CharField(
                label=f"{language_label(language)}{' (default language)' if is_default else ''}",
                required=is_default,
                max_length=SNIPPET_TEXT_MAX_LENGTH,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 4, "lang": language}),
                help_text="" if is_default else "Optional: without it, the default language's text is used.",
            )

    def text_fields(self) -> list[forms.BoundField]:
        return [self[text_key(language)] for language in self.languages]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "texts": {language: data.get(text_key(language), "") for language in self.languages},
        }


class LocalizationForm(forms.Form):
    default_language = forms.ChoiceField(
        choices=language_choices,
        help_text="Used when a customer's language has no translation. It must be enabled.",
    )
    # Not required here: the service says "Enable at least one language", in one place.
    enabled_languages = forms.MultipleChoiceField(
        choices=language_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
