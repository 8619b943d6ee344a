"""The scheduling core's pure rules: no web or database import.

- ``slots``: free slots and booking checks in the business's time zone, correct
  across daylight-saving changes;
- ``rules``: contacts, appointment status transitions, loyalty points, reminder
  times;
- ``payloads``: the ``data`` of each scheduling event.
"""
