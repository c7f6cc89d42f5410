"""The small school the licence tests share: its rooms, its design software set and its CAD licence."""

from __future__ import annotations

C1 = """
- name: C1
  kind: ict_suite
  devices:
    - {count: 2, role: lab_pc, os: debian12, ip_start: 10.9.16.11}
"""
"""Two PCs, the room the CAD licence names."""

T1 = """
- name: T1
  kind: ict_suite
  software_sets: [base, design]
  devices:
    - {count: 2, role: lab_pc, os: debian12, ip_start: 10.9.16.21}
"""
"""Two PCs that install the design set (so use CAD seats) though the licence does not name the room."""

L1 = """
- name: L1
  kind: ict_suite
  devices:
    - {name: TST-L1-PC01, role: lab_pc, os: debian12, ip: 10.9.16.40}
"""
"""One PC the CAD licence neither names nor installs on."""

SOFTWARE = "design: {packages: [freecad]}\n"


def cad_licence(seats: int, expires: str = "2029-08-31") -> str:
    """The per-seat CAD licence of room C1, for the design set."""
    return f"""
- id: cad
  product: CAD Suite
  type: per_seat
  seats: {seats}
  rooms: [C1]
  software_set: design
  expires: {expires}
"""
