from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from accounts.models import Team, User
from conversations.models import TAG_NAME_MAX, Channel, Priority, Queue, Status, SubStatus, Tag
from conversations.reply_options import sender_choices, template_choices
from conversations.selectors.conversations import user_for_typed_text
from conversations.selectors.links import QUICK_RANGES, LinkSearch, quick_range
from core.sanitize import text_to_html
from customers.models import ContactType, Customer


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _contact_lines(value: str) -> list[tuple[str, str]]:
    """“jane@example.com work” per line: the value, then an optional type (home, work, mobile, other)."""
    pairs = []
    for line in (value or "").splitlines():
        parts = line.strip().rsplit(" ", 1)
        if not parts or not parts[0]:
            continue
        if len(parts) == 2 and parts[1].lower() in ContactType.values:
            pairs.append((parts[0].strip(), parts[1].lower()))
        else:
            pairs.append((line.strip(), ""))
    return pairs


class CustomerForm(forms.Form):
    name = forms.CharField(max_length=255, required=False, label="Name")
    first_name = forms.CharField(max_length=120, required=False)
    last_name = forms.CharField(max_length=120, required=False)
    emails = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One address per line, optionally followed by home, work or other.",
    )
    phones = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One number per line, optionally followed by mobile, home, work or other.",
    )
    company = forms.CharField(max_length=255, required=False)
    locale = forms.CharField(max_length=20, required=False, help_text="e.g. en-us, fr, pt-br")

    @classmethod
    def for_customer(cls, customer: Customer) -> CustomerForm:
        return cls(
            initial={
                "name": customer.name,
                "first_name": customer.first_name,
                "last_name": customer.last_name,
                "emails": "\n".join(f"{e.email} {e.type}" for e in customer.emails.all()),
                "phones": "\n".join(f"{p.phone} {p.type}" for p in customer.phones.all()),
                "company": customer.company.name if customer.company else "",
                "locale": customer.locale,
            }
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        default_phone = ContactType.MOBILE
        return {
            "name": data["name"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "emails": [(v, t or ContactType.HOME) for v, t in _contact_lines(data["emails"])],
            "phones": [(v, t or default_phone) for v, t in _contact_lines(data["phones"])],
            "company_name": data["company"],
            "locale": data["locale"],
        }


class NewConversationForm(forms.Form):
    name = forms.CharField(max_length=255, required=False, label="Conversation Name")
    channel = forms.ChoiceField(
        choices=[(c, Channel(c).label) for c in (Channel.EMAIL, Channel.SMS, Channel.CHAT)],
        initial=Channel.EMAIL,
    )


REPLY_CHANNELS = [
    (Channel.EMAIL, "Email"),
    (Channel.SMS, "SMS"),
    (Channel.CHAT, "Chat"),
    (Channel.NOTE, "Note"),
]


class RefListField(forms.Field):
    """Hidden inputs, one per value: the files a shortcut attached (see attachment_sources)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        return [str(v)[:100] for v in values[:50]]


class TypedUserMixin:
    """User pickers (components/user_picker.html) without JavaScript: the agent types a name
    in the picker's search box (posted as `<field>_lookup`) and submits. Before the form
    validates, the text becomes the id of the one user it names, or an error on the field
    that keeps what was typed. With JavaScript the box is not posted; the picked id is."""

    typed_user_fields: tuple[str, ...] = ()

    def __init__(self, data: Any = None, *args: Any, viewer: User | None = None, **kwargs: Any) -> None:
        self.typed_user_errors: dict[str, ValidationError] = {}
        if data is not None and any(f"{name}_lookup" in data for name in self.typed_user_fields):
            data = data.copy()
            with_emails = viewer.sees_colleague_emails if viewer is not None else False
            for name in self.typed_user_fields:
                if f"{name}_lookup" not in data:
                    continue
                try:
                    chosen = user_for_typed_text(
                        current=data.get(name), text=data.get(f"{name}_lookup", ""), with_emails=with_emails
                    )
                except ValidationError as error:
                    self.typed_user_errors[name] = error
                else:
                    data[name] = "" if chosen is None else str(chosen)
        super().__init__(data, *args, **kwargs)  # type: ignore[call-arg]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        for name, error in self.typed_user_errors.items():
            self.add_error(name, error)  # type: ignore[attr-defined]
        return cleaned


class ReplyForm(TypedUserMixin, forms.Form):
    typed_user_fields = ("assigned_user",)
    channel = forms.ChoiceField(choices=REPLY_CHANNELS, initial=Channel.EMAIL)
    subject = forms.CharField(max_length=998, required=False)
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}), strip=False)
    body_format = forms.ChoiceField(choices=[("text", "text"), ("html", "html")], required=False)
    assigned_user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True), required=False, label="Assign note to"
    )
    attachments = MultipleFileField(label="Attachments")
    attachment_refs = RefListField(required=False)
    # Email only: one of the organisation's sender addresses (conversations.reply_options).
    # The choices are read when the field is rendered or validated, not at import.
    from_address = forms.ChoiceField(choices=sender_choices, required=False, label="From")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read the higher apps' choices once per form (each read is a cache lookup; rendering
        # and validating would otherwise ask again).
        self.senders = sender_choices()
        self.templates = template_choices()
        cast(forms.ChoiceField, self.fields["from_address"]).choices = self.senders
        cast(forms.ChoiceField, self.fields["email_template"]).choices = self.templates

    def clean_from_address(self) -> str:
        value: str = self.cleaned_data.get("from_address") or ""
        if self.cleaned_data.get("channel") != Channel.EMAIL:
            return ""
        return value or (self.senders[0][0] if self.senders else "")

    email_template = forms.ChoiceField(choices=template_choices, required=False, label="Template")

    def clean_email_template(self) -> int | None:
        """Email only: the chosen template, else the default (the first choice), else none."""
        value = self.cleaned_data.get("email_template") or ""
        if self.cleaned_data.get("channel") != Channel.EMAIL:
            return None
        value = value or (self.templates[0][0] if self.templates else "")
        return int(value) if value else None

    def channel_options(self) -> dict[str, object]:
        template = self.cleaned_data.get("email_template")
        return {"email_template": template} if template else {}


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int)


class OptionalModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A single select or picker posts "" for its "Unassigned" option: that means none, not an error."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            value = [v for v in value if v not in self.empty_values]
        return super().clean(value)


class AssignForm(TypedUserMixin, forms.Form):
    typed_user_fields = ("users",)
    users = OptionalModelMultipleChoiceField(queryset=User.objects.filter(is_active=True), required=False)
    teams = OptionalModelMultipleChoiceField(queryset=Team.objects.all(), required=False)


class TransferForm(forms.Form):
    queue = forms.ModelChoiceField(queryset=Queue.objects.filter(is_active=True), required=False)


class RenameForm(forms.Form):
    name = forms.CharField(max_length=255, required=False, label="Conversation Name")


class SubStatusForm(forms.Form):
    sub_status = forms.ModelChoiceField(
        queryset=SubStatus.objects.filter(is_active=True, is_deleted=False), required=False
    )


class SnoozeForm(forms.Form):
    until = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
        label="Snooze until",
    )
    until_customer_replies = forms.BooleanField(required=False, label="Until the customer replies")
    sub_status = forms.ModelChoiceField(
        queryset=SubStatus.objects.filter(is_active=True, is_deleted=False, status="snoozed"), required=False
    )


class AttributesForm(forms.Form):
    """The Conversation Attributes window (Edit)."""

    name = forms.CharField(max_length=255, required=False, label="Conversation Name")
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int)
    sub_status = forms.ModelChoiceField(
        queryset=SubStatus.objects.filter(is_active=True, is_deleted=False), required=False
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), strip=False, label="Note"
    )
    body_format = forms.ChoiceField(choices=[("text", "text"), ("html", "html")], required=False)

    def body_html(self) -> str:
        data = self.cleaned_data
        return data["body"] if data["body_format"] == "html" else text_to_html(data["body"])


class PostNewNoteForm(TypedUserMixin, NoteForm):
    typed_user_fields = ("assigned_user",)
    assigned_user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).only("id", "display_name"),
        required=False,
        label="Assign to",
        empty_label="Nobody",
    )
    attachments = MultipleFileField(label="Attachments", help_text="Up to 9.5 MB in all.")


class TagAddForm(forms.Form):
    """Add Tag: a tag picked from the suggestions (`tag`), or a typed name (`name`, Tab or Enter)."""

    tag = forms.ModelChoiceField(
        queryset=Tag.objects.all(),
        required=False,
        error_messages={"invalid_choice": "That tag no longer exists."},
    )
    # The service checks the length, so the message is the seed's, not Django's.
    name = forms.CharField(required=False, max_length=TAG_NAME_MAX * 10)


class TagForm(forms.Form):
    name = forms.CharField(label="Name", widget=forms.TextInput(attrs={"maxlength": TAG_NAME_MAX}))
    color = forms.ChoiceField(label="Tag Color", choices=Tag.Color.choices, initial=Tag.Color.BLUE)


class SubStatusCreateForm(forms.Form):
    """Add Sub Status. Lengths are checked by the service, whose messages say how much was typed."""

    status = forms.ChoiceField(label="Sub Status of", choices=Status.choices)
    name = forms.CharField(label="Name", widget=forms.TextInput(attrs={"maxlength": 64}))
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 255}),
        help_text="Optional: what the sub status means, for the agents who choose it.",
    )


class SubStatusEditForm(forms.Form):
    name = forms.CharField(label="Name", widget=forms.TextInput(attrs={"maxlength": 64}))
    description = forms.CharField(
        label="Description", required=False, widget=forms.TextInput(attrs={"maxlength": 255})
    )


class LinkSearchForm(forms.Form):
    """The Link Conversation window's search: a term, a Date Range (or a Quick Date Range, which
    wins), and Edit Filter's customer and status. Every field is optional."""

    q = forms.CharField(label="Searches", required=False, max_length=200)
    range = forms.ChoiceField(
        label="Quick Date Ranges", required=False, choices=[("", "Any time"), *QUICK_RANGES]
    )
    updated_from = forms.DateField(
        label="Updated from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    updated_to = forms.DateField(label="to", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    customer = forms.CharField(label="Customer", required=False, max_length=200)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Status.choices])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("updated_from"), data.get("updated_to")
        if start and end and start > end:
            self.add_error("updated_to", "Choose an end date on or after the start date.")
        return data

    def search(self, today: datetime.date) -> LinkSearch:
        data = self.cleaned_data if self.is_valid() else {}
        start, end = data.get("updated_from"), data.get("updated_to")
        chosen = quick_range(data.get("range") or "", today)
        if chosen is not None:
            start, end = chosen
        return LinkSearch(
            q=(data.get("q") or "").strip(),
            updated_from=start,
            updated_to=end,
            customer=(data.get("customer") or "").strip(),
            status=data.get("status") or "",
        )
