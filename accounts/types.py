from __future__ import annotations

from accounts.models import User
from core.types import HtmxRequest


class AuthedRequest(HtmxRequest):
    """A request from a signed-in user (views behind login_required or capability_required)."""

    user: User
