"""IANA time zones and the Windows time zone ids that match them (after CLDR's ``windowsZones.xml``).

Windows setup takes a Windows id (``GMT Standard Time``), not an IANA name. The table holds
the zones schools are likely to use; a zone missing from it is refused (better than a PC
silently set to the wrong hour), and adding one is a one-line change here.
"""

from __future__ import annotations

from schooltech_fleet.errors import ImagingError

_ZONES: dict[str, tuple[str, ...]] = {
    "UTC": ("UTC", "Etc/UTC", "Etc/GMT"),
    "GMT Standard Time": (
        "Europe/London",
        "Europe/Dublin",
        "Europe/Lisbon",
        "Atlantic/Canary",
        "Atlantic/Madeira",
        "Atlantic/Faroe",
        "Europe/Guernsey",
        "Europe/Isle_of_Man",
        "Europe/Jersey",
    ),
    "Greenwich Standard Time": ("Atlantic/Reykjavik", "Africa/Abidjan", "Africa/Accra", "Africa/Dakar"),
    "W. Europe Standard Time": (
        "Europe/Berlin",
        "Europe/Amsterdam",
        "Europe/Vienna",
        "Europe/Rome",
        "Europe/Stockholm",
        "Europe/Oslo",
        "Europe/Zurich",
        "Europe/Luxembourg",
        "Europe/Monaco",
        "Europe/Malta",
        "Europe/Andorra",
        "Europe/Vaduz",
        "Europe/San_Marino",
        "Europe/Gibraltar",
        "Europe/Vatican",
        "Europe/Busingen",
        "Arctic/Longyearbyen",
    ),
    "Romance Standard Time": ("Europe/Paris", "Europe/Brussels", "Europe/Madrid", "Europe/Copenhagen", "Africa/Ceuta"),
    "Central European Standard Time": ("Europe/Warsaw", "Europe/Zagreb", "Europe/Sarajevo", "Europe/Skopje"),
    "Central Europe Standard Time": (
        "Europe/Prague",
        "Europe/Budapest",
        "Europe/Bratislava",
        "Europe/Ljubljana",
        "Europe/Belgrade",
        "Europe/Tirane",
        "Europe/Podgorica",
    ),
    "GTB Standard Time": ("Europe/Athens", "Europe/Bucharest", "Asia/Nicosia", "Asia/Famagusta"),
    "FLE Standard Time": (
        "Europe/Helsinki",
        "Europe/Kiev",
        "Europe/Kyiv",
        "Europe/Riga",
        "Europe/Sofia",
        "Europe/Tallinn",
        "Europe/Vilnius",
        "Europe/Mariehamn",
    ),
    "E. Europe Standard Time": ("Europe/Chisinau",),
    "Turkey Standard Time": ("Europe/Istanbul",),
    "Russian Standard Time": ("Europe/Moscow", "Europe/Simferopol"),
    "Belarus Standard Time": ("Europe/Minsk",),
    "Kaliningrad Standard Time": ("Europe/Kaliningrad",),
    "Eastern Standard Time": ("America/New_York", "America/Toronto", "America/Detroit", "America/Nassau"),
    "Central Standard Time": ("America/Chicago", "America/Winnipeg"),
    "Mountain Standard Time": ("America/Denver", "America/Edmonton", "America/Boise"),
    "US Mountain Standard Time": ("America/Phoenix",),
    "Pacific Standard Time": ("America/Los_Angeles", "America/Vancouver"),
    "Alaskan Standard Time": ("America/Anchorage",),
    "Hawaiian Standard Time": ("Pacific/Honolulu",),
    "Atlantic Standard Time": ("America/Halifax", "Atlantic/Bermuda"),
    "Newfoundland Standard Time": ("America/St_Johns",),
    "Central Standard Time (Mexico)": ("America/Mexico_City",),
    "E. South America Standard Time": ("America/Sao_Paulo",),
    "Argentina Standard Time": ("America/Argentina/Buenos_Aires", "America/Buenos_Aires"),
    "SA Pacific Standard Time": ("America/Bogota", "America/Lima"),
    "Pacific SA Standard Time": ("America/Santiago",),
    "Tokyo Standard Time": ("Asia/Tokyo",),
    "Korea Standard Time": ("Asia/Seoul",),
    "China Standard Time": ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Macau"),
    "Taipei Standard Time": ("Asia/Taipei",),
    "Singapore Standard Time": ("Asia/Singapore", "Asia/Kuala_Lumpur", "Asia/Manila"),
    "SE Asia Standard Time": ("Asia/Bangkok", "Asia/Jakarta", "Asia/Ho_Chi_Minh"),
    "India Standard Time": ("Asia/Kolkata", "Asia/Calcutta"),
    "Pakistan Standard Time": ("Asia/Karachi",),
    "Arabian Standard Time": ("Asia/Dubai", "Asia/Muscat"),
    "Israel Standard Time": ("Asia/Jerusalem",),
    "AUS Eastern Standard Time": ("Australia/Sydney", "Australia/Melbourne", "Australia/Canberra"),
    "E. Australia Standard Time": ("Australia/Brisbane",),
    "Cen. Australia Standard Time": ("Australia/Adelaide",),
    "AUS Central Standard Time": ("Australia/Darwin",),
    "W. Australia Standard Time": ("Australia/Perth",),
    "Tasmania Standard Time": ("Australia/Hobart",),
    "New Zealand Standard Time": ("Pacific/Auckland",),
    "South Africa Standard Time": ("Africa/Johannesburg", "Africa/Harare", "Africa/Maputo"),
    "Egypt Standard Time": ("Africa/Cairo",),
    "W. Central Africa Standard Time": ("Africa/Lagos", "Africa/Algiers", "Africa/Tunis"),
    "E. Africa Standard Time": ("Africa/Nairobi", "Africa/Addis_Ababa", "Africa/Kampala", "Africa/Dar_es_Salaam"),
    "Morocco Standard Time": ("Africa/Casablanca",),
}

WINDOWS_ZONE: dict[str, str] = {iana: windows for windows, zones in _ZONES.items() for iana in zones}


def windows_zone(iana: str) -> str:
    """The Windows time zone id for the IANA zone *iana*; refuses a zone the table does not hold."""
    try:
        return WINDOWS_ZONE[iana]
    except KeyError:
        raise ImagingError(
            f"answer file: no Windows time zone is known for {iana!r}",
            hint="add it to schooltech_fleet/imaging/answers/windows_zones.py (see CLDR windowsZones.xml)",
        ) from None
