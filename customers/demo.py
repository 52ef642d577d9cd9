"""Demo companies and customers for `manage.py seed_demo` (runs after accounts' demo).

Idempotent: a company is found by name, a customer by any of their email addresses (both
ignoring case), and only what is missing is added. Customers are added through
`customer_create`, so each has its audit entry, by the demo admin (admin@example.com).
`customer_create` has no time parameter, so a final `update()` spreads the new customers'
`created_at` (and their audit entry's) over the last four months; `conversations.demo`
then moves their `last_activity_at` to their latest conversation.

Addresses use the reserved `.example` top-level domain and phone numbers the fictional
555-01xx range: nothing here can reach a real person.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.utils import timezone

from accounts.models import User
from core.models import AuditEntry
from customers.models import Company, ContactType, Customer, CustomerEmail
from customers.services import customer_create

DEMO_ADMIN_EMAIL = "admin@example.com"

COMPANIES: dict[str, list[str]] = {
    "Northwind Traders": ["northwind.example"],
    "Globex Corporation": ["globex.example"],
    "Initech": ["initech.example"],
    "Umbrella Health": ["umbrella-health.example"],
    "Stark Outfitters": ["stark-outfitters.example"],
    "Blue Harbor Coffee": ["blueharbor.example"],
}


class DemoCustomer(NamedTuple):
    first_name: str
    last_name: str
    company: str
    emails: str  # comma-separated; the first is the primary (work at a company, home otherwise)
    phone: str
    locale: str

    @property
    def primary_email(self) -> str:
        return self.email_list[0][0]

    @property
    def email_list(self) -> list[tuple[str, str]]:
        addresses = [a.strip() for a in self.emails.split(",")]
        first_kind = ContactType.WORK if self.company else ContactType.HOME
        return [(a, first_kind if i == 0 else ContactType.HOME) for i, a in enumerate(addresses)]

    @property
    def phone_list(self) -> list[tuple[str, str]]:
        return [(self.phone, ContactType.MOBILE)] if self.phone else []


N, G, T, U, S, B = (
    "Northwind Traders",
    "Globex Corporation",
    "Initech",
    "Umbrella Health",
    "Stark Outfitters",
    "Blue Harbor Coffee",
)
CUSTOMERS = [
    DemoCustomer("Jane", "Cooper", N, "jane.cooper@northwind.example", "+1 555 0101", "en-us"),
    DemoCustomer("Marcus", "Webb", N, "marcus.webb@northwind.example", "", "en-us"),
    DemoCustomer("Priya", "Natarajan", N, "priya.n@northwind.example, priya@mail.example", "", "en-gb"),
    DemoCustomer("Tom", "Fischer", N, "tom.fischer@northwind.example", "", "de"),
    DemoCustomer("Hannah", "Okafor", G, "h.okafor@globex.example", "+1 555 0111", "en-gb"),
    DemoCustomer("Luis", "Ortega", G, "luis.ortega@globex.example", "", "es"),
    DemoCustomer("Mei", "Tanaka", G, "mei.tanaka@globex.example", "", "ja"),
    DemoCustomer("Daniel", "Brooks", G, "d.brooks@globex.example", "+1 555 0114", "en-us"),
    DemoCustomer("Peter", "Gibbons", T, "peter.gibbons@initech.example", "", "en-us"),
    DemoCustomer("Samir", "Nagheenanajar", T, "samir.n@initech.example", "", "en-us"),
    DemoCustomer("Joanna", "Park", T, "joanna.park@initech.example", "+1 555 0134", "en-us"),
    DemoCustomer("Michael", "Bolton", T, "michael.bolton@initech.example", "", "en-us"),
    DemoCustomer("Claire", "Dubois", U, "claire.dubois@umbrella-health.example", "", "fr"),
    DemoCustomer("Ahmed", "Hassan", U, "ahmed.hassan@umbrella-health.example", "", "en-us"),
    DemoCustomer("Sofia", "Rossi", U, "sofia.rossi@umbrella-health.example", "", "it"),
    DemoCustomer("Nora", "Lindqvist", U, "nora.lindqvist@umbrella-health.example", "", "sv"),
    DemoCustomer("Ben", "Carter", S, "ben.carter@stark-outfitters.example", "+1 555 0147", "en-us"),
    DemoCustomer("Ana", "Souza", S, "ana.souza@stark-outfitters.example", "", "pt-br"),
    DemoCustomer("Grace", "Kim", S, "grace.kim@stark-outfitters.example", "", "en-us"),
    DemoCustomer("Oliver", "Grant", B, "oliver@blueharbor.example", "", "en-au"),
    DemoCustomer("Lena", "Hoffmann", B, "lena@blueharbor.example", "", "de"),
    DemoCustomer("Ravi", "Mehta", B, "ravi@blueharbor.example", "+1 555 0162", "en-in"),
    DemoCustomer("Emily", "Chen", "", "emily.chen@mail.example", "+1 555 0170", "en-us"),
    DemoCustomer("Kwame", "Mensah", "", "kwame.mensah@mail.example", "", "en-gb"),
    DemoCustomer("Isabel", "Moreno", "", "isabel.moreno@mail.example", "+1 555 0188", "es"),
]


def demo_admin() -> User | None:
    return User.objects.filter(email__iexact=DEMO_ADMIN_EMAIL, is_active=True).first()


def seed() -> str:
    admin = demo_admin()
    now = timezone.now()
    added_companies = 0
    for name, domains in COMPANIES.items():
        if not Company.objects.filter(name__iexact=name).exists():
            Company.objects.create(name=name, domains=domains, created_at=now - datetime.timedelta(days=150))
            added_companies += 1
    added = []
    for index, row in enumerate(CUSTOMERS):
        emails = row.email_list
        if CustomerEmail.objects.filter(email__in=[address for address, _ in emails]).exists():
            continue
        customer = customer_create(
            actor=admin,
            first_name=row.first_name,
            last_name=row.last_name,
            emails=emails,
            phones=row.phone_list,
            company_name=row.company,
            locale=row.locale,
        )
        added.append((customer, now - datetime.timedelta(days=40 + (index * 37) % 80, hours=index % 9)))
    for customer, created_at in added:
        Customer.objects.filter(pk=customer.pk).update(created_at=created_at, last_activity_at=created_at)
        AuditEntry.objects.for_object(customer).update(created_at=created_at)
    return f"{added_companies} companies and {len(added)} customers added"
