"""A full disk for tests: a small tmpfs where the test may mount one (root), else a simulated ENOSPC.

``full_disk(tmp_path, monkeypatch)`` yields ``(folder, how, fill)``; put what
the test needs into ``folder``, then ``fill(free)`` leaves about ``free`` bytes.
With ``how == "tmpfs"`` the folder is a real file system, so every process
writing there (batch workers too) meets a real "No space left on device".
With ``how == "simulated"`` the folder is an ordinary one and
:func:`kamnb.common.files.write_file` raises ENOSPC once ``free`` bytes are
written, in this process only.
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

SIZE = 4 * 1024 * 1024


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@contextlib.contextmanager
def full_disk(tmp_path: Path, monkeypatch) -> Iterator[tuple[Path, str, Callable[[int], None]]]:
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = False
    if can_mount():
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(folder)], capture_output=True).returncode == 0
    if mounted:

        def fill(free: int) -> None:
            st = os.statvfs(folder)
            (folder / ".filler").write_bytes(b"\0" * max(0, st.f_bavail * st.f_frsize - free))

        try:
            yield folder, "tmpfs", fill
        finally:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        return
    from kamnb.common import files

    real = files.write_file
    budget = {"left": 1 << 62}

    def write_file(path: Path, data: str | bytes) -> None:
        size = len(data.encode("utf-8") if isinstance(data, str) else data)
        if size > budget["left"]:
            with open(path, "wb") as fh:  # a real partial write, as a full disk leaves it
                fh.write((data.encode("utf-8") if isinstance(data, str) else data)[: budget["left"]])
            budget["left"] = 0
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        budget["left"] -= size
        real(path, data)

    def fill_simulated(free: int) -> None:
        budget["left"] = free
        monkeypatch.setattr(files, "write_file", write_file)

    yield folder, "simulated", fill_simulated


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder (hidden ones too), byte for byte, by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}
