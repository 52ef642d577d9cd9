from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
HOME = reverse("accounts:home")
GENERIC = "That email and password do not match an active account."


def sign_in(client: Client, email: str, password: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


class TestSignIn:
    def test_it_signs_in_with_email_and_password_ignoring_case(
        self, client: Client, agent: User, password: str
    ) -> None:
        response = sign_in(client, "AGENT@Example.com", password)
        assert response.status_code == 302
        assert response.url == HOME
        assert client.get(HOME).context["user"] == agent

    def test_a_wrong_password_gets_the_generic_error_and_keeps_the_email(
        self, client: Client, agent: User
    ) -> None:
        response = sign_in(client, "agent@example.com", "wrong-password")
        assert response.status_code == 200
        assert GENERIC in response.content.decode()
        assert 'value="agent@example.com"' in response.content.decode()

    def test_an_unknown_address_gets_the_same_response(self, client: Client, agent: User) -> None:
        known = sign_in(client, "agent@example.com", "wrong-password")
        unknown = sign_in(Client(), "nobody@example.com", "wrong-password", ip="10.0.0.2")

        def strip(html: str) -> str:  # the typed address and the per-response CSRF token differ, nothing else
            return re.sub(r'(value="[^"]*")|("X-CSRFToken": "[^"]*")', "", html)

        assert known.status_code == unknown.status_code == 200
        assert strip(known.content.decode()) == strip(unknown.content.decode())

    def test_a_deactivated_user_cannot_sign_in(self, client: Client, agent: User, password: str) -> None:
        agent.is_active = False
        agent.save()
        response = sign_in(client, agent.email, password)
        assert response.status_code == 200
        assert GENERIC in response.content.decode()

    def test_sign_out_ends_the_session(self, client: Client, agent: User, password: str) -> None:
        sign_in(client, agent.email, password)
        client.post(reverse("accounts:logout"))
        assert client.get(HOME).status_code == 302


class TestSeasonalSeats:
    @pytest.fixture
    def seasonal(self) -> User:
        return UserFactory(
            email="season@example.com",
            user_type=User.UserType.SEASONAL,
            active_from=datetime.date(2026, 12, 1),
            active_until=datetime.date(2026, 12, 31),
            sets=["User"],
        )

    @pytest.mark.parametrize("day", [datetime.date(2026, 11, 30), datetime.date(2027, 1, 1)])
    def test_it_refuses_sign_in_outside_the_dates(
        self, client: Client, seasonal: User, password: str, day
    ) -> None:  # type: ignore[no-untyped-def]
        with time_machine.travel(
            datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False
        ):
            response = sign_in(client, seasonal.email, password)
        assert response.status_code == 200
        assert GENERIC in response.content.decode()

    @pytest.mark.parametrize("day", [datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)])
    def test_it_allows_sign_in_on_the_first_and_last_day(
        self, client: Client, seasonal: User, password: str, day
    ) -> None:  # type: ignore[no-untyped-def]
        with time_machine.travel(
            datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False
        ):
            assert sign_in(client, seasonal.email, password).status_code == 302

    def test_the_session_ends_when_the_season_does(
        self, client: Client, seasonal: User, password: str
    ) -> None:
        with time_machine.travel(datetime.datetime(2026, 12, 31, 12, tzinfo=datetime.UTC), tick=False):
            sign_in(client, seasonal.email, password)
            assert client.get(HOME).status_code == 200
        with time_machine.travel(datetime.datetime(2027, 1, 1, 12, tzinfo=datetime.UTC), tick=False):
            assert client.get(HOME).status_code == 302


