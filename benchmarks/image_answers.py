"""Answer files and iPXE scripts for 2,000 PCs: render, then validate, timed step by step.

The mix: 40% Debian 12, 20% each Ubuntu 22.04 / 24.04, 10% each Windows 10 / 11, BIOS and UEFI,
single and LVM layouts. Validation runs as ``image plan`` will run it:

  - preseeds: the allow-list in Python per file, then ONE ``debconf-set-selections --checkonly``
    process for the whole batch (debconf reads every file named on its command line; its line
    numbers run on across files, and each finding is mapped back to its file and line), against a
    private empty debconf database; the batch is also timed against one process per file;
  - autoinstall: YAML + jsonschema in process (the schema is compiled once);
  - autounattend: ElementTree in process;
  - iPXE scripts: the script check in process.

Usage: .venv/bin/python benchmarks/image_answers.py [--pcs N]
"""

from __future__ import annotations

import argparse
import itertools
from collections import Counter
from functools import partial

from measure import timed

from schooltech_fleet.imaging import ipxe
from schooltech_fleet.imaging.answers import AnswerFormat, AnswerRequest, RenderedAnswer, render_answer
from schooltech_fleet.imaging.answers.validate import debconf_checkonly, validate_answers
from schooltech_fleet.inventory.model import OperatingSystem

SERVER = "http://10.77.0.2:8080"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9kq3nQZkq8xV2s7oWq1YfJm0d7bC5n0tX3pR8yL4aZ tech@district"
MIX = [OperatingSystem.DEBIAN12] * 4 + [OperatingSystem.UBUNTU2204] * 2 + [OperatingSystem.UBUNTU2404] * 2
MIX += [OperatingSystem.WINDOWS10, OperatingSystem.WINDOWS11]


def requests(count: int) -> list[tuple[str, AnswerRequest]]:
    made = []
    for index, os in zip(range(count), itertools.cycle(MIX), strict=False):
        windows = os in (OperatingSystem.WINDOWS10, OperatingSystem.WINDOWS11)
        firmware = "uefi" if os == OperatingSystem.WINDOWS11 or index % 3 else "bios"
        token = f"tok{index:06d}-benchmark-token-x"
        mac = f"52:54:00:{index >> 16 & 255:02x}:{index >> 8 & 255:02x}:{index & 255:02x}"
        made.append((mac, AnswerRequest(
            hostname=f"s{index // 500:02d}-pc{index % 500:03d}",
            os=os,
            firmware=firmware,  # type: ignore[arg-type]
            disk_layout="lvm" if not windows and index % 2 else "single",
            locale="en_GB.UTF-8",
            keyboard="gb",
            timezone="Europe/London",
            admin_user="schooltech",
            admin_ssh_key=KEY,
            callback_url=ipxe.callback_url(SERVER, token),
            mirror=None,
            proxy="http://proxy.district.example:3128",
        )))  # fmt: skip
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pcs", type=int, default=2000)
    args = parser.parse_args()
    pcs, build_seconds = timed(lambda: requests(args.pcs))
    answers, render_seconds = timed(lambda: [render_answer(request) for _, request in pcs])

    def scripts() -> list[str]:
        return [
            ipxe.install_script(SERVER, r.os, r.firmware, r.callback_url.rsplit("/", 1)[1], r.hostname) for _, r in pcs
        ]

    rendered_scripts, script_seconds = timed(scripts)
    findings, validate_seconds = timed(lambda: validate_answers(answers))
    script_findings, check_seconds = timed(
        lambda: [f for (mac, _), s in zip(pcs, rendered_scripts, strict=True)
                 for f in ipxe.check_script(ipxe.script_path(mac), s, SERVER)]
    )  # fmt: skip

    preseeds = [answer for answer in answers if answer.format is AnswerFormat.PRESEED]
    _, batch_seconds = timed(lambda: debconf_checkonly([(a.filename, a.text) for a in preseeds]))
    sample = preseeds[:50]
    _, single_seconds = timed(lambda: [debconf_checkonly([(a.filename, a.text)]) for a in sample])
    by_format: Counter[AnswerFormat] = Counter(answer.format for answer in answers)
    per_format = {kind: timed(partial(validate_answers, of_format(answers, kind)))[1] for kind in by_format}

    total = render_seconds + script_seconds + validate_seconds + check_seconds
    count = len(pcs)
    print(f"{count} PCs: " + ", ".join(f"{n} {kind}" for kind, n in sorted(by_format.items())))
    print(f"  requests built          {build_seconds:7.3f} s")
    print(f"  answer files rendered   {render_seconds:7.3f} s   {render_seconds / count * 1e3:6.3f} ms per file")
    print(f"  iPXE scripts rendered   {script_seconds:7.3f} s   {script_seconds / count * 1e3:6.3f} ms per file")
    print(f"  answer files validated  {validate_seconds:7.3f} s   {validate_seconds / count * 1e3:6.3f} ms per file")
    for kind, seconds in sorted(per_format.items()):
        print(f"    {kind:14s}        {seconds:7.3f} s   {seconds / by_format[kind] * 1e3:6.3f} ms per file")
    print(f"  iPXE scripts checked    {check_seconds:7.3f} s   {check_seconds / count * 1e3:6.3f} ms per file")
    print(f"  total                   {total:7.3f} s   {total / count * 1e3:6.3f} ms per PC")
    print(f"  findings: {len(findings)} in answer files, {len(script_findings)} in iPXE scripts (expected 0 and 0)")
    per_process = single_seconds / len(sample)
    print(
        f"  debconf --checkonly: one process for {len(preseeds)} preseeds {batch_seconds:.3f} s; one process per file "
        f"{per_process * 1e3:.1f} ms each (x{len(preseeds)} = {per_process * len(preseeds):.1f} s, "
        f"{per_process * len(preseeds) / batch_seconds:.0f}x the batch)"
    )


def of_format(answers: list[RenderedAnswer], kind: AnswerFormat) -> list[RenderedAnswer]:
    return [answer for answer in answers if answer.format is kind]


if __name__ == "__main__":
    main()
