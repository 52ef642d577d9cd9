from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone


class Company(models.Model):
    name = models.CharField(max_length=255)
    domains = ArrayField(models.CharField(max_length=255), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        indexes = [GinIndex(fields=["domains"], name="company_domains_gin")]

    def __str__(self) -> str:
        return self.name


class CustomerQuerySet(models.QuerySet["Customer"]):
    def with_contacts(self) -> CustomerQuerySet:
        return self.select_related("company").prefetch_related("emails", "phones")


class Customer(models.Model):
    """An end-user the team talks to; the timeline is built around this record."""

    name = models.CharField(max_length=255, blank=True)
    first_name = models.CharField(max_length=120, blank=True)
    last_name = models.CharField(max_length=120, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    locale = models.CharField(max_length=20, blank=True, help_text="e.g. en-us, fr, pt-br")
    custom = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["-last_activity_at", "-id"]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("conversations:customer_timeline", args=[self.pk])

    @property
    def display_name(self) -> str:
        full = " ".join(part for part in (self.first_name, self.last_name) if part)
        return self.name or full or f"Customer {self.pk}"

    @property
    def primary_email(self) -> str:
        emails = list(self.emails.all())
        primary = next((e for e in emails if e.is_primary), emails[0] if emails else None)
        return primary.email if primary else ""

    @property
    def initials(self) -> str:
        parts = [p for p in self.display_name.split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"


class ContactType(models.TextChoices):
    HOME = "home", "Home"
    WORK = "work", "Work"
    MOBILE = "mobile", "Mobile"
    OTHER = "other", "Other"


class CustomerEmail(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(max_length=254)
    type = models.CharField(max_length=10, choices=ContactType.choices, default=ContactType.HOME)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [
            # One customer per address, ignoring case: inbound mail finds its sender by it.
            models.UniqueConstraint(Lower("email"), name="customer_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.email


class CustomerPhone(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    phone = models.CharField(max_length=40)
    type = models.CharField(max_length=10, choices=ContactType.choices, default=ContactType.MOBILE)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return self.phone
