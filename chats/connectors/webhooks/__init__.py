"""Outbound webhooks (contract section 4): the outbox, its fan-out into deliveries, and the
sender that posts them signed, in order per conversation, away from the chat's path."""
