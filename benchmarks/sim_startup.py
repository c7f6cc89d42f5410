"""Time bringing up and tearing down lab PCs of the simulated school (cached image).

Usage: .venv/bin/python benchmarks/sim_startup.py [--pcs 30] [--workers 8] [--rounds 1]

Targets: 30 PCs (plus switches, added by :func:`start_lab`'s callers) answering SSH in < 60 s,
teardown in < 20 s.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schooltech_fleet.sim import aptrepo, pcs
from schooltech_fleet.sim.image import ensure_image


@dataclass(frozen=True)
class Lab:
    """A started benchmark lab: its simulation id and PCs."""

    sim_id: str
    pcs: list[pcs.PcHandle]
    private_key: Path


def start_lab(n: int, workdir: Path, *, workers: int = 8, sim_id: str | None = None) -> Lab:
    """Start ``n`` lab PCs (pc01..pcNN) with the school repository mounted; return when all answer SSH.

    Extend here to also start the emulated switches of the lab.
    """
    sim = sim_id or f"bench-{secrets.token_hex(3)}"
    private, public = pcs.ensure_ssh_keypair(workdir / "keys")
    repo = workdir / "repo"
    aptrepo.build_repo(repo, {"schooltech-demo-app": "1.0"})
    specs = [pcs.PcSpec(f"pc{i:02d}") for i in range(1, n + 1)]
    handles = pcs.start_pcs(
        specs, sim_id=sim, image=ensure_image(), authorized_key=public, repo_dir=repo, max_workers=workers
    )
    return Lab(sim, handles, private)


def stop_lab(lab: Lab) -> int:
    """Remove every container of the lab; return how many."""
    return pcs.stop_pcs(lab.sim_id)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pcs", type=int, default=30)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()

    began = time.perf_counter()
    image = ensure_image(progress=lambda message: print(f"  image: {message}"))
    print(f"image {image} ready in {time.perf_counter() - began:.1f} s")
    with tempfile.TemporaryDirectory(prefix="sim-bench-") as tmp:
        for round_no in range(1, args.rounds + 1):
            began = time.perf_counter()
            lab = start_lab(args.pcs, Path(tmp), workers=args.workers)
            started = time.perf_counter() - began
            assert all(pcs.wait_for_ssh(pc.port, timeout=1) for pc in lab.pcs)
            began = time.perf_counter()
            removed = stop_lab(lab)
            stopped = time.perf_counter() - began
            print(
                f"round {round_no}: {len(lab.pcs)} PCs answering SSH in {started:.1f} s "
                f"(workers={args.workers}); teardown of {removed} in {stopped:.1f} s"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
