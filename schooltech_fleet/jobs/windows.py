"""Maintenance windows from the school calendar: exam freezes and lesson times.

During a room's exam freeze nothing may rebuild or patch it; during lesson times
nothing may reboot. ``--force-window --reason`` overrides, and the reason is
recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WindowCheck:
    frozen_by: str | None  # the exam freeze covering the host's room now
    in_lessons: bool  # now is a lesson time at the school


def local_time(now: dt.datetime, timezone: str | None) -> dt.datetime:
    try:
        return now.astimezone(zoneinfo.ZoneInfo(timezone or "UTC"))
    except zoneinfo.ZoneInfoNotFoundError:
        return now.astimezone(dt.UTC)


def check_window(values: Mapping[str, Any], now: dt.datetime) -> WindowCheck:
    """The calendar's verdict for one host, given its resolved variables."""
    local = local_time(now, values.get("timezone"))
    today = local.date().isoformat()
    frozen = next((f["name"] for f in values.get("exam_freezes") or [] if f["start"] <= today <= f["end"]), None)
    lessons = values.get("lessons") or {}
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()]
    clock = local.strftime("%H:%M")
    in_term = any(t["start"] <= today <= t["end"] for t in values.get("terms") or []) or not values.get("terms")
    in_lessons = (
        in_term
        and weekday in (lessons.get("days") or [])
        and any(p["start"] <= clock < p["end"] for p in lessons.get("periods") or [])
    )
    return WindowCheck(frozen, in_lessons)