class TestThrottling:
    def test_it_locks_an_account_after_five_failures_even_with_the_right_password(
        self, client: Client, agent: User, password: str
    ) -> None:
        for n in range(5):
            sign_in(Client(), agent.email, "wrong", ip=f"10.1.0.{n}")
        response = sign_in(client, agent.email, password, ip="10.9.9.9")
        assert response.status_code == 429
        assert "Too many sign-in attempts" in response.content.decode()

    def test_it_locks_an_address_trying_many_accounts(
        self, client: Client, agent: User, password: str
    ) -> None:
        for n in range(5):
            sign_in(client, f"guess{n}@example.com", "wrong", ip="10.2.0.1")
        assert sign_in(Client(), agent.email, password, ip="10.2.0.1").status_code == 429
        assert sign_in(Client(), agent.email, password, ip="10.2.0.2").status_code == 302

    def test_it_counts_unknown_and_known_addresses_alike(self, client: Client) -> None:
        for _ in range(5):
            sign_in(Client(), "nobody@example.com", "wrong", ip="10.3.0.1")
        response = sign_in(Client(), "nobody@example.com", "wrong", ip="10.3.0.2")
        assert response.status_code == 429

    def test_the_lock_ends_after_the_cool_off(self, client: Client, agent: User, password: str) -> None:
        start = datetime.datetime(2026, 11, 22, 9, tzinfo=datetime.UTC)
        with time_machine.travel(start, tick=False):
            for n in range(5):
                sign_in(Client(), agent.email, "wrong", ip=f"10.4.0.{n}")
            assert sign_in(client, agent.email, password, ip="10.4.1.1").status_code == 429
        with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
            assert sign_in(client, agent.email, password, ip="10.4.1.1").status_code == 302


class TestSessionsEnd:
    def test_on_deactivation(self, client: Client, agent: User, owner: User, password: str) -> None:
        sign_in(client, agent.email, password)
        assert client.get(HOME).status_code == 200
        services.user_deactivate(actor=owner, user=agent)
        assert client.get(HOME).status_code == 302

    def test_on_password_change_in_other_browsers_but_not_this_one(self, agent: User, password: str) -> None:
        laptop, phone = Client(), Client()
        sign_in(laptop, agent.email, password)
        sign_in(phone, agent.email, password, ip="10.0.0.9")
        response = laptop.post(
            reverse("accounts:password_change"),
            {
                "pw-old_password": password,
                "pw-new_password1": "a-new-long-passphrase",
                "pw-new_password2": "a-new-long-passphrase",
            },
        )
        assert response.status_code == 302
        assert laptop.get(HOME).status_code == 200
        assert phone.get(HOME).status_code == 302

    def test_a_wrong_old_password_keeps_the_form_with_an_error(
        self, client: Client, agent: User, password: str
    ) -> None:
        sign_in(client, agent.email, password)
        response = client.post(
            reverse("accounts:password_change"),
            {
                "pw-old_password": "nope",
                "pw-new_password1": "a-new-long-passphrase",
                "pw-new_password2": "a-new-long-passphrase",
            },
        )
        assert response.status_code == 200
        assert "Your old password was entered incorrectly" in response.content.decode()
        agent.refresh_from_db()
        assert agent.check_password(password)


class TestPasswordReset:
    def test_it_emails_a_link_that_sets_a_new_password(
        self, client: Client, agent: User, mailoutbox: list, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:password_reset"), {"email": "Agent@Example.com"})
        assert response.status_code == 302
        assert len(mailoutbox) == 1
        assert mailoutbox[0].extra_headers["Auto-Submitted"] == "auto-generated"
        link = re.search(r"https?://[^/]+(/password-reset/[^\s]+/)", mailoutbox[0].body).group(1)  # type: ignore[union-attr]
        form_page = client.get(link, follow=True)
        assert form_page.status_code == 200
        set_url = form_page.redirect_chain[-1][0]
        done = client.post(
            set_url, {"new_password1": "brand-new-passphrase", "new_password2": "brand-new-passphrase"}
        )
        assert done.status_code == 302
        agent.refresh_from_db()
        assert agent.check_password("brand-new-passphrase")

    def test_an_unknown_address_gets_the_same_answer_and_no_mail(
        self, client: Client, mailoutbox: list, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
        assert response.status_code == 302
        assert response.url == reverse("accounts:password_reset_done")
        assert mailoutbox == []
