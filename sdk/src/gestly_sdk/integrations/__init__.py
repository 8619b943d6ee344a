"""Receivers for web frameworks: verify, answer at once, hand over the event."""
