"""Storage: SQLite and PostgreSQL through one code path (SQLAlchemy Core).

``database`` opens connections and transactions, ``schema`` describes the tables,
``migrations`` creates and evolves them, and one module per domain noun holds its
queries (``accounts``, ``endpoints``, ``events``, ``deliveries``, …).
"""
