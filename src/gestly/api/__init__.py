"""The ``/v1`` REST API (FastAPI), authenticated with Bearer tokens."""
