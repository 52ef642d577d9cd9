"""Guards that hold whichever way a row is deleted (admin, shell, queryset .delete())."""

from typing import Any

from django.db.models.deletion import ProtectedError
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from accounts.models import User


@receiver(pre_delete, sender=User, dispatch_uid="accounts.protect_org_owner")
def _protect_org_owner(sender: type[User], instance: User, **kwargs: Any) -> None:
    if instance.is_owner:
        raise ProtectedError("The Org Owner cannot be deleted.", {instance})
