"""Adapters between chat platforms (and the terminal) and the order core."""
