from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone

from accounts.models import PermissionSet, User
from api.selectors import grantable_permission_sets


class DateInput(forms.DateInput):
    input_type = "date"


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses the key, e.g. “Order sync”.")
    permission_sets = forms.ModelMultipleChoiceField(
        queryset=PermissionSet.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The key can see and do what these sets grant, nothing more.",
    )
    expires_on = forms.DateField(
        label="Expires on",
        required=False,
        widget=DateInput,
        help_text="Optional. The key stops working at the start of this day (your time zone).",
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["permission_sets"])
        field.queryset = grantable_permission_sets(actor=actor)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        self.fields["expires_on"].widget.attrs["min"] = tomorrow.isoformat()

    def clean_expires_on(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data["expires_on"]
        if value is not None and value <= timezone.localdate():
            raise forms.ValidationError(
                "Choose a date in the future, or leave it empty for a key that does not expire."
            )
        return value

    @property
    def expires_at(self) -> datetime.datetime | None:
        """The chosen day's first moment in the current (the admin's) time zone."""
        value = self.cleaned_data.get("expires_on")
        if value is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))
