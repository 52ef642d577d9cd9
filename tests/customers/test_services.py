"""Customers: creating and editing the header (names, emails, phones, company, locale), audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from core.models import AuditEntry
from customers.models import Company, ContactType, Customer, CustomerEmail
from customers.services import customer_create, customer_update
from tests.conversations.factories import CompanyFactory, CustomerEmailFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _audit(customer: Customer) -> list[AuditEntry]:
    return list(AuditEntry.objects.for_object(customer).order_by("id"))


class TestCreate:
    def test_it_creates_a_customer_with_contacts(self, agent: User) -> None:
        customer = customer_create(
            actor=agent,
            name=" Jane Doe ",
            emails=[("Jane@Northwind.example", ContactType.WORK), ("jane@mail.example", ContactType.HOME)],
            phones=[("+1  555   0100", ContactType.MOBILE)],
            company_name="Northwind",
            locale="EN-US",
        )
        customer = Customer.objects.with_contacts().get(pk=customer.pk)
        assert (customer.name, customer.locale, customer.company.name) == ("Jane Doe", "en-us", "Northwind")
        assert [(e.email, e.type, e.is_primary) for e in customer.emails.all()] == [
            ("jane@northwind.example", "work", True),
            ("jane@mail.example", "home", False),
        ]
        assert [p.phone for p in customer.phones.all()] == ["+1 555 0100"]

    def test_it_audits_the_creation(self, agent: User) -> None:
        customer = customer_create(actor=agent, name="Jane Doe", emails=[("jane@mail.example", "home")])
        [entry] = _audit(customer)
        assert (entry.action, entry.actor) == (AuditEntry.Action.CREATE, agent)
        assert entry.after["emails"] == ["jane@mail.example (home)"]

    def test_it_refuses_an_email_of_another_customer_ignoring_case(self, agent: User) -> None:
        CustomerEmailFactory(email="jane@northwind.example")
        with pytest.raises(ValidationError) as caught:
            customer_create(actor=agent, name="Impostor", emails=[("JANE@Northwind.EXAMPLE", "work")])
        assert caught.value.message_dict == {
            "emails": ["“jane@northwind.example” already belongs to another customer."]
        }
        assert not Customer.objects.filter(name="Impostor").exists()

    def test_the_database_refuses_a_duplicate_ignoring_case_too(self) -> None:
        from django.db import IntegrityError, transaction

        CustomerEmailFactory(email="jane@northwind.example")
        with pytest.raises(IntegrityError), transaction.atomic():
            CustomerEmailFactory(email="Jane@Northwind.example")
        assert CustomerEmail.objects.count() == 1

    def test_it_refuses_an_address_that_is_not_an_email(self, agent: User) -> None:
        with pytest.raises(ValidationError, match="is not an email address"):
            customer_create(actor=agent, name="Jane", emails=[("jane-at-example", "home")])
        assert not Customer.objects.exists()

    def test_it_refuses_a_phone_without_digits(self, agent: User) -> None:
        with pytest.raises(ValidationError, match="is not a phone number"):
            customer_create(actor=agent, name="Jane", phones=[("call me", "mobile")])
        assert not Customer.objects.exists()

    def test_it_refuses_a_customer_with_nothing_to_know_them_by(self, agent: User) -> None:
        with pytest.raises(ValidationError, match="needs a name, an email address or a phone number"):
            customer_create(actor=agent, name="  ")
        assert not Customer.objects.exists()

    def test_it_keeps_an_address_given_twice_once(self, agent: User) -> None:
        customer = customer_create(
            actor=agent, emails=[("jane@mail.example", "home"), ("JANE@mail.example", "work")]
        )
        assert list(customer.emails.values_list("email", flat=True)) == ["jane@mail.example"]

    def test_it_reuses_a_company_of_the_same_name_ignoring_case(self, agent: User) -> None:
        northwind = CompanyFactory(name="Northwind Traders")
        customer = customer_create(actor=agent, name="Jane", company_name="northwind traders")
        assert customer.company == northwind
        assert Company.objects.count() == 1

    def test_it_needs_the_update_permission(self, collaborator: User) -> None:
        with pytest.raises(PermissionDenied):
            customer_create(actor=collaborator, name="Jane")
        assert not Customer.objects.exists()

    def test_the_system_can_create_customers(self) -> None:
        customer = customer_create(actor=None, emails=[("new@mail.example", "home")])
        [entry] = _audit(customer)
        assert (entry.actor, entry.actor_label) == (None, "System")


class TestUpdate:
    def test_it_changes_the_header(self, agent: User) -> None:
        customer = CustomerFactory(name="Jane", emails__email="jane@mail.example")
        customer_update(
            actor=agent,
            customer=customer,
            name="Jane Doe",
            emails=[("jane@northwind.example", "work")],
            phones=[("+44 20 7946 0000", "work")],
            company_name="Northwind",
        )
        customer = Customer.objects.with_contacts().get(pk=customer.pk)
        assert (customer.name, customer.primary_email, customer.company.name) == (
            "Jane Doe",
            "jane@northwind.example",
            "Northwind",
        )
        assert [p.phone for p in customer.phones.all()] == ["+44 20 7946 0000"]

    def test_it_audits_before_and_after(self, agent: User) -> None:
        customer = CustomerFactory(name="Jane", emails__email="jane@mail.example")
        customer_update(actor=agent, customer=customer, name="Jane Doe")
        [entry] = _audit(customer)
        assert (entry.action, entry.actor) == (AuditEntry.Action.UPDATE, agent)
        assert entry.changed_fields == [("name", "Jane", "Jane Doe")]

    def test_it_records_nothing_when_nothing_changes(self, agent: User) -> None:
        customer = CustomerFactory(name="Jane", emails__email="jane@mail.example", emails__type="home")
        customer_update(actor=agent, customer=customer, name="Jane", emails=[("jane@mail.example", "home")])
        assert _audit(customer) == []

    def test_it_lets_a_customer_keep_their_address_in_another_case(self, agent: User) -> None:
        customer = CustomerFactory(emails__email="jane@mail.example")
        customer_update(actor=agent, customer=customer, emails=[("JANE@mail.example", "home")])
        assert list(customer.emails.values_list("email", flat=True)) == ["jane@mail.example"]

    def test_it_refuses_an_address_of_another_customer_ignoring_case(self, agent: User) -> None:
        CustomerEmailFactory(email="taken@mail.example")
        customer = CustomerFactory(name="Jane", emails__email="jane@mail.example")
        with pytest.raises(ValidationError, match="already belongs to another customer"):
            customer_update(
                actor=agent, customer=customer, name="Changed", emails=[("Taken@Mail.example", "home")]
            )
        customer.refresh_from_db()
        assert customer.name == "Jane"
        assert list(customer.emails.values_list("email", flat=True)) == ["jane@mail.example"]
        assert _audit(customer) == []

    def test_it_lowercases_the_locale_as_create_does(self, agent: User) -> None:
        customer = CustomerFactory(locale="en-us")
        customer_update(actor=agent, customer=customer, locale=" PT-BR ")
        customer.refresh_from_db()
        assert customer.locale == "pt-br"

    def test_it_refuses_an_unknown_field(self, agent: User) -> None:
        customer = CustomerFactory()
        with pytest.raises(TypeError, match="unexpected fields: custom"):
            customer_update(actor=agent, customer=customer, custom={"vip": True})

    def test_it_needs_the_update_permission(self, collaborator: User) -> None:
        customer = CustomerFactory(name="Jane")
        with pytest.raises(PermissionDenied):
            customer_update(actor=collaborator, customer=customer, name="Changed")
        customer.refresh_from_db()
        assert customer.name == "Jane"
