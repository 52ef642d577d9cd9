from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from accounts.capabilities import Capability
        from accounts.context_processors import register_settings_item

        register_settings_item(
            order=45,
            key="api_keys",
            label="API Keys",
            url_name="api_keys:api_key_list",
            section="Security",
            capability=Capability.MANAGE_API_KEYS,
        )
