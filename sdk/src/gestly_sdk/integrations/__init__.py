"""Receivers for web frameworks: verify, hand the event over, answer at once.

Each module imports its framework, so import only the one you use:
``gestly_sdk.integrations.starlette`` (FastAPI too), ``.flask`` or ``.django``.
"""
