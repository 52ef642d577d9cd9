from django.apps import AppConfig


class ShortcutsConfig(AppConfig):
    name = "shortcuts"
    verbose_name = "Shortcuts and snippets"

    def ready(self) -> None:
        from accounts.capabilities import Capability, register_admin_capability
        from accounts.context_processors import register_settings_item
        from conversations.attachment_sources import register_attachment_source
        from shortcuts.selectors import shortcut_attachment_ref

        register_attachment_source("shortcut", shortcut_attachment_ref)

        register_admin_capability(self.label, Capability.MANAGE_SHORTCUTS)
        register_settings_item(
            order=58,
            key="shortcuts",
            label="Shortcuts",
            url_name="shortcuts:shortcut_list",
            section="Workspace",
            capability=Capability.MANAGE_SHORTCUTS,
        )
        register_settings_item(
            order=60,
            key="snippets",
            label="Snippets",
            url_name="shortcuts:snippet_list",
            section="Administration",
            capability=Capability.MANAGE_SHORTCUTS,
        )
        register_settings_item(
            order=65,
            key="localization",
            label="Localization",
            url_name="shortcuts:localization",
            section="Administration",
            capability=Capability.MANAGE_WORKSPACE,
        )
