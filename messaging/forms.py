from __future__ import annotations

from typing import Any

from django import forms

from messaging.models import EmailChannel


class EmailChannelForm(forms.Form):
    address = forms.EmailField(
        label="Inbound address",
        max_length=254,
        help_text="Mail sent or forwarded to this address (and to its +tag reply addresses) arrives here.",
    )
    display_name = forms.CharField(
        label="Sender name",
        max_length=100,
        required=False,
        help_text="The name customers see on replies from this address, e.g. “Acme Support”.",
    )
    is_active = forms.BooleanField(
        label="Active", required=False, initial=True, help_text="Inactive addresses refuse new mail."
    )

    @classmethod
    def for_channel(cls, channel: EmailChannel, data: Any = None) -> EmailChannelForm:
        initial = {
            "address": channel.address,
            "display_name": channel.display_name,
            "is_active": channel.is_active,
        }
        return cls(data, initial=initial)
