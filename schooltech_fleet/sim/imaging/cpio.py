"""A reproducible initramfs archive: cpio "newc" format, owned by root, timestamps zero.

Written here rather than with ``cpio -o`` so that the archive does not depend on the
build directory's owners, modes or times, and can hold ``/dev/console`` without root.
"""

from __future__ import annotations

import stat

_MAGIC = "070701"


class Archive:
    """Entries in the order added; :meth:`close` returns the archive bytes."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._inode = 0

    def directory(self, name: str) -> None:
        self._add(name, stat.S_IFDIR | 0o755, b"", nlink=2)

    def file(self, name: str, data: bytes, mode: int = 0o644) -> None:
        self._add(name, stat.S_IFREG | mode, data)

    def device(self, name: str, major: int, minor: int) -> None:
        """A character device node (``/dev/console`` must exist before the kernel starts ``/init``)."""
        self._add(name, stat.S_IFCHR | 0o600, b"", rdev=(major, minor))

    def close(self) -> bytes:
        self._add("TRAILER!!!", 0, b"", nlink=1)
        return b"".join(self._parts)

    def _add(self, name: str, mode: int, data: bytes, nlink: int = 1, rdev: tuple[int, int] = (0, 0)) -> None:
        self._inode += 1
        encoded = name.encode() + b"\0"
        fields = (self._inode, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(encoded), 0)
        header = (_MAGIC + "".join(f"{value:08X}" for value in fields)).encode()
        self._parts += [header, encoded, _padding(len(header) + len(encoded)), data, _padding(len(data))]


def _padding(length: int) -> bytes:
    return b"\0" * (-length % 4)
