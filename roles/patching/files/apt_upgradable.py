#!/usr/bin/python3
"""List the packages apt can upgrade, as JSON on stdout (read-only).

Usage: apt_upgradable.py SECURITY_REGEX

Each entry: name, installed and candidate version, ``held`` (dpkg selection
"hold"), ``security`` (the candidate comes from a release whose suite or
codename matches SECURITY_REGEX, e.g. bookworm-security), and the origins of
the candidate ("origin/label/suite"). Run after ``apt-get update``.
"""

import json
import re
import sys

try:
    import apt_pkg
except ImportError:
    print(json.dumps({"error": "python3-apt is not installed"}))
    sys.exit(2)


def main() -> int:
    pattern = re.compile(sys.argv[1] if len(sys.argv) > 1 else r"(^|-)security$")
    apt_pkg.init()
    cache = apt_pkg.Cache(None)
    depcache = apt_pkg.DepCache(cache)
    found = []
    for pkg in cache.packages:
        current = pkg.current_ver
        if current is None:
            continue
        candidate = depcache.get_candidate_ver(pkg)
        if candidate is None or apt_pkg.version_compare(candidate.ver_str, current.ver_str) <= 0:
            continue
        files = [pf for pf, _index in candidate.file_list if pf.archive != "now"]
        security = any(pattern.search(pf.archive or "") or pattern.search(pf.codename or "") for pf in files)
        found.append(
            {
                "name": pkg.get_fullname(True),
                "installed": current.ver_str,
                "candidate": candidate.ver_str,
                "held": pkg.selected_state == apt_pkg.SELSTATE_HOLD,
                "security": bool(security),
                "origins": sorted({f"{pf.origin}/{pf.label}/{pf.archive}" for pf in files}),
            }
        )
    found.sort(key=lambda entry: entry["name"])
    print(json.dumps({"upgradable": found}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
