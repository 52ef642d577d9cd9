from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.db.models.functions import Lower

from accounts.models import Team, User
from conversations.forms import MultipleFileField
from conversations.models import Queue, Tag
from conversations.reply_options import template_choices
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
    ShortcutStatus,
    language_choices,
    language_label,
)
from shortcuts.selectors import CategoryNode
from shortcuts.services import SHORTCUT_ATTACHMENT_TYPES, ShortcutActions, text_key


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

    # Add Optional Fields: the actions applying the shortcut performs.
    subject = forms.CharField(
        label="Conversation Subject",
        max_length=255,
        required=False,
        help_text="Creates or replaces the conversation's name. Dynamic text and snippets work here.",
    )
    tags = forms.ModelMultipleChoiceField(
        label="Conversation Tags",
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Appended to the conversation's tags.",
    )
    queue = forms.ModelChoiceField(
        queryset=Queue.objects.filter(is_active=True),
        required=False,
        empty_label="Leave as it is",
        help_text="Transfers the conversation to this queue, which unassigns its user.",
    )
    status = forms.ChoiceField(choices=[("", "Leave as it is"), *ShortcutStatus.choices], required=False)
    assign_user = forms.ModelChoiceField(
        label="Assigned User",
        queryset=User.objects.filter(is_active=True).only("id", "display_name", "email"),
        required=False,
        empty_label="Leave as it is",
    )
    assign_team = forms.ModelChoiceField(
        label="Assigned Team",
        queryset=Team.objects.only("id", "name").order_by("name"),
        required=False,
        empty_label="Leave as it is",
    )
    email_template = forms.TypedChoiceField(
        label="Conversation Email Template",
        choices=lambda: [("", "Leave as it is"), *template_choices()],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Picked in the reply editor when the shortcut is applied.",
    )
    custom_fields = forms.CharField(
        label="Custom fields",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="One per line, name = value (e.g. billingTier = Gold): sets the conversation's attribute.",
    )
    confirm_done = forms.BooleanField(
        label="Save anyway: mark the conversation Done and send the message",
        required=False,
    )

    def __init__(self, *args: Any, shortcut: Shortcut, tree: list[CategoryNode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Active tags, and any deactivated one the shortcut still holds (so it shows, and the
        # service can say that it is deactivated).
        tags_field = cast(forms.ModelMultipleChoiceField, self.fields["tags"])
        tags_field.queryset = Tag.objects.filter(
            models.Q(is_active=True) | models.Q(pk__in=shortcut.add_tags.values("pk"))
        ).order_by(Lower("name"))
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
            "actions": ShortcutActions(
                subject=data["subject"],
                tags=list(data["tags"]),
                queue=data["queue"],
                status=data["status"],
                assign_user=data["assign_user"],
                assign_team=data["assign_team"],
                custom_fields=data["custom_fields"],
                email_template=data["email_template"],
            ),
            "confirm_done_with_message": data["confirm_done"],
        }

    def clean_custom_fields(self) -> dict[str, str]:
        """``name = value`` lines into a dict; the name rules themselves are the service's."""
        fields: dict[str, str] = {}
        problems = []
        for number, line in enumerate(self.cleaned_data.get("custom_fields", "").splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                problems.append(f"Line {number}: write name = value.")
                continue
            fields[name.strip()] = value.strip()
        if problems:
            raise forms.ValidationError(problems)
        return fields

    def optional_fields(self) -> list[tuple[str, forms.BoundField]]:
        """The Add Optional Fields rows, in the seed's order."""
        return [
            (name, self[name])
            for name in (
                "subject",
                "email_template",
                "tags",
                "queue",
                "status",
                "assign_user",
                "assign_team",
                "custom_fields",
            )  # fmt: skip
        ]


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


class ShortcutDefaultsForm(forms.Form):
    """The Defaults tab: public shortcuts with text only (the service says why others can't)."""

    reply_template = forms.ModelChoiceField(
        label="Reply Template",
        queryset=Shortcut.objects.none(),
        required=False,
        empty_label="None",
        help_text="Every new reply to a customer starts with this shortcut's message.",
    )
    note_template = forms.ModelChoiceField(
        label="Note Template",
        queryset=Shortcut.objects.none(),
        required=False,
        empty_label="None",
        help_text="Every new note starts with this shortcut's message.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        public = (
            Shortcut.objects.filter(share=Shortcut.Share.PUBLIC).only("id", "name").order_by(Lower("name"))
        )
        for name in ("reply_template", "note_template"):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = public
