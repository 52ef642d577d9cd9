"""Every write to conversations, messages, notes and tags. One module per area."""
