"""The current time, as schooltech-fleet judges it (licence expiry, maintenance windows).

``SCHOOLTECH_NOW`` (an ISO 8601 date-time, e.g. ``2026-11-28T12:00:00+00:00``) pins it,
so that CI and tests give the same answers every day. Commands that act on devices
record in the audit log when the clock was pinned.
"""

from __future__ import annotations

import datetime as dt
import os

from .errors import UsageError


def now() -> dt.datetime:
    """The current time, timezone-aware."""
    pinned = os.environ.get("SCHOOLTECH_NOW")
    if not pinned:
        return dt.datetime.now(dt.UTC)
    try:
        value = dt.datetime.fromisoformat(pinned)
    except ValueError as exc:
        raise UsageError(
            f"SCHOOLTECH_NOW={pinned!r} is not a date-time", "use ISO 8601: 2026-11-28T12:00:00+00:00"
        ) from exc
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def today() -> dt.date:
    return now().date()


def pinned() -> bool:
    return bool(os.environ.get("SCHOOLTECH_NOW"))
