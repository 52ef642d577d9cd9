from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from accounts.capabilities import Capability, register_admin_capability

        register_admin_capability(self.label, Capability.UPDATE_CUSTOMERS)
