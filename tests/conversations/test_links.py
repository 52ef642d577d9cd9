"""Linked Conversations: both directions, unlinking both ends, the 20-link limit (also under
concurrency), the Link Conversation window's search, date ranges and filters, the card, access."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from conversations.models import Conversation, ConversationEvent, ConversationLink
from conversations.selectors import LinkSearch, link_candidates, linked_conversation_refs, quick_range
from conversations.services.conversations import conversation_assign, conversation_create, conversation_done
from conversations.services.links import conversation_link, conversation_unlink
from conversations.services.messages import message_receive
from customers.services import customer_create
from tests.factories import PermissionSetFactory, UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
HTMX = {"HX-Request": "true"}
UTC = datetime.UTC


@pytest.fixture
def jenny(admin_user: User) -> Conversation:
    customer = customer_create(actor=admin_user, name="Jenny Hotel", emails=[("jenny@example.com", "home")])
    return conversation_create(actor=admin_user, customer=customer, name="Jenny's Order", channel="email")


@pytest.fixture
def tom(admin_user: User) -> Conversation:
    customer = customer_create(actor=admin_user, name="Tom Guest", emails=[("tom@example.com", "home")])
    return conversation_create(actor=admin_user, customer=customer, name="Tom's Return", channel="email")


def many(admin_user: User, count: int, name: str = "Other") -> list[Conversation]:
    customer = customer_create(actor=admin_user, name=f"{name} customer")
    return [
        conversation_create(actor=admin_user, customer=customer, name=f"{name} {n}") for n in range(count)
    ]


def links_of(conversation: Conversation) -> set[int]:
    return set(ConversationLink.objects.filter(conversation=conversation).values_list("linked_id", flat=True))


class TestLinking:
    def test_a_link_shows_on_both_conversations_with_an_event_each(
        self, admin_user: User, jenny: Conversation, tom: Conversation
    ) -> None:
        assert conversation_link(actor=admin_user, conversation=jenny, others=[tom]) == [tom]
        assert links_of(jenny) == {tom.pk} and links_of(tom) == {jenny.pk}
        for one, other in ((jenny, tom), (tom, jenny)):
            event = ConversationEvent.objects.get(conversation=one, kind="linked")
            assert event.data == {"linked": other.pk, "after": other.name}
            assert event.actor == admin_user
        assert linked_conversation_refs(jenny) == [{"id": str(tom.pk), "customer": str(tom.customer_id)}]

    def test_unlinking_removes_both_ends(
        self, admin_user: User, jenny: Conversation, tom: Conversation
    ) -> None:
        conversation_link(actor=admin_user, conversation=jenny, others=[tom])
        conversation_unlink(actor=admin_user, conversation=tom, other=jenny)
        assert links_of(jenny) == set() and links_of(tom) == set()
        assert ConversationEvent.objects.filter(kind="unlinked").count() == 2
        conversation_unlink(actor=admin_user, conversation=tom, other=jenny)  # nothing left: no event
        assert ConversationEvent.objects.filter(kind="unlinked").count() == 2

    def test_linking_again_changes_nothing(
        self, admin_user: User, jenny: Conversation, tom: Conversation
    ) -> None:
        conversation_link(actor=admin_user, conversation=jenny, others=[tom])
        assert conversation_link(actor=admin_user, conversation=tom, others=[jenny]) == []
        assert ConversationLink.objects.count() == 2
        assert ConversationEvent.objects.filter(kind="linked").count() == 2

    def test_a_conversation_cannot_link_to_itself(self, admin_user: User, jenny: Conversation) -> None:
        with pytest.raises(ValidationError, match="can't be linked to itself"):
            conversation_link(actor=admin_user, conversation=jenny, others=[jenny])
        assert not ConversationLink.objects.exists()

    def test_the_21st_link_is_refused_and_nothing_is_linked(
        self, admin_user: User, jenny: Conversation
    ) -> None:
        others = many(admin_user, 21)
        conversation_link(actor=admin_user, conversation=jenny, others=others[:19])
        with pytest.raises(ValidationError) as excinfo:
            conversation_link(actor=admin_user, conversation=jenny, others=others[19:])
        assert (
            "at most 20 linked conversations. This one has 19: check at most 1 more"
            in excinfo.value.messages[0]
        )
        assert len(links_of(jenny)) == 19
        conversation_link(actor=admin_user, conversation=jenny, others=[others[19]])
        assert len(links_of(jenny)) == 20

    def test_the_other_end_is_limited_too(
        self, admin_user: User, jenny: Conversation, tom: Conversation
    ) -> None:
        conversation_link(actor=admin_user, conversation=tom, others=many(admin_user, 20))
        with pytest.raises(ValidationError, match="“Tom's Return” already has 20 linked conversations"):
            conversation_link(actor=admin_user, conversation=jenny, others=[tom])
        assert links_of(jenny) == set()

    def test_it_needs_the_update_permission(
        self, collaborator: User, admin_user: User, jenny: Conversation, tom: Conversation
    ) -> None:
        with pytest.raises(PermissionDenied):
            conversation_link(actor=collaborator, conversation=jenny, others=[tom])


@pytest.mark.django_db(transaction=True)
def test_two_agents_linking_at_once_never_pass_20(admin_user: User, jenny: Conversation) -> None:
    """Jenny has 19 links; two agents each link one more at the same moment: one wins."""
    conversation_link(actor=admin_user, conversation=jenny, others=many(admin_user, 19))
    a, b = many(admin_user, 2, name="Racer")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(other: Conversation) -> None:
        try:
            barrier.wait()
            conversation_link(actor=admin_user, conversation=other, others=[jenny])
            outcomes.append("linked")
        except ValidationError:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=attempt, args=(other,)) for other in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["linked", "refused"]
    assert len(links_of(jenny)) == 20
    assert ConversationLink.objects.count() == 40


class TestSearch:
    def test_the_term_matches_the_name_or_a_message(
        self, admin_user: User, jenny: Conversation, tom: Conversation
    ) -> None:
        other = many(admin_user, 1, name="Quiet")[0]
        message_receive(conversation=other, channel="email", subject="Booking B-1234", body_text="Hello")
        body = many(admin_user, 1, name="Body")[0]
        message_receive(conversation=body, channel="email", body_text="my booking id is b-1234 thanks")

        def found(q: str) -> set[int]:
            search = LinkSearch(q=q)
            return set(
                link_candidates(user=admin_user, conversation=jenny, search=search, tz=UTC).values_list(
                    "pk", flat=True
                )
            )

        assert found("B-1234") == {other.pk, body.pk}
        assert found("return") == {tom.pk}
        assert jenny.pk not in found("")

    def test_dates_customer_and_status_narrow_it(
        self, admin_user: User, jenny: Conversation, tom: Conversation
    ) -> None:
        Conversation.objects.filter(pk=tom.pk).update(
            updated_at=datetime.datetime(2026, 1, 10, 12, tzinfo=UTC)
        )
        conversation_done(actor=admin_user, conversation=many(admin_user, 1, name="Done")[0])

        def found(**kwargs: object) -> set[str]:
            search = LinkSearch(**kwargs)  # type: ignore[arg-type]
            return {
                c.name for c in link_candidates(user=admin_user, conversation=jenny, search=search, tz=UTC)
            }

        assert found(updated_from=datetime.date(2026, 1, 10), updated_to=datetime.date(2026, 1, 10)) == {
            "Tom's Return"
        }
        assert found(updated_to=datetime.date(2026, 1, 9)) == set()
        assert found(customer="tom@exa") == {"Tom's Return"}
        assert found(customer="Guest") == {"Tom's Return"}
        assert found(status="done") == {"Done 0"}

    def test_quick_date_ranges(self) -> None:
        today = datetime.date(2026, 3, 15)
        assert quick_range("today", today) == (today, today)
        assert quick_range("yesterday", today) == (datetime.date(2026, 3, 14),) * 2
        assert quick_range("last_7_days", today) == (datetime.date(2026, 3, 9), today)
        assert quick_range("this_month", today) == (datetime.date(2026, 3, 1), today)
        assert quick_range("last_month", today) == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
        assert quick_range("nonsense", today) is None

    def test_only_what_the_user_can_see_is_offered(
        self, collaborator: User, admin_user: User, jenny: Conversation, tom: Conversation
    ) -> None:
        conversation_assign(actor=admin_user, conversation=jenny, users=[collaborator])
        conversation_assign(actor=admin_user, conversation=tom, users=[collaborator])
        other = many(admin_user, 1)[0]
        found = set(link_candidates(user=collaborator, conversation=jenny, search=LinkSearch(), tz=UTC))
        assert found == {tom} and other not in found


class TestViews:
    def test_the_window_links_the_checked_conversations(
        self, admin_user: User, jenny: Conversation, tom: Conversation, client_for: ClientFor
    ) -> None:
        client = client_for(admin_user)
        url = reverse("conversations:link", args=[jenny.pk])
        window = client.get(url, {"q": "Return"}, headers=HTMX).content.decode()
        assert "Confirm Linking" in window and "Tom&#x27;s Return" in window and "Quick Date Ranges" in window
        response = client.post(url, {"linked": [tom.pk]}, headers=HTMX)
        assert response.status_code == 200
        assert "Tom&#x27;s Return" in response.content.decode()
        assert "conversationLinked" in response["HX-Trigger"]
        assert links_of(jenny) == {tom.pk}

    def test_without_js_it_redirects_to_the_conversation(
        self, admin_user: User, jenny: Conversation, tom: Conversation, client_for: ClientFor
    ) -> None:
        response = client_for(admin_user).post(
            reverse("conversations:link", args=[jenny.pk]), {"linked": [tom.pk]}
        )
        assert response.status_code == 302 and response["Location"] == jenny.get_absolute_url()

    def test_a_refusal_keeps_the_window_open_with_the_checks(
        self, admin_user: User, jenny: Conversation, client_for: ClientFor
    ) -> None:
        others = many(admin_user, 21)
        conversation_link(actor=admin_user, conversation=jenny, others=others[:20])
        response = client_for(admin_user).post(
            reverse("conversations:link", args=[jenny.pk]),
            {"linked": [others[20].pk], "q": others[20].name},
            headers=HTMX,
        )
        content = response.content.decode()
        assert response["HX-Retarget"] == "#app-modal-body"
        assert "at most 20 linked conversations" in content
        assert f'value="{others[20].pk}" checked' in content

    def test_a_conversation_the_user_cannot_see_is_refused_like_a_missing_one(
        self, admin_user: User, jenny: Conversation, tom: Conversation, client_for: ClientFor
    ) -> None:
        """An agent who may update but not view all conversations sees Jenny's (assigned),
        not Tom's: linking Tom's reads the same as linking one that does not exist."""
        limited = UserFactory(email="limited@example.com")
        limited.permission_sets.set([PermissionSetFactory(capabilities=["update_customers", "add_notes"])])
        conversation_assign(actor=admin_user, conversation=jenny, users=[limited])
        client = client_for(limited)
        url = reverse("conversations:link", args=[jenny.pk])
        assert "Tom&#x27;s Return" not in client.get(url, headers=HTMX).content.decode()
        for other in (tom.pk, 999_999):
            response = client.post(url, {"linked": [other]}, headers=HTMX)
            assert "One of the checked conversations is not available" in response.content.decode()
        assert links_of(jenny) == set()

    def test_outsiders_get_404_everywhere(
        self, outsider: User, admin_user: User, jenny: Conversation, tom: Conversation, client_for: ClientFor
    ) -> None:
        conversation_link(actor=admin_user, conversation=jenny, others=[tom])
        client = client_for(outsider)
        assert client.get(reverse("conversations:linked_card", args=[jenny.pk])).status_code == 404
        assert client.get(reverse("conversations:link", args=[jenny.pk])).status_code == 404
        assert (
            client.post(reverse("conversations:link", args=[jenny.pk]), {"linked": [tom.pk]}).status_code
            == 404
        )
        assert client.post(reverse("conversations:unlink", args=[jenny.pk, tom.pk])).status_code == 404
        assert links_of(jenny) == {tom.pk}

    def test_unlink_from_the_card(
        self, admin_user: User, jenny: Conversation, tom: Conversation, client_for: ClientFor
    ) -> None:
        conversation_link(actor=admin_user, conversation=jenny, others=[tom])
        response = client_for(admin_user).post(
            reverse("conversations:unlink", args=[jenny.pk, tom.pk]), headers=HTMX
        )
        assert "No linked conversations" in response.content.decode()
        assert links_of(tom) == set()

    def test_the_card_shows_the_first_20_of_more(
        self, admin_user: User, jenny: Conversation, client_for: ClientFor
    ) -> None:
        others = many(admin_user, 22)
        rows = []
        for other in others:  # as a merge may leave them: more than 20
            rows += [
                ConversationLink(conversation=jenny, linked=other),
                ConversationLink(conversation=other, linked=jenny),
            ]
        ConversationLink.objects.bulk_create(rows)
        content = (
            client_for(admin_user).get(reverse("conversations:linked_card", args=[jenny.pk])).content.decode()
        )
        assert content.count('class="linked-item"') == 20
        assert "Showing the first 20 of 22 linked conversations" in content

    def test_the_card_and_window_query_counts_do_not_grow(
        self, admin_user: User, jenny: Conversation, client_for: ClientFor
    ) -> None:
        client = client_for(admin_user)

        def count(url: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, headers=HTMX).status_code == 200
            return len(queries)

        card = reverse("conversations:linked_card", args=[jenny.pk])
        window = reverse("conversations:link", args=[jenny.pk])
        others = many(admin_user, 20)
        conversation_link(actor=admin_user, conversation=jenny, others=others[:1])
        one_card, one_window = count(card), count(window)
        conversation_link(actor=admin_user, conversation=jenny, others=others[1:])
        many(admin_user, 25, name="More")
        assert count(card) == one_card
        assert count(window) == one_window

    def test_the_conversation_view_loads_the_card_lazily(
        self, admin_user: User, jenny: Conversation, client_for: ClientFor
    ) -> None:
        content = client_for(admin_user).get(jenny.get_absolute_url()).content.decode()
        assert reverse("conversations:linked_card", args=[jenny.pk]) in content
        assert "Conversation Options" in content

    def test_dates_in_the_future_range_are_validated(
        self, admin_user: User, jenny: Conversation, client_for: ClientFor
    ) -> None:
        response = client_for(admin_user).get(
            reverse("conversations:link", args=[jenny.pk]),
            {"updated_from": "2026-02-02", "updated_to": "2026-02-01"},
            headers={**HTMX, "HX-Target": "link-window"},
        )
        assert "Choose an end date on or after the start date." in response.content.decode()


def test_linking_to_a_merged_away_conversation_is_refused(
    admin_user: User, jenny: Conversation, tom: Conversation, client_for: ClientFor
) -> None:
    from conversations.services.merging import conversation_merge

    other = conversation_create(actor=admin_user, customer=tom.customer, name="Tom's other")
    conversation_merge(actor=admin_user, source=other, target=tom)
    response = client_for(admin_user).post(
        reverse("conversations:link", args=[jenny.pk]), {"linked": [other.pk]}, headers=HTMX
    )
    assert "One of the checked conversations is not available" in response.content.decode()
    assert links_of(jenny) == set()
