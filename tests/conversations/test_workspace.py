"""Settings > Workspace > Conversation Status: sub statuses (50 per main status, toggle,
edit, delete) and “Set Notes as Done by Default” on the Done tab."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from conversations.models import (
    MAX_SUB_STATUSES_PER_STATUS,
    Conversation,
    Status,
    SubStatus,
    WorkspaceSettings,
)
from conversations.services import workspace as services
from conversations.services.conversations import conversation_create, conversation_set_sub_status
from core.models import AuditEntry
from customers.services import customer_create

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
HTMX = {"HX-Request": "true"}
PAGE = "conversations:settings_conversation_status"


@pytest.fixture
def conversation(admin_user: User) -> Conversation:
    customer = customer_create(actor=admin_user, name="Jane Doe", emails=[("jane@example.com", "home")])
    return conversation_create(
        actor=admin_user, customer=customer, name="Where is my order?", channel="email"
    )


def make_sub_statuses(status: str, count: int, prefix: str = "Sub") -> list[SubStatus]:
    return SubStatus.objects.bulk_create(
        SubStatus(status=status, name=f"{prefix} {n:02d}", position=n) for n in range(count)
    )


def page_url(tab: str = "") -> str:
    return reverse(PAGE) + (f"?tab={tab}" if tab else "")


def trigger(response: object) -> dict[str, object]:
    return json.loads(response["HX-Trigger"])  # type: ignore[index]


# --- services ---------------------------------------------------------------------------------


class TestSubStatusServices:
    def test_it_creates_a_sub_status_with_a_description(self, admin_user: User) -> None:
        sub = services.sub_status_create(
            actor=admin_user, status=Status.SNOOZED, name="Waiting on engineering", description="Bug filed"
        )
        assert (sub.status, sub.name, sub.description, sub.is_active) == (
            "snoozed",
            "Waiting on engineering",
            "Bug filed",
            True,
        )
        assert AuditEntry.objects.filter(object_type="conversations.substatus", action="create").exists()

    def test_it_allows_50_under_one_main_status(self, admin_user: User) -> None:
        make_sub_statuses(Status.OPEN, MAX_SUB_STATUSES_PER_STATUS - 1)
        services.sub_status_create(actor=admin_user, status=Status.OPEN, name="The fiftieth")
        assert SubStatus.objects.filter(status=Status.OPEN).count() == 50

    def test_it_refuses_the_51st_with_a_clear_message(self, admin_user: User) -> None:
        make_sub_statuses(Status.OPEN, MAX_SUB_STATUSES_PER_STATUS)
        with pytest.raises(ValidationError) as error:
            services.sub_status_create(actor=admin_user, status=Status.OPEN, name="One too many")
        assert error.value.messages == ["Open already has 50 sub statuses, the most it can have."]
        assert SubStatus.objects.filter(status=Status.OPEN).count() == 50

    def test_it_counts_each_main_status_apart(self, admin_user: User) -> None:
        make_sub_statuses(Status.OPEN, MAX_SUB_STATUSES_PER_STATUS)
        services.sub_status_create(actor=admin_user, status=Status.DONE, name="Resolved by refund")
        assert SubStatus.objects.filter(status=Status.DONE).count() == 1

    def test_it_refuses_a_name_used_under_the_same_main_status_ignoring_case(self, admin_user: User) -> None:
        services.sub_status_create(actor=admin_user, status=Status.OPEN, name="Escalated")
        with pytest.raises(ValidationError):
            services.sub_status_create(actor=admin_user, status=Status.OPEN, name="ESCALATED")

    def test_it_renames_on_the_conversations_that_have_it(
        self, admin_user: User, agent: User, conversation: Conversation
    ) -> None:
        sub = services.sub_status_create(actor=admin_user, status=Status.OPEN, name="Escalted")
        conversation_set_sub_status(actor=agent, conversation=conversation, sub_status=sub)
        services.sub_status_update(actor=admin_user, sub_status=sub, name="Escalated", description="Tier 2")
        assert Conversation.objects.get(pk=conversation.pk).sub_status.name == "Escalated"  # type: ignore[union-attr]

    def test_it_turns_a_sub_status_off_and_on(self, admin_user: User) -> None:
        sub = services.sub_status_create(actor=admin_user, status=Status.OPEN, name="Escalated")
        services.sub_status_set_active(actor=admin_user, sub_status=sub, active=False)
        assert SubStatus.objects.get(pk=sub.pk).is_active is False
        services.sub_status_set_active(actor=admin_user, sub_status=sub, active=True)
        assert SubStatus.objects.get(pk=sub.pk).is_active is True

    def test_it_keeps_a_deleted_sub_status_on_its_conversations(
        self, admin_user: User, agent: User, conversation: Conversation
    ) -> None:
        sub = services.sub_status_create(actor=admin_user, status=Status.OPEN, name="Escalated")
        conversation_set_sub_status(actor=agent, conversation=conversation, sub_status=sub)
        services.sub_status_delete(actor=admin_user, sub_status=sub)
        assert Conversation.objects.get(pk=conversation.pk).sub_status_id == sub.pk
        assert SubStatus.objects.get(pk=sub.pk).is_deleted is True

    def test_it_keeps_a_deleted_sub_status_off_other_conversations(
        self, admin_user: User, agent: User, conversation: Conversation
    ) -> None:
        sub = services.sub_status_create(actor=admin_user, status=Status.OPEN, name="Escalated")
        deleted = services.sub_status_delete(actor=admin_user, sub_status=sub)
        with pytest.raises(ValidationError):
            conversation_set_sub_status(actor=agent, conversation=conversation, sub_status=deleted)

    def test_it_cannot_turn_a_deleted_sub_status_back_on(self, admin_user: User) -> None:
        sub = services.sub_status_create(actor=admin_user, status=Status.OPEN, name="Escalated")
        services.sub_status_delete(actor=admin_user, sub_status=sub)
        with pytest.raises(ValidationError):
            services.sub_status_set_active(actor=admin_user, sub_status=sub, active=True)
        assert SubStatus.objects.get(pk=sub.pk).is_active is False

    def test_it_cannot_edit_a_deleted_sub_status(self, admin_user: User) -> None:
        sub = services.sub_status_create(actor=admin_user, status=Status.OPEN, name="Escalated")
        services.sub_status_delete(actor=admin_user, sub_status=sub)
        with pytest.raises(ValidationError):
            services.sub_status_update(actor=admin_user, sub_status=sub, name="Back again")

    def test_it_frees_a_deleted_name_for_reuse(self, admin_user: User) -> None:
        sub = services.sub_status_create(actor=admin_user, status=Status.OPEN, name="Escalated")
        services.sub_status_delete(actor=admin_user, sub_status=sub)
        again = services.sub_status_create(actor=admin_user, status=Status.OPEN, name="Escalated")
        assert again.pk != sub.pk

    def test_it_refuses_a_description_over_255_characters(self, admin_user: User) -> None:
        with pytest.raises(ValidationError) as error:
            services.sub_status_create(
                actor=admin_user, status=Status.OPEN, name="Long", description="d" * 256
            )
        assert "255" in error.value.message_dict["description"][0]

    def test_it_lets_only_workspace_admins_manage_sub_statuses(self, manager: User) -> None:
        with pytest.raises(PermissionDenied):
            services.sub_status_create(actor=manager, status=Status.OPEN, name="Escalated")


class TestNotesDoneByDefault:
    def test_it_is_on_by_default(self) -> None:
        assert WorkspaceSettings.load().notes_done_by_default is True

    def test_it_turns_off_and_on_and_is_audited(self, admin_user: User) -> None:
        services.workspace_set_notes_done_by_default(actor=admin_user, enabled=False)
        assert WorkspaceSettings.load().notes_done_by_default is False
        services.workspace_set_notes_done_by_default(actor=admin_user, enabled=True)
        assert WorkspaceSettings.load().notes_done_by_default is True
        assert AuditEntry.objects.filter(object_type="conversations.workspacesettings").count() == 2

    def test_it_lets_only_workspace_admins_change_it(self, manager: User) -> None:
        with pytest.raises(PermissionDenied):
            services.workspace_set_notes_done_by_default(actor=manager, enabled=False)


# --- views: access ------------------------------------------------------------------------


class TestAccess:
    @pytest.mark.parametrize("persona", ["agent", "manager", "collaborator", "outsider"])
    def test_it_forbids_the_page_to_users_without_workspace_settings(
        self, request: pytest.FixtureRequest, client_for: ClientFor, persona: str
    ) -> None:
        assert client_for(request.getfixturevalue(persona)).get(page_url()).status_code == 403

    @pytest.mark.parametrize("persona", ["agent", "manager", "outsider"])
    def test_it_forbids_changes_to_users_without_workspace_settings(
        self, request: pytest.FixtureRequest, client_for: ClientFor, persona: str
    ) -> None:
        sub = SubStatus.objects.create(status=Status.OPEN, name="Escalated")
        client = client_for(request.getfixturevalue(persona))
        create = client.post(
            reverse("conversations:settings_sub_status_create"), {"status": "open", "name": "New one"}
        )
        delete = client.post(reverse("conversations:settings_sub_status_delete", args=[sub.pk]))
        notes = client.post(reverse("conversations:settings_notes_default"), {"enabled": "0"})
        assert (create.status_code, delete.status_code, notes.status_code) == (403, 403, 403)
        assert list(SubStatus.objects.values_list("name", "is_deleted")) == [("Escalated", False)]
        assert WorkspaceSettings.load().notes_done_by_default is True

    def test_it_sends_an_anonymous_visitor_to_sign_in(self, client: Client) -> None:
        response = client.get(page_url())
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))

    def test_it_answers_404_for_a_deleted_sub_status(self, client_for: ClientFor, admin_user: User) -> None:
        sub = SubStatus.objects.create(status=Status.OPEN, name="Gone", is_deleted=True, is_active=False)
        response = client_for(admin_user).post(
            reverse("conversations:settings_sub_status_reactivate", args=[sub.pk]), headers=HTMX
        )
        assert response.status_code == 404


# --- views: the page ----------------------------------------------------------------------


class TestPage:
    def test_it_opens_on_the_open_tab_with_counts(self, client_for: ClientFor, admin_user: User) -> None:
        make_sub_statuses(Status.OPEN, 2)
        make_sub_statuses(Status.SNOOZED, 3)
        response = client_for(admin_user).get(page_url())
        html = response.content.decode()
        assert response.status_code == 200
        assert response.context["settings_active"] == "conversation_status"
        assert response.context["tab"] == "open"
        assert [(t["label"], t["count"]) for t in response.context["tabs"]] == [
            ("Open", 2),
            ("Snoozed", 3),
            ("Done", 0),
        ]
        assert 'aria-current="page">Open' in html
        assert "Sub 00" in html and "2 of 50 Open sub statuses." in html

    def test_it_lists_only_the_tabs_own_sub_statuses(self, client_for: ClientFor, admin_user: User) -> None:
        SubStatus.objects.create(status=Status.OPEN, name="Escalated")
        SubStatus.objects.create(status=Status.SNOOZED, name="Waiting on engineering")
        SubStatus.objects.create(status=Status.SNOOZED, name="Deleted one", is_deleted=True, is_active=False)
        html = client_for(admin_user).get(page_url("snoozed")).content.decode()
        assert "Waiting on engineering" in html
        assert "Escalated" not in html and "Deleted one" not in html

    def test_it_shows_an_empty_state(self, client_for: ClientFor, admin_user: User) -> None:
        html = client_for(admin_user).get(page_url("done")).content.decode()
        assert "No Done sub statuses yet." in html

    def test_it_offers_add_sub_status_with_the_seed_labels(
        self, client_for: ClientFor, admin_user: User
    ) -> None:
        html = client_for(admin_user).get(page_url("snoozed")).content.decode()
        assert "Add Sub Status" in html and "Sub Status of" in html
        assert '<option value="snoozed" selected>Snoozed</option>' in html
        assert ">Create</button>" in html

    def test_it_shows_the_notes_toggle_on_the_done_tab_only(
        self, client_for: ClientFor, admin_user: User
    ) -> None:
        client = client_for(admin_user)
        done = client.get(page_url("done")).content.decode()
        assert "Set Notes as Done by Default" in done
        assert 'role="switch" aria-checked="true" aria-labelledby="notes-default-label"' in done
        assert "Set Notes as Done by Default" not in client.get(page_url("open")).content.decode()

    def test_it_uses_the_same_number_of_queries_for_1_and_20_sub_statuses(
        self, client_for: ClientFor, admin_user: User
    ) -> None:
        client = client_for(admin_user)
        make_sub_statuses(Status.OPEN, 1, prefix="First")
        client.get(page_url())
        with CaptureQueriesContext(connection) as one:
            client.get(page_url())
        make_sub_statuses(Status.OPEN, 19)
        with CaptureQueriesContext(connection) as twenty:
            response = client.get(page_url())
        assert len(response.context["sub_statuses"]) == 20
        assert len(twenty) == len(one)


# --- views: changes -----------------------------------------------------------------------


class TestChanges:
    def test_it_creates_a_sub_status_and_returns_to_its_tab(
        self, client_for: ClientFor, admin_user: User
    ) -> None:
        response = client_for(admin_user).post(
            reverse("conversations:settings_sub_status_create"),
            {"status": "snoozed", "name": "Waiting on engineering", "description": "Bug filed"},
        )
        assert response.status_code == 302
        assert response.url == page_url("snoozed")
        assert SubStatus.objects.filter(status="snoozed", name="Waiting on engineering").exists()

    def test_it_refuses_the_51st_with_the_message_and_keeps_the_form(
        self, client_for: ClientFor, admin_user: User
    ) -> None:
        make_sub_statuses(Status.DONE, MAX_SUB_STATUSES_PER_STATUS)
        response = client_for(admin_user).post(
            reverse("conversations:settings_sub_status_create"), {"status": "done", "name": "Fifty-first"}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "Done already has 50 sub statuses, the most it can have." in html
        assert 'value="Fifty-first"' in html
        assert '<details class="add-panel" open>' in html
        assert SubStatus.objects.filter(status="done").count() == 50

    def test_it_toggles_a_row_for_htmx(self, client_for: ClientFor, admin_user: User) -> None:
        sub = SubStatus.objects.create(status=Status.OPEN, name="Escalated")
        response = client_for(admin_user).post(
            reverse("conversations:settings_sub_status_deactivate", args=[sub.pk]), headers=HTMX
        )
        html = response.content.decode()
        assert "<html" not in html
        assert html.lstrip().startswith(f'<tr id="sub-status-row-{sub.pk}"')
        assert 'aria-checked="false"' in html
        assert trigger(response) == {"subStatusChanged": {"id": sub.pk, "active": False}}
        assert SubStatus.objects.get(pk=sub.pk).is_active is False

    def test_it_toggles_without_javascript(self, client_for: ClientFor, admin_user: User) -> None:
        sub = SubStatus.objects.create(status=Status.SNOOZED, name="Waiting", is_active=False)
        response = client_for(admin_user).post(
            reverse("conversations:settings_sub_status_reactivate", args=[sub.pk])
        )
        assert response.status_code == 302 and response.url == page_url("snoozed")
        assert SubStatus.objects.get(pk=sub.pk).is_active is True

    def test_it_edits_name_and_description_inline(self, client_for: ClientFor, admin_user: User) -> None:
        sub = SubStatus.objects.create(status=Status.OPEN, name="Escalted")
        client = client_for(admin_user)
        url = reverse("conversations:settings_sub_status_edit", args=[sub.pk])
        editor = client.get(url, headers=HTMX).content.decode()
        assert editor.lstrip().startswith(f'<tr id="sub-status-row-{sub.pk}" class="is-editing">')
        prefix = f"sub-status-{sub.pk}"
        response = client.post(
            url, {f"{prefix}-name": "Escalated", f"{prefix}-description": "Tier 2 has it"}, headers=HTMX
        )
        html = response.content.decode()
        assert "Escalated" in html and "Tier 2 has it" in html and "is-editing" not in html
        assert trigger(response) == {"subStatusChanged": {"id": sub.pk, "active": True}}
        sub.refresh_from_db()
        assert (sub.name, sub.description) == ("Escalated", "Tier 2 has it")

    def test_it_keeps_the_editor_open_with_the_error(self, client_for: ClientFor, admin_user: User) -> None:
        SubStatus.objects.create(status=Status.OPEN, name="Escalated")
        sub = SubStatus.objects.create(status=Status.OPEN, name="Other")
        prefix = f"sub-status-{sub.pk}"
        response = client_for(admin_user).post(
            reverse("conversations:settings_sub_status_edit", args=[sub.pk]),
            {f"{prefix}-name": "escalated", f"{prefix}-description": ""},
            headers=HTMX,
        )
        html = response.content.decode()
        assert "is-editing" in html and "Open already has a sub status named “escalated”." in html
        assert "HX-Trigger" not in response

    def test_it_edits_in_the_page_without_javascript(self, client_for: ClientFor, admin_user: User) -> None:
        sub = SubStatus.objects.create(status=Status.DONE, name="Refunded")
        client = client_for(admin_user)
        url = reverse("conversations:settings_sub_status_edit", args=[sub.pk])
        assert 'class="is-editing"' in client.get(url).content.decode()
        prefix = f"sub-status-{sub.pk}"
        response = client.post(url, {f"{prefix}-name": "Refund issued", f"{prefix}-description": ""})
        assert response.status_code == 302 and response.url == page_url("done")
        assert SubStatus.objects.get(pk=sub.pk).name == "Refund issued"

    def test_it_deletes_a_row_for_htmx_and_updates_the_tab_counts(
        self, client_for: ClientFor, admin_user: User
    ) -> None:
        sub = SubStatus.objects.create(status=Status.OPEN, name="Escalated")
        response = client_for(admin_user).post(
            reverse("conversations:settings_sub_status_delete", args=[sub.pk]), headers=HTMX
        )
        html = response.content.decode()
        assert "<html" not in html and "sub-status-row" not in html
        assert '<nav class="tabs" id="status-tabs" aria-label="Main status" hx-swap-oob="true">' in html
        assert trigger(response) == {"subStatusDeleted": {"id": sub.pk}}
        assert SubStatus.objects.get(pk=sub.pk).is_deleted is True

    def test_it_asks_before_deleting_without_javascript(
        self, client_for: ClientFor, admin_user: User
    ) -> None:
        sub = SubStatus.objects.create(status=Status.OPEN, name="Escalated")
        client = client_for(admin_user)
        url = reverse("conversations:settings_sub_status_delete", args=[sub.pk])
        confirm = client.get(url).content.decode()
        assert "Delete <strong>Escalated</strong> from Open?" in confirm
        assert SubStatus.objects.get(pk=sub.pk).is_deleted is False
        response = client.post(url)
        assert response.status_code == 302
        assert SubStatus.objects.get(pk=sub.pk).is_deleted is True

    def test_it_turns_notes_done_by_default_off_for_htmx(
        self, client_for: ClientFor, admin_user: User
    ) -> None:
        response = client_for(admin_user).post(
            reverse("conversations:settings_notes_default"), {"enabled": "0"}, headers=HTMX
        )
        html = response.content.decode()
        assert "<html" not in html
        assert html.lstrip().startswith('<section class="card setting-card" id="notes-default"')
        assert 'aria-checked="false"' in html
        assert trigger(response) == {"workspaceSettingsChanged": {"notesDoneByDefault": False}}
        assert WorkspaceSettings.load().notes_done_by_default is False

    def test_it_turns_notes_done_by_default_back_on_without_javascript(
        self, client_for: ClientFor, admin_user: User
    ) -> None:
        WorkspaceSettings.objects.update_or_create(pk=1, defaults={"notes_done_by_default": False})
        response = client_for(admin_user).post(
            reverse("conversations:settings_notes_default"), {"enabled": "1"}
        )
        assert response.status_code == 302 and response.url == page_url("done")
        assert WorkspaceSettings.load().notes_done_by_default is True


# --- registration and the Django admin -------------------------------------------------------


def test_it_registers_both_pages_under_workspace_in_settings() -> None:
    from accounts.context_processors import _SETTINGS_ENTRIES

    entries = {e.key: (e.label, e.section, e.url_name, e.order) for e in _SETTINGS_ENTRIES}
    assert entries["tags"] == ("Tags", "Workspace", "conversations:settings_tags", 50)
    assert entries["conversation_status"] == (
        "Conversation Status",
        "Workspace",
        "conversations:settings_conversation_status",
        55,
    )


@pytest.mark.parametrize("model", ["tag", "substatus", "workspacesettings", "queue"])
def test_it_lists_workspace_models_in_the_django_admin(
    client_for: ClientFor, owner: User, model: str
) -> None:
    WorkspaceSettings.load()
    response = client_for(owner).get(reverse(f"admin:conversations_{model}_changelist"))
    assert response.status_code == 200


def test_it_keeps_tags_read_only_in_the_django_admin(client_for: ClientFor, owner: User) -> None:
    response = client_for(owner).get(reverse("admin:conversations_tag_add"))
    assert response.status_code == 403


def test_it_audits_a_queue_added_in_the_django_admin(client_for: ClientFor, owner: User) -> None:
    response = client_for(owner).post(
        reverse("admin:conversations_queue_add"),
        {"name": "Returns", "description": "", "conversation_weight": "1", "is_active": "on"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_type="conversations.queue")
    assert entry.action == AuditEntry.Action.CREATE and entry.after["name"] == "Returns"
