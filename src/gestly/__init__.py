"""Gestly: scheduling for service businesses, with signed, retried, logged webhooks.

The package is laid out by part:

- ``webhooks``: the engine's pure core (catalog, payloads, signing, retry policy,
  destination checks). No web or database import.
- ``scheduling``: the scheduling core's pure rules (availability, contacts,
  appointment statuses, loyalty).
- ``storage``: SQLite and PostgreSQL through one code path, with migrations.
- ``delivery``: the asynchronous worker that sends deliveries.
- ``api``: the ``/v1`` REST API; ``panel``: the pt-BR web panel.
- ``cli``: the ``gestly`` command.
"""

__version__ = "0.1.0"
