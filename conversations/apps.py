from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        from accounts.capabilities import Capability, register_admin_capability
        from accounts.context_processors import register_nav_item, register_settings_item
        from conversations import receivers

        receivers.connect()
        register_admin_capability(self.label, Capability.MANAGE_WORKSPACE)
        register_nav_item(order=10, key="inbox", label="Inbox", url_name="conversations:inbox")
        register_nav_item(
            order=20,
            key="customers",
            label="Customers",
            url_name="conversations:customer_list",
            capability=Capability.VIEW_ALL_CONVERSATIONS,
        )
        register_nav_item(
            order=30, key="notifications", label="Notifications", url_name="conversations:notifications"
        )
        register_settings_item(
            order=50,
            key="tags",
            label="Tags",
            url_name="conversations:settings_tags",
            section="Workspace",
            capability=Capability.MANAGE_WORKSPACE,
        )
        register_settings_item(
            order=55,
            key="conversation_status",
            label="Conversation Status",
            url_name="conversations:settings_conversation_status",
            section="Workspace",
            capability=Capability.MANAGE_WORKSPACE,
        )
