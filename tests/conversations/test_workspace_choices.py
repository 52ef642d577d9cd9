"""The Conversation Details drop-downs come from a cache that any change to their rows drops."""

from __future__ import annotations

import pytest

from accounts.models import User
from conversations.models import Queue, SubStatus
from conversations.selectors import workspace_choices
from conversations.services import workspace as workspace_services
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_it_reads_the_rows_once_then_from_the_cache(django_assert_num_queries) -> None:
    SubStatus.objects.create(status="open", name="Escalated")
    with django_assert_num_queries(3):
        workspace_choices()
    with django_assert_num_queries(0):
        choices = workspace_choices()
    assert [s.name for s in choices["sub_statuses"]] == ["Escalated"]


def test_a_new_sub_status_shows_at_once(owner: User) -> None:
    workspace_choices()
    workspace_services.sub_status_create(actor=owner, status="snoozed", name="Waiting")
    assert [s.name for s in workspace_choices()["sub_statuses"]] == ["Waiting"]


def test_a_turned_off_sub_status_goes_at_once(owner: User) -> None:
    waiting = workspace_services.sub_status_create(actor=owner, status="snoozed", name="Waiting")
    assert workspace_choices()["sub_statuses"]
    workspace_services.sub_status_set_active(actor=owner, sub_status=waiting, active=False)
    assert workspace_choices()["sub_statuses"] == []


def test_queues_and_teams_changes_show_at_once() -> None:
    workspace_choices()
    Queue.objects.create(name="Returns")
    team = TeamFactory(name="Tier 2")
    choices = workspace_choices()
    assert [q.name for q in choices["queues"]] == ["Returns"]
    assert "Tier 2" in [t.name for t in choices["teams"]]
    team.delete()
    assert "Tier 2" not in [t.name for t in workspace_choices()["teams"]]
