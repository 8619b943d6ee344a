"""The ``gestly`` command."""
