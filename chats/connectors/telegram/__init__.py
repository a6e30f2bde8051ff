"""The Telegram connector (contract section 4, "Telegram"): a bot per inbox, its webhook, the
updates it receives turned into conversations and messages, operators' replies sent back
through the Bot API from Celery, group moderation and channel posts."""
