from __future__ import annotations

from typing import Any, cast

from django import forms

from accounts.models import Team, User
from conversations.forms import MultipleFileField
from shortcuts.models import (
    CATEGORY_MAX_DEPTH,
    CATEGORY_NAME_MAX_LENGTH,
    SHORTCUT_NAME_MAX_LENGTH,
    SNIPPET_NAME_MAX_LENGTH,
    SNIPPET_TEXT_MAX_LENGTH,
    LocalizationSettings,
    Shortcut,
    ShortcutAttachment,
    ShortcutCategory,
    language_choices,
    language_label,
)
from shortcuts.selectors import CategoryNode
from shortcuts.services import SHORTCUT_ATTACHMENT_TYPES, text_key


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


# --- Shortcuts -------------------------------------------------------------------------------


class ShareAccessForm(forms.Form):
    """The name and Share Access, all the Add Shortcut page asks; the Edit Shortcut page adds the
    rest. The rules (no spaces, uniqueness, limited needs someone) live in the services."""

    name = forms.CharField(
        max_length=SHORTCUT_NAME_MAX_LENGTH,
        help_text="No spaces, e.g. return_policy. Agents find the shortcut by this name.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    share = forms.ChoiceField(
        label="Share Access",
        choices=[
            (Shortcut.Share.PUBLIC, "Publicly: everyone in the workspace"),
            (Shortcut.Share.PRIVATE, "Privately: only me"),
            (Shortcut.Share.LIMITED, "Limited: only the teams and users chosen below"),
        ],
        initial=Shortcut.Share.PUBLIC,
        widget=forms.RadioSelect,
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.only("id", "name").order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For a limited shortcut.",
    )
    users = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True).only("id", "display_name", "email"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="For a limited shortcut.",
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "share": data["share"],
            "teams": list(data["teams"]),
            "users": list(data["users"]),
        }


class ShortcutForm(ShareAccessForm):
    category = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    message = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 8}))
    body_format = forms.ChoiceField(choices=[("text", "text"), ("html", "html")], required=False)
    attachments = MultipleFileField(
        label="Attachments",
        help_text=f"{', '.join(SHORTCUT_ATTACHMENT_TYPES)}; up to 5 MB a file and 9.5 MB in total.",
    )
    remove_attachments = forms.ModelMultipleChoiceField(
        queryset=ShortcutAttachment.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, shortcut: Shortcut, tree: list[CategoryNode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {node.category.pk: node.category for node in tree}
        category_field = cast(forms.TypedChoiceField, self.fields["category"])
        category_field.choices = [("", "No category")] + [
            (node.category.pk, node.indented_label) for node in tree
        ]
        remove_field = cast(forms.ModelMultipleChoiceField, self.fields["remove_attachments"])
        remove_field.queryset = shortcut.attachments.all()

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "category": self.categories.get(data["category"]) if data["category"] else None,
            "message": data["message"],
            "message_format": data["body_format"] or "text",
            "new_attachments": data["attachments"],
            "remove_attachments": list(data["remove_attachments"]),
        }


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=CATEGORY_NAME_MAX_LENGTH)
    parent = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label="Under")

    def __init__(self, *args: Any, tree: list[CategoryNode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {node.category.pk: node.category for node in tree}
        parent_field = cast(forms.TypedChoiceField, self.fields["parent"])
        parent_field.choices = [("", "Top level")] + [
            (node.category.pk, node.indented_label) for node in tree if node.depth < CATEGORY_MAX_DEPTH - 1
        ]

    def chosen_parent(self) -> ShortcutCategory | None:
        parent_id = self.cleaned_data.get("parent")
        return self.categories.get(parent_id) if parent_id else None


class CategoryRenameForm(forms.Form):
    name = forms.CharField(max_length=CATEGORY_NAME_MAX_LENGTH)
