from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.deletion import ProtectedError

from accounts import services
from accounts.capabilities import Capability
from accounts.models import PermissionSet, User
from core.models import AuditEntry
from tests.factories import PermissionSetFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _sets(*names: str) -> list[PermissionSet]:
    return list(PermissionSet.objects.filter(name__in=names))


class TestDefaultPermissionSets:
    def test_it_has_the_five_default_sets(self) -> None:
        names = set(PermissionSet.objects.defaults().values_list("name", flat=True))
        assert names == {"Admin", "Content Administrator", "Manager", "User", "Collaboration"}

    def test_it_gives_admin_every_capability_and_user_no_settings(self) -> None:
        admin, user = PermissionSet.objects.get(name="Admin"), PermissionSet.objects.get(name="User")
        assert set(admin.capabilities) == set(Capability.values)
        assert Capability.SETTINGS_ACCESS not in user.capabilities
        assert Capability.SEND_MESSAGES in user.capabilities

    def test_it_refuses_to_change_a_default_set(self, owner: User) -> None:
        with pytest.raises(PermissionDenied):
            services.permission_set_update(
                actor=owner,
                permission_set=PermissionSet.objects.get(name="User"),
                name="User",
                capabilities=[],
            )


class TestCustomPermissionSetLimit:
    def test_it_allows_ten_custom_sets(self, owner: User) -> None:
        for n in range(10):
            services.permission_set_create(actor=owner, name=f"Set {n}", capabilities=[Capability.ADD_NOTES])
        assert PermissionSet.objects.custom().count() == 10

    def test_it_refuses_the_eleventh_with_a_clear_error(self, owner: User) -> None:
        for n in range(10):
            services.permission_set_create(actor=owner, name=f"Set {n}")
        with pytest.raises(ValidationError, match="already has 10 custom permission sets"):
            services.permission_set_create(actor=owner, name="One too many")
        assert PermissionSet.objects.custom().count() == 10

    def test_it_frees_a_place_when_one_is_deleted(self, owner: User) -> None:
        created = [services.permission_set_create(actor=owner, name=f"Set {n}") for n in range(10)]
        services.permission_set_delete(actor=owner, permission_set=created[0])
        services.permission_set_create(actor=owner, name="Replacement")
        assert PermissionSet.objects.custom().count() == 10

    def test_it_refuses_a_name_that_differs_only_in_case(self, owner: User) -> None:
        services.permission_set_create(actor=owner, name="Tier 2")
        with pytest.raises(ValidationError):
            services.permission_set_create(actor=owner, name="tier 2")

    def test_it_refuses_to_delete_a_set_in_use(self, owner: User) -> None:
        custom = services.permission_set_create(actor=owner, name="Escalations")
        UserFactory().permission_sets.add(custom)
        with pytest.raises(ValidationError, match="still given to 1 user"):
            services.permission_set_delete(actor=owner, permission_set=custom)


class TestOrgOwner:
    def test_it_cannot_be_deleted(self, owner: User) -> None:
        with pytest.raises(ProtectedError), transaction.atomic():
            owner.delete()
        with pytest.raises(ProtectedError), transaction.atomic():
            User.objects.filter(pk=owner.pk).delete()
        assert User.objects.filter(pk=owner.pk).exists()

    def test_it_cannot_be_deactivated(self, owner: User, admin_user: User) -> None:
        with pytest.raises(services.OwnerProtected):
            services.user_deactivate(actor=admin_user, user=owner)
        owner.refresh_from_db()
        assert owner.is_active

    def test_it_cannot_be_demoted_even_by_itself(self, owner: User) -> None:
        with pytest.raises(services.OwnerProtected, match="cannot be demoted"):
            services.user_update(actor=owner, user=owner, permission_sets=_sets("User"))
        assert list(owner.permission_sets.values_list("name", flat=True)) == ["Admin"]

    def test_it_cannot_be_changed_by_another_admin(self, owner: User, admin_user: User) -> None:
        with pytest.raises(services.OwnerProtected):
            services.user_update(actor=admin_user, user=owner, display_name="Someone else")
        owner.refresh_from_db()
        assert owner.display_name == "Olivia Owner"

    def test_there_is_only_one(self, owner: User) -> None:
        from django.db import IntegrityError

        with pytest.raises(IntegrityError), transaction.atomic():
            UserFactory(is_owner=True)

    def test_it_has_every_capability(self, owner: User) -> None:
        owner.permission_sets.clear()
        fresh = User.objects.get(pk=owner.pk)
        assert fresh.capabilities == frozenset(Capability.values)


