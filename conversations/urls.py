from django.urls import path

from conversations.urls_notes import urlpatterns as notes_urlpatterns
from conversations.urls_tags import urlpatterns as tags_urlpatterns
from conversations.views import customers, details, inbox, links, message_ops, messages, operations, pickers

app_name = "conversations"

urlpatterns = [
    path("inbox/", inbox.inbox, name="inbox"),
    path("customers/", customers.customer_list, name="customer_list"),
    path("customers/new/", customers.customer_create, name="customer_create"),
    path("customers/<int:customer_id>/", customers.customer_timeline, name="customer_timeline"),
    path("customers/<int:customer_id>/edit/", customers.customer_edit, name="customer_edit"),
    path(
        "customers/<int:customer_id>/conversations/new/",
        customers.conversation_create,
        name="conversation_create",
    ),
    path("conversations/<int:conversation_id>/", customers.conversation_detail, name="conversation_detail"),
    path("conversations/<int:conversation_id>/feed/", customers.conversation_feed, name="conversation_feed"),
    path("conversations/<int:conversation_id>/priority/", details.set_priority, name="set_priority"),
    path("conversations/<int:conversation_id>/assign/", details.assign, name="assign"),
    path("conversations/<int:conversation_id>/assign-to-me/", details.assign_to_me, name="assign_to_me"),
    path("conversations/<int:conversation_id>/transfer/", details.transfer, name="transfer"),
    path("conversations/<int:conversation_id>/rename/", details.rename, name="rename"),
    path("conversations/<int:conversation_id>/attributes/", details.attributes, name="attributes"),
    path("conversations/<int:conversation_id>/sub-status/", details.set_sub_status, name="set_sub_status"),
    path("conversations/<int:conversation_id>/snooze/", details.snooze, name="snooze"),
    path("conversations/<int:conversation_id>/done/", details.done, name="done"),
    path("conversations/<int:conversation_id>/reopen/", details.reopen, name="reopen"),
    path("conversations/<int:conversation_id>/pin/", details.pin, name="pin"),
    path("conversations/<int:conversation_id>/reply/", messages.reply, name="reply"),
    path("conversations/<int:conversation_id>/links/", links.link, name="link"),
    path("conversations/<int:conversation_id>/merge/", operations.merge, name="merge"),
    path("conversations/<int:conversation_id>/move/", operations.move, name="move"),
    path("conversations/<int:conversation_id>/links/card/", links.card, name="linked_card"),
    path("conversations/<int:conversation_id>/links/<int:other_id>/unlink/", links.unlink, name="unlink"),
    path("attachments/<int:attachment_id>/", messages.attachment_download, name="attachment_download"),
    path("messages/<int:message_id>/", message_ops.permalink, name="message_permalink"),
    path("messages/<int:message_id>/options/", message_ops.options, name="message_options"),
    path("messages/<int:message_id>/details/", message_ops.details, name="message_details"),
    path("messages/<int:message_id>/move/", message_ops.move, name="message_move"),
    path("messages/<int:message_id>/redact/", message_ops.redact_message, name="message_redact"),
    path("notes/<int:note_id>/redact/", message_ops.redact_note, name="note_redact"),
    path("users/suggest/", pickers.user_suggest, name="user_suggest"),
    *notes_urlpatterns,
    *tags_urlpatterns,
]
