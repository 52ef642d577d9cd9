"""What the conversations app announces. Higher apps (messaging, routing, ...) subscribe.

Each signal is sent after the transaction that caused it commits, with ids only.
"""

from django.dispatch import Signal

# A message was stored with delivery status "queued": its channel should deliver it.
# kwargs: message_id, channel
message_queued = Signal()

# A conversation's status, assignment or queue changed. kwargs: conversation_id, kind
conversation_changed = Signal()