class TestUsers:
    def test_it_creates_a_user_and_audits_it(self, owner: User) -> None:
        user = services.user_create(
            actor=owner,
            email="New.Person@Example.com",
            display_name="New Person",
            permission_sets=_sets("User"),
        )
        assert user.email == "new.person@example.com"
        entry = AuditEntry.objects.for_object(user).get()
        assert entry.action == AuditEntry.Action.CREATE
        assert entry.actor == owner
        assert entry.after["permission_sets"] == ["User"]

    def test_it_refuses_a_duplicate_email_ignoring_case(self, owner: User, agent: User) -> None:
        with pytest.raises(ValidationError, match="already exists"):
            services.user_create(actor=owner, email="AGENT@example.com", display_name="Dup")

    def test_it_invites_a_user_created_without_a_password(
        self, owner: User, mailoutbox: list, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            user = services.user_create(actor=owner, email="invitee@example.com", display_name="Invitee")
        assert not user.has_usable_password()
        assert len(mailoutbox) == 1
        assert mailoutbox[0].to == ["invitee@example.com"]
        assert "/password-reset/" in mailoutbox[0].body

    def test_it_records_before_and_after_on_update(self, owner: User, agent: User) -> None:
        services.user_update(
            actor=owner, user=agent, display_name="Alex A.", permission_sets=_sets("Manager")
        )
        entry = AuditEntry.objects.for_object(agent).get()
        assert entry.before["display_name"] == "Alex Agent"
        assert entry.after["display_name"] == "Alex A."
        assert entry.before["permission_sets"] == ["User"]
        assert entry.after["permission_sets"] == ["Manager"]

    def test_it_records_nothing_when_nothing_changed(self, owner: User, agent: User) -> None:
        services.user_update(actor=owner, user=agent, display_name=agent.display_name)
        assert not AuditEntry.objects.for_object(agent).exists()

    def test_a_collaboration_user_only_gets_the_collaboration_set(self, owner: User) -> None:
        with pytest.raises(ValidationError, match="only have the Collaboration permission set"):
            services.user_create(
                actor=owner,
                email="c@example.com",
                display_name="C",
                user_type=User.UserType.COLLABORATION,
                permission_sets=_sets("Admin"),
            )

    def test_a_collaboration_user_is_held_to_the_collaboration_set_through_teams(
        self, collaborator: User
    ) -> None:
        team = TeamFactory()
        team.permission_sets.set(_sets("Admin"))
        team.members.add(collaborator)
        fresh = User.objects.get(pk=collaborator.pk)
        assert fresh.capabilities == frozenset({Capability.ADD_NOTES})

    def test_a_seasonal_user_needs_both_dates_in_order(self, owner: User) -> None:
        with pytest.raises(ValidationError):
            services.user_create(
                actor=owner, email="s@example.com", display_name="S", user_type=User.UserType.SEASONAL
            )
        with pytest.raises(ValidationError, match="on or after"):
            services.user_create(
                actor=owner,
                email="s@example.com",
                display_name="S",
                user_type=User.UserType.SEASONAL,
                active_from=datetime.date(2026, 12, 31),
                active_until=datetime.date(2026, 12, 1),
            )

    def test_it_refuses_to_deactivate_yourself(self, admin_user: User) -> None:
        with pytest.raises(PermissionDenied):
            services.user_deactivate(actor=admin_user, user=admin_user)

    def test_deactivation_and_reactivation_are_audited(self, owner: User, agent: User) -> None:
        services.user_deactivate(actor=owner, user=agent)
        services.user_reactivate(actor=owner, user=agent)
        actions = list(AuditEntry.objects.for_object(agent).order_by("id").values_list("action", flat=True))
        assert actions == ["deactivate", "reactivate"]


class TestTeamsAndCapabilities:
    def test_team_sets_add_to_a_members_capabilities(self, owner: User, agent: User) -> None:
        reports = PermissionSetFactory(name="Reporting", capabilities=[Capability.VIEW_REPORTS])
        services.team_create(actor=owner, name="Leads", members=[agent], permission_sets=[reports])
        fresh = User.objects.get(pk=agent.pk)
        assert Capability.VIEW_REPORTS in fresh.capabilities
        assert Capability.SEND_MESSAGES in fresh.capabilities

    def test_team_changes_are_audited_with_members(self, owner: User, agent: User) -> None:
        team = services.team_create(actor=owner, name="Returns")
        services.team_update(actor=owner, team=team, name="Returns", members=[agent])
        update = AuditEntry.objects.for_object(team).get(action="update")
        assert update.before["members"] == []
        assert update.after["members"] == ["agent@example.com"]

    def test_team_names_are_unique_ignoring_case(self, owner: User) -> None:
        services.team_create(actor=owner, name="Billing")
        with pytest.raises(ValidationError):
            services.team_create(actor=owner, name="BILLING")

    def test_deleting_a_team_is_audited_with_what_it_was(self, owner: User, agent: User) -> None:
        team = services.team_create(actor=owner, name="Temp", members=[agent])
        services.team_delete(actor=owner, team=team)
        entry = AuditEntry.objects.get(action="delete", object_type="accounts.team")
        assert entry.before["members"] == ["agent@example.com"]

    def test_an_inactive_user_has_no_capabilities(self, agent: User) -> None:
        agent.is_active = False
        assert agent.capabilities == frozenset()


class TestPreferences:
    def test_it_saves_and_audits_preferences(self, agent: User) -> None:
        services.user_update_preferences(
            user=agent, timezone="Europe/Paris", language="fr", notify_desktop=False
        )
        agent.refresh_from_db()
        assert (agent.timezone, agent.language, agent.notify_desktop) == ("Europe/Paris", "fr", False)
        entry = AuditEntry.objects.for_object(agent).get()
        assert entry.after["timezone"] == "Europe/Paris"

    def test_it_refuses_an_unknown_time_zone(self, agent: User) -> None:
        with pytest.raises(ValidationError):
            services.user_update_preferences(user=agent, timezone="Mars/Olympus")


class TestCapabilitiesWithTheUserRow:
    def test_the_signed_in_user_brings_their_capabilities_without_another_query(
        self, agent: User, django_assert_num_queries
    ) -> None:
        from accounts.backends import EmailBackend

        team = TeamFactory()
        team.permission_sets.set(_sets("Manager"))
        team.members.add(agent)
        loaded = EmailBackend().get_user(agent.pk)
        assert loaded is not None
        with django_assert_num_queries(0):
            capabilities = loaded.capabilities
        assert Capability.BULK_UPDATE in capabilities  # from the team's Manager set
        assert Capability.SEND_MESSAGES in capabilities  # from the user's own User set
        assert capabilities == User.objects.get(pk=agent.pk).capabilities
