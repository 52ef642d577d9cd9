"""Demo users and teams for `manage.py seed_demo`. Password for all: demo-password-1."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.capabilities import ADMIN, COLLABORATION, MANAGER, USER
from accounts.models import PermissionSet, Team, User

DEMO_PASSWORD = "demo-password-1"  # noqa: S105 (documented demo login)


def seed() -> str:
    sets = {ps.name: ps for ps in PermissionSet.objects.defaults()}
    today = timezone.localdate()
    people = [
        ("admin@example.com", "Ada Admin", User.UserType.FULL_TIME, ADMIN, True),
        ("manager@example.com", "Max Manager", User.UserType.FULL_TIME, MANAGER, False),
        ("agent@example.com", "Alex Agent", User.UserType.FULL_TIME, USER, False),
        ("agent2@example.com", "Sam Support", User.UserType.FULL_TIME, USER, False),
        ("collab@example.com", "Casey Collaborator", User.UserType.COLLABORATION, COLLABORATION, False),
        ("seasonal@example.com", "Sky Seasonal", User.UserType.SEASONAL, USER, False),
    ]
    created = 0
    users = {}
    for email, name, user_type, set_name, owner in people:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(email=email, display_name=name, user_type=user_type, is_owner=owner)
            if user_type == User.UserType.SEASONAL:
                user.active_from = today - datetime.timedelta(days=30)
                user.active_until = today + datetime.timedelta(days=60)
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.permission_sets.add(sets[set_name])
            created += 1
        users[email] = user
    teams = {
        "Support": ("Front-line support", ["agent@example.com", "agent2@example.com", "manager@example.com"]),
        "Billing": ("Invoices, refunds and payment questions", ["agent2@example.com"]),
    }
    for name, (description, members) in teams.items():
        team, team_created = Team.objects.get_or_create(name=name, defaults={"description": description})
        if team_created:
            team.members.set([users[m] for m in members])
            created += 1
    return f"{created} rows added"
