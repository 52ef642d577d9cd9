"""Mail and housekeeping for accounts. Ids in; each task is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    """Send one mail over the configured backend; connection errors retry with backoff."""
    message = EmailMultiAlternatives(
        subject=subject, body=body, to=to, headers={"Auto-Submitted": "auto-generated"}
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(user_id: int) -> None:
    """Invite a new user to choose a password, with a password-reset token (PASSWORD_RESET_TIMEOUT)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return  # already set up: sending again would only confuse
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SITE_URL + reverse("accounts:password_reset_confirm", args=[uid, token])
    context = {"user": user, "link": link}
    body = render_to_string("accounts/email/invitation.txt", context)
    send_email.run("You have been invited to Kustomer Clone", body, [user.email])


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")
