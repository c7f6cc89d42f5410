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


def patch_window_open(values: Mapping[str, Any], now: dt.datetime) -> bool | None:
    """Whether now is inside the host's patch window (``settings.patch.window``); None when it has none.

    A window without days is open every day; one without times is open all day.
    """
    window = (values.get("patch") or {}).get("window")
    if not window:
        return None
    local = local_time(now, values.get("timezone"))
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()]
    clock = local.strftime("%H:%M")
    days = window.get("days")
    start, end = str(window.get("start") or "00:00")[:5], str(window.get("end") or "24:00")[:5]
    return (not days or weekday in days) and start <= clock < end


def describe_patch_window(values: Mapping[str, Any]) -> str:
    """``mon, tue, wed, thu, fri 16:30-22:00`` (for a report)."""
    window = (values.get("patch") or {}).get("window") or {}
    days = ", ".join(window.get("days") or []) or "every day"
    return f"{days} {str(window.get('start') or '00:00')[:5]}-{str(window.get('end') or '24:00')[:5]}"
