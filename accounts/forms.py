from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from accounts.capabilities import Capability
from accounts.models import TIMEZONE_CHOICES, PermissionSet, Team, User


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        # One message for every failure: it never tells whether an address has an account.
        "invalid_login": "That email and password do not match an active account.",
        "inactive": "That email and password do not match an active account.",
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form (same answer for known and unknown addresses), sent through Celery."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from django.template import loader

        from accounts.tasks import send_email

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        send_email.delay_on_commit(subject, body, [to_email])  # type: ignore[attr-defined]  # celery-types lags Celery 5.4


class DateInput(forms.DateInput):
    input_type = "date"


class UserForm(forms.Form):
    email = forms.EmailField(max_length=254)
    display_name = forms.CharField(max_length=100)
    user_type = forms.ChoiceField(choices=User.UserType.choices, initial=User.UserType.FULL_TIME)
    active_from = forms.DateField(required=False, widget=DateInput, label="Active from")
    active_until = forms.DateField(required=False, widget=DateInput, label="Active until")
    mobile = forms.CharField(max_length=32, required=False)
    permission_sets = forms.ModelMultipleChoiceField(
        queryset=PermissionSet.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )


class UserCreateForm(UserForm):
    password = forms.CharField(
        label="Temporary password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
        help_text="Leave empty to email the user a link to choose their own password.",
    )

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password)
        return password


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(max_length=255, required=False)
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True), required=False, widget=forms.CheckboxSelectMultiple
    )
    permission_sets = forms.ModelMultipleChoiceField(
        queryset=PermissionSet.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )


class PermissionSetForm(forms.Form):
    name = forms.CharField(max_length=64)
    description = forms.CharField(max_length=255, required=False)
    capabilities = forms.MultipleChoiceField(
        choices=Capability.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class PreferencesForm(forms.ModelForm):
    timezone = forms.ChoiceField(choices=TIMEZONE_CHOICES, label="Time zone")

    class Meta:
        model = User
        fields = [
            "display_name",
            "email_signature",
            "mobile",
            "timezone",
            "language",
            "notify_mentions_email",
            "notify_assignments_email",
            "notify_desktop",
        ]
        widgets = {"email_signature": forms.Textarea(attrs={"rows": 4})}
        labels = {"language": "Application language"}
