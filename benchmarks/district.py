"""Generate a synthetic district in the school-file format, for benchmarks.

Each school has 20 rooms of 30 devices (28 lab PCs as a counted pattern with one
asset record each, a teacher PC and a display written out) and 10 switches with
their port maps, chained from the router: 50 schools make 30,000 devices and 500
switches.
"""

from __future__ import annotations

from pathlib import Path

ROOMS_PER_SCHOOL = 20
PCS_PER_ROOM = 28
SWITCHES_PER_SCHOOL = 10
KINDS = ("ict_suite", "science_lab", "dt_workshop", "music_room", "library", "classroom")


def _mac(school: int, room: int, n: int) -> str:
    return f"02:5c:{school:02x}:{room:02x}:{n >> 8:02x}:{n & 255:02x}"


def school_file(index: int, *, loopback: bool = False) -> str:
    """One school of 600 devices, valid for ``schooltech check``.

    *loopback*: its networks are in 127.0.0.0/8 and every lab PC has an address there (the
    students VLAN is a /16), so a job on it may be started on this machine: nothing answers
    on port 22 there, and nothing outside loopback is contacted.
    """
    code = f"D{index:03d}"
    first, net = ("127", (10, 0)) if loopback else ("10", (10 + index // 50, index % 50 * 4))
    students = f"{first}.{net[0] + 1}.0.0/16" if loopback else f"10.{net[0]}.{net[1] + 1}.0/24"
    lines = [
        "schooltech: 1",
        f"school: {{name: District school {index}, code: {code}, type: secondary}}",
        "settings:",
        "  timezone: Europe/London",
        f"  ntp_servers: [{first}.{net[0]}.{net[1] + 3}.1]",
        "vlans:",
        f"  staff: {{subnet: {first}.{net[0]}.{net[1]}.0/24, gateway: {first}.{net[0]}.{net[1]}.1}}",
        f"  students: {{subnet: {students}}}",
        f"  guest: {{subnet: {first}.{net[0]}.{net[1] + 2}.0/25}}",
        f"  av: {{subnet: {first}.{net[0]}.{net[1] + 2}.128/25}}",
        f"  management: {{subnet: {first}.{net[0]}.{net[1] + 3}.0/24, gateway: {first}.{net[0]}.{net[1] + 3}.1}}",
        "sites:",
        "  - {name: main, buildings: [A, B, C, D]}",
        "rooms:",
    ]
    for r in range(ROOMS_PER_SCHOOL):
        lines += [
            f"  - name: R{r:02d}",
            f"    kind: {KINDS[r % len(KINDS)]}",
            f"    building: {'ABCD'[r % 4]}",
            "    devices:",
            f"      - count: {PCS_PER_ROOM}",
            "        role: lab_pc",
            "        os: debian12",
            *([f"        ip_start: {first}.{net[0] + 1}.{r}.11"] if loopback else []),
            "        model: Dell OptiPlex 7010",
            "        purchased: 2024-08-01",
            "        warranty_end: 2029-07-31",
            "        assets:",
        ]
        lines += [
            f"          - {{mac: '{_mac(index, r, n)}', serial: SN{index:03d}{r:02d}{n:03d}}}"
            for n in range(PCS_PER_ROOM)
        ]
        lines += [
            f"      - {{name: {code}-R{r:02d}-TCH01, role: teacher_pc, os: debian12, vlan: staff,"
            f" ip: {first}.{net[0]}.{net[1]}.{10 + r}, mac: '{_mac(index, r, 200)}', serial: T{index:03d}{r:02d}}}",
            f"      - {{name: {code}-R{r:02d}-DSP01, role: display, vlan: av,"
            f" ip: {first}.{net[0]}.{net[1] + 2}.{130 + r}}}",
        ]
    lines.append("switches:")
    for s in range(SWITCHES_PER_SCHOOL):
        rooms = (2 * s, 2 * s + 1)
        lines += [
            f"  - name: {code}-SW{s:02d}",
            "    platform: cisco_ios",
            f"    mgmt_ip: {first}.{net[0]}.{net[1] + 3}.{11 + s}",
            "    ports:",
            f"      - {{ports: 1-{PCS_PER_ROOM}, room: R{rooms[0]:02d}}}",
            f"      - {{ports: {PCS_PER_ROOM + 1}, device: {code}-R{rooms[0]:02d}-TCH01}}",
            f"      - {{ports: 31-{30 + PCS_PER_ROOM - 14}, room: R{rooms[1]:02d}}}",
            "      - {ports: 47, access_point: true}",
            "    uplinks:",
            # a chain from the router: SW00 has the router uplink, each switch links to the next (both ends)
            f"      - {{port: 49, to: {code}-SW{s - 1:02d}}}" if s else "      - {port: 52, description: router}",
        ]
        if s + 1 < SWITCHES_PER_SCHOOL:
            lines.append(f"      - {{port: 50, to: {code}-SW{s + 1:02d}}}")
    return "\n".join(lines) + "\n"


def write_district(directory: Path, schools: int = 50, *, loopback: tuple[int, ...] = ()) -> list[Path]:
    """*schools* school files in *directory*; the schools whose index is in *loopback* on 127.0.0.0/8."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(schools):
        path = directory / f"d{index:03d}.school.yml"
        path.write_text(school_file(index, loopback=index in loopback), encoding="utf-8")
        paths.append(path)
    return paths
