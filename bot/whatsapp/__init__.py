"""WhatsApp: members ordering one to one through Twilio, and imported group chat exports."""
