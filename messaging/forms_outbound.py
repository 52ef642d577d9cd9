"""Settings > Administration > Brands: a brand and its sender addresses."""

from __future__ import annotations

from typing import Any

from django import forms

from messaging.models_outbound import Brand, SenderAddress


class BrandForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100, help_text="e.g. “Acme” or “Acme Outdoor”.")
    is_default = forms.BooleanField(
        label="Default brand",
        required=False,
        help_text="Email replies go out from its default address unless the agent picks another.",
    )

    @classmethod
    def for_brand(cls, brand: Brand, data: Any = None) -> BrandForm:
        return cls(data, initial={"name": brand.name, "is_default": brand.is_default})


class SenderAddressForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    display_name = forms.CharField(
        label="Display name",
        max_length=100,
        required=False,
        help_text="The name customers see, e.g. “Acme Support”. Empty: the brand's name.",
    )
    is_default = forms.BooleanField(label="Default address for this brand", required=False)

    @classmethod
    def for_address(cls, address: SenderAddress, data: Any = None) -> SenderAddressForm:
        initial = {
            "email": address.email,
            "display_name": address.display_name,
            "is_default": address.is_default,
        }
        return cls(data, initial=initial)
