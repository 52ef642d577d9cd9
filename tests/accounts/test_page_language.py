"""Pages say which language they are in: `<html lang>` follows the user's language preference
(screen readers and spell checkers read it)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "expected"), [("fr", "fr"), ("de", "de"), ("en", "en")])
def test_the_page_is_marked_with_the_user_s_language(client_for: Any, language: str, expected: str) -> None:
    user = UserFactory(language=language, sets=["User"])
    html = client_for(user).get("/").content.decode()
    assert f'<html lang="{expected}">' in html


def test_the_sign_in_page_has_the_site_s_language(client: Any) -> None:
    assert '<html lang="en">' in client.get("/login/").content.decode()
