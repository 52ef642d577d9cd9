"""Tags: the services (limits, case, deactivation, the lock), the Add Tag card on a
conversation, and Settings > Workspace > Tags."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from conversations.models import (
    MAX_TAGS_PER_CONVERSATION,
    Conversation,
    ConversationEvent,
    ConversationTag,
    Tag,
)
from conversations.services import tags as services
from conversations.services.conversations import conversation_create
from core.models import AuditEntry
from customers.services import customer_create

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def conversation(admin_user: User) -> Conversation:
    customer = customer_create(actor=admin_user, name="Jane Doe", emails=[("jane@example.com", "home")])
    return conversation_create(
        actor=admin_user, customer=customer, name="Where is my order?", channel="email"
    )


def make_tags(count: int, prefix: str = "Tag") -> list[Tag]:
    return [Tag.objects.create(name=f"{prefix} {n:02d}") for n in range(count)]


def tag_names(conversation: Conversation) -> list[str]:
    return list(ConversationTag.objects.filter(conversation=conversation).values_list("tag__name", flat=True))


def fill(conversation: Conversation, count: int) -> None:
    ConversationTag.objects.bulk_create(
        ConversationTag(conversation=conversation, tag=tag) for tag in make_tags(count, prefix="Full")
    )


def add_url(conversation: Conversation) -> str:
    return reverse("conversations:tag_add", args=[conversation.pk])


def remove_url(conversation: Conversation, tag: Tag) -> str:
    return reverse("conversations:tag_remove", args=[conversation.pk, tag.pk])


def suggest_url(conversation: Conversation) -> str:
    return reverse("conversations:tag_suggest", args=[conversation.pk])


def trigger(response: object) -> dict[str, object]:
    return json.loads(response["HX-Trigger"])  # type: ignore[index]


# --- services: names --------------------------------------------------------------------------


class TestTagNames:
    def test_it_accepts_a_64_character_name(self, agent: User) -> None:
        tag = services.tag_create(actor=agent, name="x" * 64)
        assert Tag.objects.get(pk=tag.pk).name == "x" * 64

    def test_it_refuses_a_65_character_name_with_the_limit_in_the_message(self, agent: User) -> None:
        with pytest.raises(ValidationError) as error:
            services.tag_create(actor=agent, name="x" * 65)
        assert error.value.message_dict["name"] == ["The tag name can't exceed 64 characters (65 typed)."]
        assert not Tag.objects.exists()

    def test_it_refuses_a_name_that_differs_only_in_case(self, agent: User) -> None:
        services.tag_create(actor=agent, name="Billing")
        with pytest.raises(ValidationError) as error:
            services.tag_create(actor=agent, name="BILLING")
        assert "already exists" in error.value.message_dict["name"][0]
        assert Tag.objects.count() == 1

    def test_it_refuses_a_blank_name(self, agent: User) -> None:
        with pytest.raises(ValidationError):
            services.tag_create(actor=agent, name="   ")

    def test_it_records_the_creation_in_the_audit_log(self, agent: User) -> None:
        tag = services.tag_create(actor=agent, name="VIP", color=Tag.Color.RED)
        entry = AuditEntry.objects.get(object_type="conversations.tag", object_id=str(tag.pk))
        assert entry.action == AuditEntry.Action.CREATE
        assert entry.after == {"name": "VIP", "color": "red"}

    def test_it_refuses_a_colour_outside_the_palette(self, agent: User) -> None:
        with pytest.raises(ValidationError):
            services.tag_create(actor=agent, name="VIP", color="chartreuse")

    def test_it_lets_only_users_who_update_conversations_create_tags(self, collaborator: User) -> None:
        with pytest.raises(PermissionDenied):
            services.tag_create(actor=collaborator, name="VIP")


# --- services: tags on a conversation ---------------------------------------------------------


class TestConversationTags:
    def test_it_applies_a_tag_and_records_an_event(self, agent: User, conversation: Conversation) -> None:
        tag = Tag.objects.create(name="VIP")
        services.conversation_add_tag(actor=agent, conversation=conversation, tag=tag)
        assert tag_names(conversation) == ["VIP"]
        event = ConversationEvent.objects.get(
            conversation=conversation, kind=ConversationEvent.Kind.TAG_ADDED
        )
        assert (event.actor, event.data) == (agent, {"tag": "VIP"})

    def test_it_applies_up_to_20_tags(self, agent: User, conversation: Conversation) -> None:
        for tag in make_tags(MAX_TAGS_PER_CONVERSATION):
            services.conversation_add_tag(actor=agent, conversation=conversation, tag=tag)
        assert len(tag_names(conversation)) == 20

    def test_it_refuses_the_21st_tag(self, agent: User, conversation: Conversation) -> None:
        fill(conversation, 20)
        extra = Tag.objects.create(name="One too many")
        with pytest.raises(ValidationError) as error:
            services.conversation_add_tag(actor=agent, conversation=conversation, tag=extra)
        assert error.value.messages == [
            "A conversation can have at most 20 tags. Remove one to add “One too many”."
        ]
        assert len(tag_names(conversation)) == 20

    def test_it_creates_nothing_when_tab_cannot_apply_a_21st_tag(
        self, agent: User, conversation: Conversation
    ) -> None:
        fill(conversation, 20)
        with pytest.raises(ValidationError):
            services.conversation_add_new_tag(actor=agent, conversation=conversation, name="Brand new")
        assert not Tag.objects.filter(name="Brand new").exists()

    def test_it_adding_a_tag_twice_keeps_one(self, agent: User, conversation: Conversation) -> None:
        tag = Tag.objects.create(name="VIP")
        services.conversation_add_tag(actor=agent, conversation=conversation, tag=tag)
        services.conversation_add_tag(actor=agent, conversation=conversation, tag=tag)
        assert tag_names(conversation) == ["VIP"]

    def test_it_creates_and_applies_a_new_tag_on_tab(self, agent: User, conversation: Conversation) -> None:
        _, tag = services.conversation_add_new_tag(
            actor=agent, conversation=conversation, name="  Late   delivery "
        )
        assert tag.name == "Late delivery"
        assert tag_names(conversation) == ["Late delivery"]

    def test_it_reuses_an_existing_tag_of_the_same_name_ignoring_case_on_tab(
        self, agent: User, conversation: Conversation
    ) -> None:
        existing = Tag.objects.create(name="Refund")
        _, tag = services.conversation_add_new_tag(actor=agent, conversation=conversation, name="rEFUND")
        assert tag == existing
        assert Tag.objects.count() == 1
        assert tag_names(conversation) == ["Refund"]

    def test_it_refuses_a_65_character_name_on_tab(self, agent: User, conversation: Conversation) -> None:
        with pytest.raises(ValidationError) as error:
            services.conversation_add_new_tag(actor=agent, conversation=conversation, name="y" * 65)
        assert error.value.messages == ["The tag name can't exceed 64 characters (65 typed)."]

    def test_it_refuses_to_add_a_deactivated_tag(self, agent: User, conversation: Conversation) -> None:
        tag = Tag.objects.create(name="Legacy", is_active=False)
        with pytest.raises(ValidationError) as error:
            services.conversation_add_tag(actor=agent, conversation=conversation, tag=tag)
        assert "deactivated" in error.value.messages[0]
        assert tag_names(conversation) == []

    def test_it_refuses_to_add_a_tag_deactivated_after_it_was_loaded(
        self, agent: User, admin_user: User, conversation: Conversation
    ) -> None:
        tag = Tag.objects.create(name="Legacy")
        services.tag_set_active(actor=admin_user, tag=Tag.objects.get(pk=tag.pk), active=False)
        with pytest.raises(ValidationError):
            services.conversation_add_tag(actor=agent, conversation=conversation, tag=tag)  # a stale copy

    def test_it_refuses_to_apply_a_deactivated_tag_by_typing_its_name(
        self, agent: User, conversation: Conversation
    ) -> None:
        Tag.objects.create(name="Legacy", is_active=False)
        with pytest.raises(ValidationError):
            services.conversation_add_new_tag(actor=agent, conversation=conversation, name="legacy")
        assert tag_names(conversation) == []

    def test_it_refuses_to_remove_a_deactivated_tag_which_stays_listed(
        self, agent: User, admin_user: User, conversation: Conversation
    ) -> None:
        tag = Tag.objects.create(name="Legacy")
        services.conversation_add_tag(actor=agent, conversation=conversation, tag=tag)
        services.tag_set_active(actor=admin_user, tag=tag, active=False)
        with pytest.raises(ValidationError) as error:
            services.conversation_remove_tag(actor=agent, conversation=conversation, tag=tag)
        assert "can't be removed" in error.value.messages[0]
        assert tag_names(conversation) == ["Legacy"]

    def test_it_removes_a_tag_and_records_an_event(self, agent: User, conversation: Conversation) -> None:
        tag = Tag.objects.create(name="VIP")
        services.conversation_add_tag(actor=agent, conversation=conversation, tag=tag)
        services.conversation_remove_tag(actor=agent, conversation=conversation, tag=tag)
        assert tag_names(conversation) == []
        assert ConversationEvent.objects.filter(
            conversation=conversation, kind=ConversationEvent.Kind.TAG_REMOVED, data={"tag": "VIP"}
        ).exists()

    def test_it_shows_a_renamed_tag_on_its_conversations(
        self, agent: User, admin_user: User, conversation: Conversation
    ) -> None:
        tag = Tag.objects.create(name="Shiping")
        services.conversation_add_tag(actor=agent, conversation=conversation, tag=tag)
        services.tag_update(actor=admin_user, tag=tag, name="Shipping", color=Tag.Color.GREEN)
        assert tag_names(conversation) == ["Shipping"]

    def test_it_refuses_a_rename_onto_another_tags_name_ignoring_case(self, admin_user: User) -> None:
        Tag.objects.create(name="Billing")
        other = Tag.objects.create(name="Invoices")
        with pytest.raises(ValidationError):
            services.tag_update(actor=admin_user, tag=other, name="billing", color=Tag.Color.BLUE)

    def test_it_lets_only_workspace_admins_edit_tags(self, manager: User) -> None:
        tag = Tag.objects.create(name="VIP")
        with pytest.raises(PermissionDenied):
            services.tag_update(actor=manager, tag=tag, name="V.I.P.", color=Tag.Color.BLUE)
        with pytest.raises(PermissionDenied):
            services.tag_set_active(actor=manager, tag=tag, active=False)

    def test_it_counts_the_tags_under_a_lock_on_the_conversation(
        self, agent: User, conversation: Conversation
    ) -> None:
        tag = Tag.objects.create(name="VIP")
        with CaptureQueriesContext(connection) as queries:
            services.conversation_add_tag(actor=agent, conversation=conversation, tag=tag)
        sql = [q["sql"] for q in queries.captured_queries]
        lock = next(i for i, s in enumerate(sql) if "FOR UPDATE" in s and '"conversations_conversation"' in s)
        count = next(i for i, s in enumerate(sql) if "COUNT(*)" in s and "conversations_conversationtag" in s)
        assert lock < count


@pytest.mark.django_db(transaction=True)
def test_it_never_passes_20_tags_when_two_agents_add_at_once(agent: User, admin_user: User) -> None:
    customer = customer_create(actor=admin_user, name="Race", emails=[("race@example.com", "home")])
    conversation = conversation_create(actor=admin_user, customer=customer, name="Race", channel="email")
    fill(conversation, MAX_TAGS_PER_CONVERSATION - 1)
    first, second = Tag.objects.create(name="First"), Tag.objects.create(name="Second")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def add(tag: Tag) -> None:
        try:
            barrier.wait()
            services.conversation_add_tag(actor=agent, conversation=conversation, tag=tag)
            outcomes.append("added")
        except ValidationError:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=add, args=(tag,)) for tag in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["added", "refused"]
    assert ConversationTag.objects.filter(conversation=conversation).count() == MAX_TAGS_PER_CONVERSATION


# --- the Add Tag card on a conversation ------------------------------------------------------


class TestTagCard:
    def test_it_applies_a_chosen_suggestion_and_answers_htmx_with_the_card(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        tag = Tag.objects.create(name="VIP", color=Tag.Color.PURPLE)
        response = client_for(agent).post(add_url(conversation), {"tag": tag.pk, "name": "V"}, headers=HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html
        assert html.lstrip().startswith('<div class="tag-card" id="conversation-tags">')
        assert 'class="tag tag-purple"' in html
        assert trigger(response) == {"conversationChanged": {"id": conversation.pk}}
        assert tag_names(conversation) == ["VIP"]

    def test_it_creates_and_applies_a_typed_name(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        response = client_for(agent).post(add_url(conversation), {"name": "Needs follow-up"}, headers=HTMX)
        assert response.status_code == 200
        assert "Needs follow-up" in response.content.decode()
        assert tag_names(conversation) == ["Needs follow-up"]

    def test_it_answers_a_65_character_name_with_the_message_and_keeps_it(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        typed = "z" * 65
        response = client_for(agent).post(add_url(conversation), {"name": typed}, headers=HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "The tag name can&#x27;t exceed 64 characters (65 typed)." in html
        assert f'value="{typed}"' in html
        assert "HX-Trigger" not in response
        assert not Tag.objects.exists()

    def test_it_answers_the_21st_tag_with_the_message(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        fill(conversation, 20)
        response = client_for(agent).post(add_url(conversation), {"name": "Twenty-one"}, headers=HTMX)
        html = response.content.decode()
        assert "A conversation can have at most 20 tags." in html
        assert 'value="Twenty-one"' in html
        assert len(tag_names(conversation)) == 20

    def test_it_answers_a_deactivated_tag_with_the_message(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        tag = Tag.objects.create(name="Legacy", is_active=False)
        response = client_for(agent).post(add_url(conversation), {"tag": tag.pk}, headers=HTMX)
        assert "The tag “Legacy” is deactivated: it can&#x27;t be added." in response.content.decode()
        assert tag_names(conversation) == []

    def test_it_removes_a_tag_and_answers_htmx_with_the_card(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        tag = Tag.objects.create(name="VIP")
        services.conversation_add_tag(actor=agent, conversation=conversation, tag=tag)
        response = client_for(agent).post(remove_url(conversation, tag), headers=HTMX)
        html = response.content.decode()
        assert 'id="conversation-tags"' in html and "<html" not in html
        assert "Remove tag VIP" not in html
        assert trigger(response) == {"conversationChanged": {"id": conversation.pk}}
        assert tag_names(conversation) == []

    def test_it_refuses_to_remove_a_deactivated_tag_with_the_message(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        tag = Tag.objects.create(name="Legacy")
        services.conversation_add_tag(actor=agent, conversation=conversation, tag=tag)
        Tag.objects.filter(pk=tag.pk).update(is_active=False)
        response = client_for(agent).post(remove_url(conversation, tag), headers=HTMX)
        assert "can&#x27;t be removed" in response.content.decode()
        assert tag_names(conversation) == ["Legacy"]

    def test_it_redirects_to_the_conversation_without_htmx(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        response = client_for(agent).post(add_url(conversation), {"name": "Plain form"})
        assert response.status_code == 302
        assert response.url == conversation.get_absolute_url()
        assert tag_names(conversation) == ["Plain form"]

    def test_it_shows_the_page_with_the_message_and_the_typed_name_without_htmx(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        response = client_for(agent).post(add_url(conversation), {"name": "w" * 65})
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" in html
        assert "The tag name can&#x27;t exceed 64 characters (65 typed)." in html
        assert f'value="{"w" * 65}"' in html

    def test_it_shows_the_tags_with_an_x_only_on_active_ones(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        active, legacy = (
            Tag.objects.create(name="VIP"),
            Tag.objects.create(name="Legacy", color=Tag.Color.GRAY),
        )
        ConversationTag.objects.create(conversation=conversation, tag=active)
        ConversationTag.objects.create(conversation=conversation, tag=legacy)
        Tag.objects.filter(pk=legacy.pk).update(is_active=False)
        html = client_for(agent).get(conversation.get_absolute_url()).content.decode()
        assert 'aria-label="Remove tag VIP"' in html
        assert "Legacy" in html and "tag-gray tag-inactive" in html
        assert 'aria-label="Remove tag Legacy"' not in html
        assert 'placeholder="Add Tag"' in html

    def test_it_shows_no_controls_to_a_user_who_cannot_update(
        self, client_for: ClientFor, collaborator: User, conversation: Conversation
    ) -> None:
        tag = Tag.objects.create(name="VIP")
        ConversationTag.objects.create(conversation=conversation, tag=tag)
        conversation.assigned_users.add(collaborator)  # brought in, so the conversation is visible
        html = client_for(collaborator).get(conversation.get_absolute_url()).content.decode()
        assert "VIP" in html
        assert "Add Tag" not in html and "Remove tag" not in html

    def test_it_forbids_adding_to_a_user_who_cannot_update(
        self, client_for: ClientFor, collaborator: User, conversation: Conversation
    ) -> None:
        conversation.assigned_users.add(collaborator)
        response = client_for(collaborator).post(add_url(conversation), {"name": "Nope"}, headers=HTMX)
        assert response.status_code == 403
        assert not Tag.objects.exists()

    @pytest.mark.parametrize("action", ["add", "remove", "suggest"])
    def test_it_answers_404_to_an_outsider(
        self, client_for: ClientFor, outsider: User, conversation: Conversation, action: str
    ) -> None:
        tag = Tag.objects.create(name="VIP")
        ConversationTag.objects.create(conversation=conversation, tag=tag)
        client = client_for(outsider)
        if action == "add":
            response = client.post(add_url(conversation), {"tag": tag.pk}, headers=HTMX)
        elif action == "remove":
            response = client.post(remove_url(conversation, tag), headers=HTMX)
        else:
            response = client.get(suggest_url(conversation), {"q": "V"}, headers=HTMX)
        assert response.status_code == 404
        assert tag_names(conversation) == ["VIP"]

    def test_it_sends_an_anonymous_visitor_to_sign_in(
        self, client: Client, conversation: Conversation
    ) -> None:
        response = client.post(add_url(conversation), {"name": "x"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))

    def test_it_answers_404_for_a_missing_tag(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        response = client_for(agent).post(
            reverse("conversations:tag_remove", args=[conversation.pk, 999999]), headers=HTMX
        )
        assert response.status_code == 404

    def test_it_answers_with_the_same_number_of_queries_for_1_and_19_tags(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        client = client_for(agent)
        fill(conversation, 1)
        client.post(add_url(conversation), {"name": "Warm-up"}, headers=HTMX)
        with CaptureQueriesContext(connection) as few:
            client.post(add_url(conversation), {"name": "Second"}, headers=HTMX)
        ConversationTag.objects.bulk_create(
            ConversationTag(conversation=conversation, tag=tag) for tag in make_tags(16, prefix="More")
        )
        with CaptureQueriesContext(connection) as many:
            response = client.post(add_url(conversation), {"name": "Twentieth"}, headers=HTMX)
        assert response.content.decode().count('class="tag-remove"') == 20
        assert len(many) == len(few)


class TestSuggestions:
    def test_it_suggests_active_tags_not_on_the_conversation(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        on, off, free = (Tag.objects.create(name=n) for n in ("Billing", "Bills old", "Billable"))
        ConversationTag.objects.create(conversation=conversation, tag=on)
        Tag.objects.filter(pk=off.pk).update(is_active=False)
        response = client_for(agent).get(suggest_url(conversation), {"q": "bil"}, headers=HTMX)
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="tag-suggestions"')
        assert f'value="{free.pk}"' in html
        assert f'value="{on.pk}"' not in html and f'value="{off.pk}"' not in html

    def test_it_suggests_at_most_10_names_starting_with_the_query_first(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        Tag.objects.create(name="Prepaid order")
        make_tags(12, prefix="Order")
        html = client_for(agent).get(suggest_url(conversation), {"q": "order"}, headers=HTMX).content.decode()
        assert html.count('role="option"') == 10
        assert "Prepaid order" not in html
        assert html.index("Order 00") < html.index("Order 09")

    def test_it_hints_that_tab_creates_a_name_nobody_has_used(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        html = (
            client_for(agent).get(suggest_url(conversation), {"q": "Warranty"}, headers=HTMX).content.decode()
        )
        assert "Press Tab to create “Warranty”." in html

    def test_it_uses_the_same_number_of_queries_for_1_and_10_suggestions(
        self, client_for: ClientFor, agent: User, conversation: Conversation
    ) -> None:
        client = client_for(agent)
        Tag.objects.create(name="Alpha 0")
        client.get(suggest_url(conversation), {"q": "alpha"}, headers=HTMX)  # warm the session
        with CaptureQueriesContext(connection) as one:
            client.get(suggest_url(conversation), {"q": "alpha"}, headers=HTMX)
        make_tags(9, prefix="Alpha x")
        with CaptureQueriesContext(connection) as ten:
            response = client.get(suggest_url(conversation), {"q": "alpha"}, headers=HTMX)
        assert response.content.decode().count('role="option"') == 10
        assert len(ten) == len(one)


# --- Settings > Workspace > Tags -------------------------------------------------------------


def settings_url() -> str:
    return reverse("conversations:settings_tags")


class TestSettingsTagsAccess:
    @pytest.mark.parametrize("persona", ["agent", "manager", "collaborator", "outsider"])
    @pytest.mark.parametrize(
        "name", ["settings_tags", "settings_tag_edit", "settings_tag_row", "settings_tag_deactivate"]
    )
    def test_it_forbids_users_without_workspace_settings(
        self, request: pytest.FixtureRequest, client_for: ClientFor, persona: str, name: str
    ) -> None:
        tag = Tag.objects.create(name="VIP")
        args = [] if name == "settings_tags" else [tag.pk]
        client = client_for(request.getfixturevalue(persona))
        url = reverse(f"conversations:{name}", args=args)
        response = client.post(url) if name == "settings_tag_deactivate" else client.get(url)
        assert response.status_code == 403
        assert Tag.objects.get(pk=tag.pk).is_active

    def test_it_forbids_an_agent_to_create_tags_from_settings(
        self, client_for: ClientFor, agent: User
    ) -> None:
        response = client_for(agent).post(reverse("conversations:settings_tag_create"), {"new-name": "VIP"})
        assert response.status_code == 403
        assert not Tag.objects.exists()

    def test_it_sends_an_anonymous_visitor_to_sign_in(self, client: Client) -> None:
        response = client.get(settings_url())
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))

    def test_it_answers_404_for_a_missing_tag(self, client_for: ClientFor, admin_user: User) -> None:
        response = client_for(admin_user).get(reverse("conversations:settings_tag_edit", args=[999999]))
        assert response.status_code == 404


class TestSettingsTags:
    def test_it_lists_active_and_deactivated_tags_with_colour_and_conversation_count(
        self, client_for: ClientFor, admin_user: User, conversation: Conversation
    ) -> None:
        vip = Tag.objects.create(name="VIP", color=Tag.Color.RED)
        Tag.objects.create(name="Legacy", color=Tag.Color.GRAY, is_active=False)
        ConversationTag.objects.create(conversation=conversation, tag=vip)
        response = client_for(admin_user).get(settings_url())
        html = response.content.decode()
        assert response.status_code == 200
        assert response.context["settings_active"] == "tags"
        assert '<span class="tag tag-red">VIP</span>' in html
        assert '<span class="tag tag-gray tag-inactive">Legacy</span>' in html
        rows = {t.name: t.conversation_count for t in response.context["page"].object_list}
        assert rows == {"Legacy": 0, "VIP": 1}
        assert "Deactivated" in html and 'aria-checked="false"' in html

    def test_it_shows_an_empty_state(self, client_for: ClientFor, admin_user: User) -> None:
        html = client_for(admin_user).get(settings_url()).content.decode()
        assert "No tags yet." in html
        assert "Add Tag" in html

    def test_it_paginates(self, client_for: ClientFor, admin_user: User) -> None:
        make_tags(30)
        response = client_for(admin_user).get(settings_url(), {"page": 2})
        assert len(response.context["page"].object_list) == 5
        assert "Page 2 of 2" in response.content.decode()

    def test_it_uses_the_same_number_of_queries_for_1_and_20_tags(
        self, client_for: ClientFor, admin_user: User, conversation: Conversation
    ) -> None:
        client = client_for(admin_user)
        ConversationTag.objects.create(conversation=conversation, tag=Tag.objects.create(name="First"))
        client.get(settings_url())
        with CaptureQueriesContext(connection) as one:
            client.get(settings_url())
        for tag in make_tags(19):
            ConversationTag.objects.create(conversation=conversation, tag=tag)
        with CaptureQueriesContext(connection) as twenty:
            response = client.get(settings_url())
        assert len(response.context["page"].object_list) == 20
        assert len(twenty) == len(one)

    def test_it_creates_a_tag_with_a_colour(self, client_for: ClientFor, admin_user: User) -> None:
        response = client_for(admin_user).post(
            reverse("conversations:settings_tag_create"), {"new-name": "Warranty", "new-color": "teal"}
        )
        assert response.status_code == 302
        assert Tag.objects.filter(name="Warranty", color="teal", is_active=True).exists()

    def test_it_refuses_a_duplicate_name_and_keeps_what_was_typed(
        self, client_for: ClientFor, admin_user: User
    ) -> None:
        Tag.objects.create(name="Warranty")
        response = client_for(admin_user).post(
            reverse("conversations:settings_tag_create"), {"new-name": "WARRANTY", "new-color": "teal"}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "A tag named “WARRANTY” already exists." in html
        assert 'value="WARRANTY"' in html
        assert Tag.objects.count() == 1

    def test_it_refuses_a_65_character_name(self, client_for: ClientFor, admin_user: User) -> None:
        response = client_for(admin_user).post(
            reverse("conversations:settings_tag_create"), {"new-name": "q" * 65, "new-color": "blue"}
        )
        assert "The tag name can&#x27;t exceed 64 characters (65 typed)." in response.content.decode()
        assert not Tag.objects.exists()

    def test_it_opens_the_inline_editor_for_htmx(self, client_for: ClientFor, admin_user: User) -> None:
        tag = Tag.objects.create(name="VIP")
        response = client_for(admin_user).get(
            reverse("conversations:settings_tag_edit", args=[tag.pk]), headers=HTMX
        )
        html = response.content.decode()
        assert "<html" not in html
        assert html.lstrip().startswith(f'<tr id="tag-row-{tag.pk}" class="is-editing">')
        assert "Tag Color" in html and 'value="VIP"' in html

    def test_it_saves_name_and_colour_inline(self, client_for: ClientFor, admin_user: User) -> None:
        tag = Tag.objects.create(name="VIP")
        prefix = f"tag-{tag.pk}"
        response = client_for(admin_user).post(
            reverse("conversations:settings_tag_edit", args=[tag.pk]),
            {f"{prefix}-name": "Very important", f"{prefix}-color": "pink"},
            headers=HTMX,
        )
        html = response.content.decode()
        assert html.lstrip().startswith(f'<tr id="tag-row-{tag.pk}"')
        assert '<span class="tag tag-pink">Very important</span>' in html
        assert trigger(response) == {"tagChanged": {"id": tag.pk, "active": True}}
        tag.refresh_from_db()
        assert (tag.name, tag.color) == ("Very important", "pink")

    def test_it_keeps_the_editor_open_with_the_error(self, client_for: ClientFor, admin_user: User) -> None:
        Tag.objects.create(name="Billing")
        tag = Tag.objects.create(name="VIP")
        prefix = f"tag-{tag.pk}"
        response = client_for(admin_user).post(
            reverse("conversations:settings_tag_edit", args=[tag.pk]),
            {f"{prefix}-name": "billing", f"{prefix}-color": "blue"},
            headers=HTMX,
        )
        html = response.content.decode()
        assert 'class="is-editing"' in html
        assert "A tag named “billing” already exists." in html
        assert "HX-Trigger" not in response

    def test_it_edits_on_a_page_of_its_own_without_javascript(
        self, client_for: ClientFor, admin_user: User
    ) -> None:
        tag = Tag.objects.create(name="VIP")
        client = client_for(admin_user)
        page = client.get(reverse("conversations:settings_tag_edit", args=[tag.pk]))
        assert "<h1>Edit tag</h1>" in page.content.decode()
        prefix = f"tag-{tag.pk}"
        response = client.post(
            reverse("conversations:settings_tag_edit", args=[tag.pk]),
            {f"{prefix}-name": "VIP customer", f"{prefix}-color": "green"},
        )
        assert response.status_code == 302
        assert Tag.objects.get(pk=tag.pk).name == "VIP customer"

    def test_it_deactivates_and_reactivates_with_the_toggle(
        self, client_for: ClientFor, admin_user: User
    ) -> None:
        tag = Tag.objects.create(name="VIP")
        client = client_for(admin_user)
        off = client.post(reverse("conversations:settings_tag_deactivate", args=[tag.pk]), headers=HTMX)
        assert 'aria-checked="false"' in off.content.decode()
        assert trigger(off) == {"tagChanged": {"id": tag.pk, "active": False}}
        assert Tag.objects.get(pk=tag.pk).is_active is False
        on = client.post(reverse("conversations:settings_tag_reactivate", args=[tag.pk]), headers=HTMX)
        assert 'aria-checked="true"' in on.content.decode()
        assert Tag.objects.get(pk=tag.pk).is_active is True

    def test_it_toggles_without_javascript(self, client_for: ClientFor, admin_user: User) -> None:
        tag = Tag.objects.create(name="VIP")
        response = client_for(admin_user).post(
            reverse("conversations:settings_tag_deactivate", args=[tag.pk])
        )
        assert response.status_code == 302
        assert Tag.objects.get(pk=tag.pk).is_active is False
