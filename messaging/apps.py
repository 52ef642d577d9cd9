from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging channels"

    def ready(self) -> None:
        from accounts.capabilities import Capability, register_admin_capability
        from accounts.context_processors import register_settings_item
        from messaging import receivers_outbound, tasks_forward, tasks_outbound  # noqa: F401 (tasks register on import)

        receivers_outbound.connect()
        from messaging import receivers_merge, redaction

        redaction.connect()
        receivers_merge.connect()
        register_admin_capability(self.label, Capability.MANAGE_WORKSPACE)
        register_settings_item(
            order=70,
            key="email_channels",
            label="Email",
            url_name="messaging:email_channel_list",
            section="Channels",
            capability=Capability.MANAGE_WORKSPACE,
        )
        from conversations.reply_options import register_template_choices
        from messaging.email_templates import template_choices

        register_template_choices(template_choices)
        register_settings_item(
            order=84,
            key="email_templates",
            label="Email Templates",
            url_name="messaging:email_template_list",
            section="Administration",
            capability=Capability.MANAGE_WORKSPACE,
        )
        register_settings_item(
            order=85,
            key="brands",
            label="Brands",
            url_name="messaging:brand_list",
            section="Administration",
            capability=Capability.MANAGE_WORKSPACE,
        )
