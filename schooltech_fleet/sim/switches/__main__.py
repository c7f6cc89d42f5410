"""``python -m schooltech_fleet.sim.switches --spec FILE.json --control-port N --ready-file PATH``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from schooltech_fleet.errors import FleetError
from schooltech_fleet.sim.switches.host import serve
from schooltech_fleet.sim.switches.spec import load_specs


def main(argv: list[str] | None = None) -> int:
    """Run the emulator until SIGTERM; errors go to stderr with exit status 2."""
    parser = argparse.ArgumentParser(prog="python -m schooltech_fleet.sim.switches", description=__doc__)
    parser.add_argument("--spec", type=Path, required=True, help="JSON file listing the switches")
    parser.add_argument("--control-port", type=int, required=True, help="control channel port (0: any)")
    parser.add_argument("--ready-file", type=Path, required=True, help="written once every switch listens")
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    parser.add_argument("--key-dir", type=Path, help="write each switch's SSH private host key here")
    parser.add_argument("--log-level", default=os.environ.get("SCHOOLTECH_SWITCH_LOG", "WARNING"))
    options = parser.parse_args(argv)
    logging.basicConfig(level=options.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")  # fmt: skip
    try:
        serve(load_specs(options.spec), options.control_port, options.ready_file, options.parent_pid, options.key_dir)
    except FleetError as error:
        print(f"switch emulator: {error.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
