"""Load demo data: each installed app's `demo.seed()`, in INSTALLED_APPS order.

Idempotent: every app's seed looks its rows up by a natural key before creating them, so
running it again (every `make run`) adds only what a newer version of the app brings.
"""

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo organization (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as error:
                if error.name == f"{config.name}.demo":
                    continue
                raise
            with transaction.atomic():
                summary = module.seed()
            self.stdout.write(f"{config.label}: {summary}")
