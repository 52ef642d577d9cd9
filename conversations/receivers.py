"""What the conversations app does when other rows change (connected in AppConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from accounts.models import Team
from conversations.models import Queue, SubStatus
from conversations.selectors.conversations import WORKSPACE_CHOICES_KEY


def drop_workspace_choices(**kwargs: Any) -> None:
    # Now, and again after commit: a request that read the old rows in between must not
    # leave them cached.
    cache.delete(WORKSPACE_CHOICES_KEY)
    transaction.on_commit(lambda: cache.delete(WORKSPACE_CHOICES_KEY))


def connect() -> None:
    for model in (SubStatus, Queue, Team):
        for signal in (post_save, post_delete):
            signal.connect(
                drop_workspace_choices, sender=model, dispatch_uid=f"workspace-choices-{model.__name__}"
            )
