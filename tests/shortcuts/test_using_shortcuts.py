"""Shortcut actions (Add Optional Fields, the Done-plus-message warning) and using shortcuts in
the reply editor: the # menu, applying one (rendered text, actions with events, all or
nothing), visibility, and the files a shortcut attaches to a reply."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from conversations.models import (
    MAX_TAGS_PER_CONVERSATION,
    Conversation,
    ConversationEvent,
    ConversationTag,
    Message,
    Queue,
    Tag,
)
from conversations.services.conversations import conversation_assign, conversation_create
from customers.services import customer_create
from shortcuts import services
from shortcuts.models import Shortcut, ShortcutAttachment, ShortcutStatus
from shortcuts.selectors import shortcut_menu
from shortcuts.services import DONE_WITH_MESSAGE_WARNING, ShortcutActions
from shortcuts.services.applying import shortcut_apply
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def conversation(admin_user: User) -> Conversation:
    customer = customer_create(
        actor=admin_user,
        first_name="Jane",
        last_name="Doe",
        emails=[("jane@example.com", "home")],
        locale="fr",
        custom={"billingTier": "Diamond", "reservationDateAt": "2019-01-18T05:00:00Z", "orderCount": 3},
    )
    return conversation_create(
        actor=admin_user, customer=customer, name="Where is my order?", channel="email"
    )


@pytest.fixture
def french() -> None:
    services.localization_update(actor=None, default_language="en", enabled_languages=["en", "fr"])
    services.snippet_create(
        actor=None, name="sorry", texts={"en": "Sorry for the wait.", "fr": "Désolé pour l'attente."}
    )


def make_shortcut(
    name: str = "vip", message: str = "", actions: ShortcutActions | None = None, **kw: object
) -> Shortcut:
    shortcut = services.shortcut_create(actor=kw.pop("owner", None), name=name, **kw)  # type: ignore[arg-type]
    return services.shortcut_update(
        actor=None,
        shortcut=shortcut,
        name=name,
        share=shortcut.share,
        teams=list(shortcut.limited_teams.all()),
        users=list(shortcut.limited_users.all()),
        message=message,
        actions=actions,
        confirm_done_with_message=True,
    )


def apply_url(conversation: Conversation, shortcut: Shortcut) -> str:
    return reverse("shortcuts:apply", args=[conversation.pk, shortcut.pk])


def menu_url(conversation: Conversation) -> str:
    return reverse("shortcuts:menu", args=[conversation.pk])


def tag_names(conversation: Conversation) -> set[str]:
    return set(ConversationTag.objects.filter(conversation=conversation).values_list("tag__name", flat=True))


# --- Add Optional Fields: saving actions -------------------------------------------------------


class TestActionsAreSaved:
    def test_every_action_is_stored(self, agent: User) -> None:
        vip, billing = Tag.objects.create(name="VIP"), Tag.objects.create(name="Billing")
        queue = Queue.objects.create(name="Tier 2")
        team = TeamFactory(name="Escalations")
        shortcut = make_shortcut(
            message="Thanks!",
            actions=ShortcutActions(
                subject="Refund for {{customer.firstName}}",
                tags=[vip, billing],
                queue=queue,
                status=ShortcutStatus.OPEN,
                assign_user=agent,
                assign_team=team,
                custom_fields={"billingTier": "Gold"},
            ),
        )
        shortcut.refresh_from_db()
        assert shortcut.subject == "Refund for {{customer.firstName}}"
        assert set(shortcut.add_tags.values_list("name", flat=True)) == {"VIP", "Billing"}
        assert (shortcut.queue, shortcut.status, shortcut.assign_user, shortcut.assign_team) == (
            queue,
            "open",
            agent,
            team,
        )
        assert shortcut.custom_fields == {"billingTier": "Gold"}

    def test_leaving_actions_out_keeps_them(self) -> None:
        shortcut = make_shortcut(actions=ShortcutActions(subject="Kept"))
        services.shortcut_update(actor=None, shortcut=shortcut, name="vip", share="public", message="Hi")
        shortcut.refresh_from_db()
        assert shortcut.subject == "Kept"

    @pytest.mark.parametrize(
        ("actions", "field", "message"),
        [
            (ShortcutActions(subject="{{#ifCond a}}"), "subject", "Line 1, column"),
            (ShortcutActions(custom_fields={"9lives": "x"}), "custom_fields", "is not a field name"),
            (ShortcutActions(custom_fields={"note": "x" * 1001}), "custom_fields", "longer than 1,000"),
            (ShortcutActions(status="archived"), "status", "Choose Open"),
        ],
    )
    def test_bad_actions_are_refused_with_a_clear_message(
        self, actions: ShortcutActions, field: str, message: str
    ) -> None:
        shortcut = make_shortcut()
        with pytest.raises(ValidationError) as excinfo:
            services.shortcut_update(
                actor=None, shortcut=shortcut, name="vip", share="public", actions=actions
            )
        assert message in " ".join(excinfo.value.message_dict[field])
        shortcut.refresh_from_db()
        assert (shortcut.subject, shortcut.status, shortcut.custom_fields) == ("", "", {})

    def test_a_deactivated_tag_or_queue_is_refused(self) -> None:
        tag = Tag.objects.create(name="Old", is_active=False)
        queue = Queue.objects.create(name="Closed", is_active=False)
        shortcut = make_shortcut()
        with pytest.raises(ValidationError) as excinfo:
            services.shortcut_update(
                actor=None, shortcut=shortcut, name="vip", share="public",
                actions=ShortcutActions(tags=[tag], queue=queue),
            )  # fmt: skip
        assert excinfo.value.message_dict["tags"] == ["“Old” is deactivated: it can't be added."]
        assert excinfo.value.message_dict["queue"] == ["The queue “Closed” is turned off."]

    def test_more_tags_than_a_conversation_can_hold_are_refused(self) -> None:
        tags = [Tag.objects.create(name=f"T{n}") for n in range(MAX_TAGS_PER_CONVERSATION + 1)]
        with pytest.raises(ValidationError) as excinfo:
            services.shortcut_update(
                actor=None,
                shortcut=make_shortcut(),
                name="vip",
                share="public",
                actions=ShortcutActions(tags=tags),
            )
        assert excinfo.value.message_dict["tags"] == ["A conversation can have at most 20 tags."]


class TestDoneWithAMessage:
    def test_done_and_a_message_needs_confirmation(self) -> None:
        shortcut = make_shortcut()
        with pytest.raises(ValidationError) as excinfo:
            services.shortcut_update(
                actor=None, shortcut=shortcut, name="vip", share="public", message="Bye!",
                actions=ShortcutActions(status=ShortcutStatus.DONE),
            )  # fmt: skip
        assert excinfo.value.message_dict["status"] == [DONE_WITH_MESSAGE_WARNING]
        shortcut.refresh_from_db()
        assert (shortcut.status, shortcut.message_html) == ("", "")

    def test_confirmed_it_saves(self) -> None:
        shortcut = make_shortcut()
        services.shortcut_update(
            actor=None, shortcut=shortcut, name="vip", share="public", message="Bye!",
            actions=ShortcutActions(status=ShortcutStatus.DONE), confirm_done_with_message=True,
        )  # fmt: skip
        shortcut.refresh_from_db()
        assert shortcut.status == "done"

    def test_done_without_a_message_needs_nothing(self) -> None:
        shortcut = make_shortcut()
        services.shortcut_update(
            actor=None, shortcut=shortcut, name="vip", share="public", message="<p> </p>",
            actions=ShortcutActions(status=ShortcutStatus.DONE),
        )  # fmt: skip
        shortcut.refresh_from_db()
        assert shortcut.status == "done"

    def test_the_edit_page_warns_then_saves_when_confirmed(
        self, admin_user: User, client_for: ClientFor
    ) -> None:
        shortcut = make_shortcut()
        client = client_for(admin_user)
        data = {"name": "vip", "share": "public", "message": "Bye!", "body_format": "text", "status": "done"}
        url = reverse("shortcuts:shortcut_edit", args=[shortcut.pk])
        response = client.post(url, data)
        assert response.status_code == 200
        content = response.content.decode()
        assert "don&#x27;t combine marking the conversation Done and sending a message" in content
        assert 'name="confirm_done"' in content
        assert "Bye!" in content  # what was typed is kept
        shortcut.refresh_from_db()
        assert shortcut.status == ""
        response = client.post(url, {**data, "confirm_done": "on"})
        assert response.status_code == 302
        shortcut.refresh_from_db()
        assert shortcut.status == "done"


class TestEditPageActions:
    def test_the_page_sets_and_shows_the_actions(self, admin_user: User, client_for: ClientFor) -> None:
        tag = Tag.objects.create(name="VIP")
        queue = Queue.objects.create(name="Tier 2")
        shortcut = make_shortcut()
        client = client_for(admin_user)
        url = reverse("shortcuts:shortcut_edit", args=[shortcut.pk])
        response = client.post(
            url,
            {
                "name": "vip", "share": "public", "message": "Hi", "body_format": "text",
                "subject": "VIP request", "tags": [tag.pk], "queue": queue.pk, "status": "open",
                "custom_fields": "billingTier = Gold\n\nplan=Pro",
            },
        )  # fmt: skip
        assert response.status_code == 302
        shortcut.refresh_from_db()
        assert shortcut.custom_fields == {"billingTier": "Gold", "plan": "Pro"}
        assert list(shortcut.add_tags.all()) == [tag]
        page = client.get(url).content.decode()
        assert "Add Optional Fields" in page
        assert "billingTier = Gold" in page
        assert 'value="VIP request"' in page

    def test_a_custom_fields_line_without_equals_is_reported(
        self, admin_user: User, client_for: ClientFor
    ) -> None:
        shortcut = make_shortcut()
        response = client_for(admin_user).post(
            reverse("shortcuts:shortcut_edit", args=[shortcut.pk]),
            {"name": "vip", "share": "public", "custom_fields": "billingTier Gold"},
        )
        assert response.status_code == 200
        assert "Line 1: write name = value." in response.content.decode()


# --- applying ----------------------------------------------------------------------------------


class TestApplyRendersTheMessage:
    def test_the_seed_constructs_render_for_this_customer(
        self, admin_user: User, conversation: Conversation, french: None
    ) -> None:
        shortcut = make_shortcut(
            message=(
                "Bonjour {{customer.firstName}}! [[sn.sorry]] "
                '{{#ifCond customer.custom.billingTier "==" "Diamond"}}'
                "60 days, {{../customer.firstName}}.{{else}}30 days.{{/ifCond}} "
                '{{dateFormat customer.custom.reservationDateAt format="LL z" '
                'timezone="America/Los_Angeles"}} '
                "{{currentUser.displayName}} {{customer.custom.missing}}"
            )
        )
        applied = shortcut_apply(actor=admin_user, shortcut=shortcut, conversation=conversation)
        assert "Bonjour Jane!" in applied.html
        assert "Désolé pour l&#x27;attente." in applied.html or "Désolé pour l'attente." in applied.html
        assert "60 days, Jane." in applied.html
        assert "January 17, 2019 PST" in applied.html
        assert "Adam Admin" in applied.html
        assert applied.language == "fr"
        assert applied.unknown == ["customer.custom.missing"]

    def test_a_value_from_the_customer_is_escaped_and_never_evaluated(
        self, admin_user: User, conversation: Conversation
    ) -> None:
        conversation.customer.first_name = "<script>alert(1)</script>{{currentUser.email}}"
        conversation.customer.save()
        shortcut = make_shortcut(message="Hi {{customer.firstName}}")
        applied = shortcut_apply(actor=admin_user, shortcut=shortcut, conversation=conversation)
        assert "<script>" not in applied.html
        assert "&lt;script&gt;" in applied.html
        assert "{{currentUser.email}}" in applied.html
        assert admin_user.email not in applied.html

    def test_a_language_not_enabled_falls_back_to_the_default(
        self, admin_user: User, conversation: Conversation, french: None
    ) -> None:
        services.localization_update(actor=None, default_language="en", enabled_languages=["en"])
        shortcut = make_shortcut(message="[[sn.sorry]]")
        applied = shortcut_apply(actor=admin_user, shortcut=shortcut, conversation=conversation)
        assert applied.language == "en"
        assert "Sorry for the wait." in applied.html


class TestApplyPerformsTheActions:
    def test_each_action_changes_the_conversation_with_its_event(
        self, admin_user: User, agent: User, conversation: Conversation
    ) -> None:
        vip = Tag.objects.create(name="VIP")
        queue = Queue.objects.create(name="Tier 2")
        team = TeamFactory(name="Escalations")
        shortcut = make_shortcut(
            actions=ShortcutActions(
                subject="Refund for {{customer.firstName}}", tags=[vip], queue=queue, assign_team=team,
                custom_fields={"billingTier": "Gold"}, status=ShortcutStatus.SNOOZED,
            )
        )  # fmt: skip
        conversation_assign(actor=admin_user, conversation=conversation, users=[agent])
        applied = shortcut_apply(actor=admin_user, shortcut=shortcut, conversation=conversation)
        conversation.refresh_from_db()
        assert conversation.name == "Refund for Jane"
        assert tag_names(conversation) == {"VIP"}
        assert conversation.queue == queue
        assert list(conversation.assigned_users.all()) == []  # the transfer unassigned the user
        assert list(conversation.assigned_teams.all()) == [team]
        assert conversation.custom["billingTier"] == "Gold"
        assert conversation.status == "snoozed" and conversation.snooze_until_customer_replies
        kinds = set(
            ConversationEvent.objects.filter(conversation=conversation, actor=admin_user).values_list(
                "kind", flat=True
            )
        )
        assert {"renamed", "tag_added", "queue", "assigned", "attributes", "status"} <= kinds
        assert "Tag: VIP" in applied.changes and "Queue: Tier 2" in applied.changes

    def test_done_is_set_last(self, admin_user: User, conversation: Conversation) -> None:
        shortcut = make_shortcut(
            actions=ShortcutActions(status=ShortcutStatus.DONE, tags=[Tag.objects.create(name="Closed")])
        )
        shortcut_apply(actor=admin_user, shortcut=shortcut, conversation=conversation)
        events = list(
            ConversationEvent.objects.filter(conversation=conversation, kind__in=["tag_added", "status"])
            .order_by("pk")
            .values_list("kind", flat=True)
        )
        assert events == ["tag_added", "status"]
        conversation.refresh_from_db()
        assert conversation.status == "done"

    def test_a_refused_action_changes_nothing_at_all(
        self, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        ConversationTag.objects.bulk_create(
            ConversationTag(conversation=conversation, tag=Tag.objects.create(name=f"Full {n}"))
            for n in range(MAX_TAGS_PER_CONVERSATION)
        )
        shortcut = make_shortcut(
            actions=ShortcutActions(subject="Renamed", tags=[Tag.objects.create(name="One too many")])
        )
        events_before = ConversationEvent.objects.filter(conversation=conversation).count()
        response = client_for(admin_user).post(apply_url(conversation, shortcut))
        assert response.status_code == 400
        assert "at most 20 tags" in response.json()["error"]
        conversation.refresh_from_db()
        assert conversation.name == "Where is my order?"
        assert ConversationEvent.objects.filter(conversation=conversation).count() == events_before

    def test_a_user_who_cannot_update_gets_403_for_a_shortcut_with_actions(
        self, collaborator: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        shortcut = make_shortcut(actions=ShortcutActions(subject="x"))
        conversation_assign(
            actor=User.objects.get(email="admin2@example.com"),
            conversation=conversation,
            users=[collaborator],
        )
        response = client_for(collaborator).post(apply_url(conversation, shortcut))
        assert response.status_code == 403
        conversation.refresh_from_db()
        assert conversation.name == "Where is my order?"


class TestApplyView:
    def test_it_answers_json_for_the_editor(
        self, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        shortcut = make_shortcut(
            message="Hi {{customer.firstName}}",
            actions=ShortcutActions(tags=[Tag.objects.create(name="VIP")]),
        )
        ShortcutAttachment.objects.create(
            shortcut=shortcut, file=SimpleUploadedFile("policy.pdf", b"%PDF"), filename="policy.pdf", size=4
        )
        response = client_for(admin_user).post(apply_url(conversation, shortcut))
        assert response.status_code == 200
        data = response.json()
        assert "Hi Jane" in data["html"]
        assert data["changes"] == ["Tag: VIP"]
        assert data["attachments"][0]["filename"] == "policy.pdf"
        assert data["attachments"][0]["ref"].startswith("shortcut:")

    def test_get_is_not_allowed(
        self, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        assert client_for(admin_user).get(apply_url(conversation, make_shortcut())).status_code == 405

    def test_anonymous_is_sent_to_sign_in(self, conversation: Conversation) -> None:
        response = Client().post(apply_url(conversation, make_shortcut()))
        assert response.status_code == 302 and "/login/" in response["Location"]

    def test_an_outsider_gets_404_and_nothing_changes(
        self, outsider: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        shortcut = make_shortcut(actions=ShortcutActions(subject="Hacked"))
        assert client_for(outsider).post(apply_url(conversation, shortcut)).status_code == 404
        assert client_for(outsider).get(menu_url(conversation)).status_code == 404
        conversation.refresh_from_db()
        assert conversation.name == "Where is my order?"


# --- visibility --------------------------------------------------------------------------------


class TestVisibility:
    def test_private_and_team_shortcuts_only_reach_their_people(
        self, admin_user: User, agent: User, manager: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        team = TeamFactory(name="Billing")
        team.members.add(agent)
        private = make_shortcut("mine", message="private text", owner=manager, share="private")
        limited = make_shortcut("billing_only", message="team text", share="limited", teams=[team])
        public = make_shortcut("everyone", message="public text")
        assert {i.shortcut for i in shortcut_menu(user=agent)} == {limited, public}
        assert {i.shortcut for i in shortcut_menu(user=manager)} == {private, public}
        assert {i.shortcut for i in shortcut_menu(user=admin_user)} == {public}
        client = client_for(admin_user)
        assert client.post(apply_url(conversation, private)).status_code == 404
        assert client.post(apply_url(conversation, limited)).status_code == 404
        menu = client.get(menu_url(conversation), {"q": "text"}, headers=HTMX).content.decode()
        assert "#everyone" in menu and "mine" not in menu and "billing_only" not in menu


# --- the menu ----------------------------------------------------------------------------------


class TestMenu:
    def test_it_searches_the_name_and_the_message_names_first(self, admin_user: User) -> None:
        by_message = make_shortcut("greeting", message="We issued your refund today.")
        by_name = make_shortcut("refund_policy", message="Policy text")
        unrelated = make_shortcut("other", message="Nothing")
        found = [item.shortcut for item in shortcut_menu(user=admin_user, query="#refund")]
        assert found == [by_name, by_message]
        assert unrelated not in found

    def test_the_search_follows_edits_and_ignores_markup_and_case(self, admin_user: User) -> None:
        shortcut = make_shortcut("greeting", message="<p>Our <strong>Warranty</strong> covers it</p>")
        assert [i.shortcut for i in shortcut_menu(user=admin_user, query="warranty covers")] == [shortcut]
        assert shortcut_menu(user=admin_user, query="strong") == []  # the markup is not searched
        services.shortcut_update(
            actor=None, shortcut=shortcut, name="greeting", share="public", message="Refunds"
        )
        assert shortcut_menu(user=admin_user, query="warranty") == []
        assert [i.shortcut for i in shortcut_menu(user=admin_user, query="REFUND")] == [shortcut]

    def test_a_name_made_of_a_snippet_shows_in_the_agents_language(self, agent: User, french: None) -> None:
        make_shortcut("[[sn.sorry]]", message="x")
        agent.language = "fr"
        agent.save()
        items = shortcut_menu(user=agent, query="désolé")
        assert [item.label for item in items] == ["Désolé pour l'attente."]

    def test_the_fragment_has_an_empty_state(
        self, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        response = client_for(admin_user).get(menu_url(conversation), {"q": "zzz"}, headers=HTMX)
        assert "No shortcut matches “zzz”" in response.content.decode()

    def test_the_query_count_does_not_grow_with_the_rows(
        self, admin_user: User, conversation: Conversation, client_for: ClientFor, french: None
    ) -> None:
        client = client_for(admin_user)
        category = services.category_create(actor=None, name="Billing")
        sub = services.category_create(actor=None, name="Refunds", parent=category)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(menu_url(conversation), {"q": "s"}, headers=HTMX).status_code == 200
            return len(queries)

        services.shortcut_create(actor=None, name="s0_[[sn.sorry]]", category=sub)
        one = count()
        for n in range(1, 20):
            services.shortcut_create(actor=None, name=f"s{n}_[[sn.sorry]]", category=sub)
        assert count() == one


# --- files a shortcut attaches to a reply -----------------------------------------------------


class TestShortcutFilesInAReply:
    @pytest.fixture
    def with_file(self) -> tuple[Shortcut, ShortcutAttachment]:
        shortcut = make_shortcut("policy", message="See attached")
        attachment = ShortcutAttachment.objects.create(
            shortcut=shortcut,
            file=SimpleUploadedFile("policy.pdf", b"%PDF-1.4 policy"),
            filename="policy.pdf",
            content_type="application/pdf",
            size=15,
        )
        return shortcut, attachment

    def test_the_reply_carries_a_copy_of_the_file(
        self,
        admin_user: User,
        conversation: Conversation,
        client_for: ClientFor,
        with_file: tuple[Shortcut, ShortcutAttachment],
    ) -> None:
        _, attachment = with_file
        response = client_for(admin_user).post(
            reverse("conversations:reply", args=[conversation.pk]),
            {
                "channel": "email",
                "body": "Here it is",
                "body_format": "text",
                "attachment_refs": [f"shortcut:{attachment.pk}"],
            },
        )
        assert response.status_code == 302
        message = Message.objects.get(conversation=conversation)
        sent = message.attachments.get()
        assert sent.filename == "policy.pdf"
        assert sent.file.read() == b"%PDF-1.4 policy"
        assert sent.file.name != attachment.file.name  # a copy: editing the shortcut never changes it

    def test_a_file_of_a_shortcut_the_agent_may_not_use_is_refused(
        self, admin_user: User, manager: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        private = make_shortcut("secret", message="x", owner=manager, share="private")
        hidden = ShortcutAttachment.objects.create(
            shortcut=private, file=SimpleUploadedFile("secret.pdf", b"secret"), filename="secret.pdf", size=6
        )
        response = client_for(admin_user).post(
            reverse("conversations:reply", args=[conversation.pk]),
            {
                "channel": "email",
                "body": "Hi",
                "body_format": "text",
                "attachment_refs": [f"shortcut:{hidden.pk}"],
            },
            headers=HTMX,
        )
        assert "no longer available" in response.content.decode()
        assert "secret.pdf" not in response.content.decode()
        assert not Message.objects.filter(conversation=conversation).exists()

    def test_a_refused_reply_keeps_the_attached_files(
        self,
        admin_user: User,
        conversation: Conversation,
        client_for: ClientFor,
        with_file: tuple[Shortcut, ShortcutAttachment],
    ) -> None:
        _, attachment = with_file
        response = client_for(admin_user).post(
            reverse("conversations:reply", args=[conversation.pk]),
            {
                "channel": "sms",
                "body": "Hi",
                "body_format": "text",
                "attachment_refs": [f"shortcut:{attachment.pk}"],
            },
            headers=HTMX,
        )
        content = response.content.decode()
        assert "SMS messages cannot carry attachments" in content
        assert f'value="shortcut:{attachment.pk}"' in content

    def test_download_is_access_checked(
        self,
        admin_user: User,
        outsider: User,
        manager: User,
        client_for: ClientFor,
        with_file: tuple[Shortcut, ShortcutAttachment],
    ) -> None:
        _, attachment = with_file
        url = reverse("shortcuts:attachment_download", args=[attachment.pk])
        response = client_for(admin_user).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        private = make_shortcut("own", owner=manager, share="private")
        other = ShortcutAttachment.objects.create(
            shortcut=private, file=SimpleUploadedFile("a.txt", b"a"), filename="a.txt", size=1
        )
        assert (
            client_for(admin_user).get(reverse("shortcuts:attachment_download", args=[other.pk])).status_code
            == 404
        )
        assert client_for(outsider).get(url).status_code == 404


def test_applied_changes_are_listed_in_json(
    admin_user: User, conversation: Conversation, client_for: ClientFor
) -> None:
    shortcut = make_shortcut(actions=ShortcutActions(custom_fields={"plan": "Pro"}))
    data = json.loads(client_for(admin_user).post(apply_url(conversation, shortcut)).content)
    assert data["changes"] == ["plan: Pro"]


# --- Defaults (Reply Template, Note Template) --------------------------------------------------


class TestDefaults:
    def test_only_public_text_only_shortcuts_can_be_defaults(self, manager: User) -> None:
        private = make_shortcut("mine", message="x", owner=manager, share="private")
        with_actions = make_shortcut(
            "closer", message="Bye", actions=ShortcutActions(status=ShortcutStatus.DONE)
        )
        with pytest.raises(ValidationError) as excinfo:
            services.shortcut_defaults_update(actor=None, reply_template=private, note_template=with_actions)
        errors = excinfo.value.message_dict
        assert "is not public" in errors["reply_template"][0]
        assert "changes the conversation when applied" in errors["note_template"][0]

    def test_the_settings_tab_and_the_rendered_defaults(
        self, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        reply = make_shortcut("hello", message="Hi {{customer.firstName}},")
        note = make_shortcut("callback", message="Name: {{customer.name}}\nCallback number:")
        client = client_for(admin_user)
        url = reverse("shortcuts:shortcut_defaults")
        assert "Reply Template" in client.get(url).content.decode()
        response = client.post(url, {"reply_template": reply.pk, "note_template": note.pk})
        assert response.status_code == 302
        data = client.get(reverse("shortcuts:defaults"), {"conversation": conversation.pk}).json()
        assert "Hi Jane," in data["reply"] and "Name: Jane Doe" in data["note"]
        on_timeline = client.get(reverse("shortcuts:defaults"), {"customer": conversation.customer_id}).json()
        assert "Name: Jane Doe" in on_timeline["note"]
        # Nothing was applied to the conversation.
        assert (
            not ConversationEvent.objects.filter(conversation=conversation, actor=admin_user)
            .exclude(kind="created")
            .exists()
        )

    def test_outsiders_get_404(
        self, outsider: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        client = client_for(outsider)
        assert client.get(reverse("shortcuts:defaults"), {"conversation": conversation.pk}).status_code == 404
        assert (
            client.get(reverse("shortcuts:defaults"), {"customer": conversation.customer_id}).status_code
            == 404
        )
        assert client.get(reverse("shortcuts:defaults")).status_code == 404

    def test_agents_cannot_change_the_defaults(self, agent: User, client_for: ClientFor) -> None:
        assert client_for(agent).get(reverse("shortcuts:shortcut_defaults")).status_code == 403


class TestPostNewNote:
    def test_the_menu_and_the_text_for_a_customer(
        self, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        plain = make_shortcut("hello", message="Hi {{customer.firstName}}")
        tagging = make_shortcut(
            "vip", message="VIP {{customer.lastName}}", actions=ShortcutActions(subject="x")
        )
        client = client_for(admin_user)
        customer = conversation.customer
        menu = client.get(reverse("shortcuts:customer_menu", args=[customer.pk]), {"q": "hel"}, headers=HTMX)
        assert reverse("shortcuts:insert_for_customer", args=[customer.pk, plain.pk]) in menu.content.decode()
        data = client.post(reverse("shortcuts:insert_for_customer", args=[customer.pk, plain.pk])).json()
        assert "Hi Jane" in data["html"] and data["skipped"] == ""
        data = client.post(reverse("shortcuts:insert_for_customer", args=[customer.pk, tagging.pk])).json()
        assert "VIP Doe" in data["html"] and "apply in a conversation's reply editor" in data["skipped"]
        conversation.refresh_from_db()
        assert conversation.name == "Where is my order?"  # nothing applied

    def test_outsiders_get_404(
        self, outsider: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        shortcut = make_shortcut("hello", message="Hi")
        client = client_for(outsider)
        customer_id = conversation.customer_id
        assert client.get(reverse("shortcuts:customer_menu", args=[customer_id])).status_code == 404
        url = reverse("shortcuts:insert_for_customer", args=[customer_id, shortcut.pk])
        assert client.post(url).status_code == 404


def test_a_message_that_renders_too_long_is_refused_with_a_reason(
    admin_user: User, conversation: Conversation, client_for: ClientFor
) -> None:
    services.snippet_create(actor=None, name="big", texts={"en": "x" * 10_000})
    shortcut = make_shortcut("huge", message="[[sn.big]]" * 21)
    response = client_for(admin_user).post(apply_url(conversation, shortcut))
    assert response.status_code == 400
    assert "“huge” was not applied" in response.json()["error"] and "longer than" in response.json()["error"]
