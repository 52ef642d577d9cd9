from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and teams"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401  (connects the Org Owner guard)
        from accounts.services import permission_set_sync_defaults

        def _sync(sender: AppConfig, **kwargs: object) -> None:
            if sender.name == self.name:
                permission_set_sync_defaults(using=str(kwargs.get("using", "default")))

        post_migrate.connect(_sync, weak=False, dispatch_uid="accounts.sync_default_permission_sets")
