"""The order ledger and the one pipeline every chat message goes through.

Nothing in this package knows about Telegram, Twilio or any other platform:
adapters in ``bot/`` turn platform events into :class:`InboundMessage` values
and deliver the :class:`Reply` values that come back.
"""
