"""What the conversations app announces. Higher apps (messaging, routing, ...) subscribe.

Each signal is sent after the transaction that caused it commits, with ids only.
"""

from django.dispatch import Signal

# A message was stored with delivery status "queued": its channel should deliver it.
# kwargs: message_id, channel
message_queued = Signal()

# A conversation's status, assignment or queue changed. kwargs: conversation_id, kind
conversation_changed = Signal()

# Text was redacted from a message. Whoever keeps a copy of it (the raw email) must remove it.
# kwargs: message_id, removed (the pieces of text removed, to find them in the copy)
message_redacted = Signal()

# A conversation is being merged into another, inside the merge's transaction (so receivers
# move their rows atomically with it, before the source row is deleted).
# kwargs: source_id, target_id
conversation_merged = Signal()
