"""Writes to customers and companies. Changes are audited (they show on the timeline)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.capabilities import Capability
from accounts.models import User
from core.audit import audit_record, snapshot
from core.models import AuditEntry
from customers.models import Company, ContactType, Customer, CustomerEmail, CustomerPhone

CUSTOMER_FIELDS = ["name", "first_name", "last_name", "locale"]


def _require(actor: User | None) -> None:
    if actor is not None and Capability.UPDATE_CUSTOMERS not in actor.capabilities:
        raise PermissionDenied("This needs the “Update customers and conversations” permission.")


def _state(customer: Customer) -> dict[str, Any]:
    state = snapshot(customer, CUSTOMER_FIELDS)
    state["company"] = customer.company.name if customer.company else None
    state["emails"] = [f"{e.email} ({e.type})" for e in customer.emails.all()]
    state["phones"] = [f"{p.phone} ({p.type})" for p in customer.phones.all()]
    return state


def _clean_emails(emails: Sequence[tuple[str, str]], customer_pk: int | None) -> list[tuple[str, str]]:
    cleaned: list[tuple[str, str]] = []
    for address, kind in emails:
        address = address.strip().lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"emails": f"“{address}” is not an email address."}) from None
        if kind not in ContactType.values:
            kind = ContactType.OTHER
        # lower(email) = ... uses the unique index; __iexact (UPPER(...)) would scan every address.
        clash = CustomerEmail.objects.annotate(lower_email=Lower("email")).filter(lower_email=address)
        if customer_pk is not None:
            clash = clash.exclude(customer_id=customer_pk)
        if clash.exists():
            raise ValidationError({"emails": f"“{address}” already belongs to another customer."})
        if address not in {a for a, _ in cleaned}:
            cleaned.append((address, kind))
    return cleaned


def _clean_phones(phones: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    cleaned = []
    for number, kind in phones:
        number = " ".join(number.split())
        if not number:
            continue
        if len(number) > 40 or not any(ch.isdigit() for ch in number):
            raise ValidationError({"phones": f"“{number}” is not a phone number."})
        cleaned.append((number, kind if kind in ContactType.values else ContactType.OTHER))
    return cleaned


def company_for_name(name: str) -> Company | None:
    name = name.strip()
    if not name:
        return None
    company = Company.objects.filter(name__iexact=name).first()
    return company or Company.objects.create(name=name)


@transaction.atomic
def customer_create(
    *,
    actor: User | None,
    name: str = "",
    first_name: str = "",
    last_name: str = "",
    emails: Sequence[tuple[str, str]] = (),
    phones: Sequence[tuple[str, str]] = (),
    company_name: str = "",
    locale: str = "",
    custom: dict[str, Any] | None = None,
) -> Customer:
    _require(actor)
    clean_emails = _clean_emails(emails, None)
    clean_phones = _clean_phones(phones)
    if not (name.strip() or first_name.strip() or last_name.strip() or clean_emails or clean_phones):
        raise ValidationError("A customer needs a name, an email address or a phone number.")
    customer = Customer.objects.create(
        name=name.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        company=company_for_name(company_name),
        locale=locale.strip().lower(),
        custom=custom or {},
    )
    for i, (address, kind) in enumerate(clean_emails):
        CustomerEmail.objects.create(customer=customer, email=address, type=kind, is_primary=i == 0)
    for number, kind in clean_phones:
        CustomerPhone.objects.create(customer=customer, phone=number, type=kind)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, target=customer, after=_state(customer))
    return customer


@transaction.atomic
def customer_update(
    *,
    actor: User,
    customer: Customer,
    emails: Sequence[tuple[str, str]] | None = None,
    phones: Sequence[tuple[str, str]] | None = None,
    company_name: str | None = None,
    **fields: Any,
) -> Customer:
    """Edit the customer header: names, emails, phones, company, locale."""
    _require(actor)
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"customer_update() got unexpected fields: {', '.join(sorted(unknown))}")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = _state(customer)
    for name, value in fields.items():
        value = (value or "").strip()
        setattr(customer, name, value.lower() if name == "locale" else value)
    if company_name is not None:
        customer.company = company_for_name(company_name)
    if emails is not None:
        clean_emails = _clean_emails(emails, customer.pk)
        customer.emails.all().delete()
        for i, (address, kind) in enumerate(clean_emails):
            CustomerEmail.objects.create(customer=customer, email=address, type=kind, is_primary=i == 0)
    if phones is not None:
        clean_phones = _clean_phones(phones)
        customer.phones.all().delete()
        for number, kind in clean_phones:
            CustomerPhone.objects.create(customer=customer, phone=number, type=kind)
    customer.updated_at = timezone.now()
    customer.save()
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, target=customer, before=before, after=_state(customer)
    )
    return customer
