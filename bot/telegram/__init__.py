"""Telegram: the bot in the club's group (python-telegram-bot's ``Bot`` for API calls)."""
