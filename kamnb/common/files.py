"""Files written whole or not at all: a folder of files is made complete beside its target, then renamed.

A full disk, a read-only folder or a killed process can stop a write at any
byte. Everything kamnb writes for a person to open later (an exported or
imported workbook, a backup) therefore goes first into a hidden temporary
folder beside the target, on the same file system; only when every file is
complete and flushed to disk is it renamed into place. A rename needs no
space, so once it starts it finishes.

Example:
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "book"
    >>> publish_folder({"accounts.csv": "account_id\\nA1\\n"}, target) == target
    True
    >>> sorted(p.name for p in target.iterdir())
    ['accounts.csv']
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

TEMP_PREFIX = ".kamnb-new-"
"""Hidden temporary folders and files start with this; one left behind by a killed process is safe to delete."""


def write_file(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` (text as UTF-8) and flush it to disk.

    Example:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "a.txt"
        >>> write_file(p, "hi"); p.read_text()
        'hi'
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with open(path, "wb") as fh:
        fh.write(raw)
        fh.flush()
        os.fsync(fh.fileno())


@contextlib.contextmanager
def staging_folder(target: Path) -> Iterator[Path]:
    """A hidden empty folder beside ``target`` that is removed again whatever happens.

    Example:
        >>> import tempfile
        >>> with staging_folder(Path(tempfile.mkdtemp()) / "book") as tmp:
        ...     tmp.name.startswith(".kamnb-new-book-")
        True
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f"{TEMP_PREFIX}{target.name}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def publish_folder(files: Mapping[str, str | bytes | Path], target: Path) -> Path:
    """Write ``files`` (name -> text, bytes, or a file to copy) as the folder ``target``, whole or not at all.

    Every file is written into a staging folder beside ``target`` first. A
    new or empty ``target`` is then replaced by that folder in one rename; an
    existing folder (other files kept) gets each file by its own rename, all
    of them after the last byte is on disk. On any error before that, nothing
    of ``target`` has changed and the staging folder is gone.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "out"
        >>> publish_folder({"a.csv": b"x"}, target).joinpath("a.csv").read_bytes()
        b'x'
    """
    with staging_folder(target) as tmp:
        for name, data in files.items():
            if isinstance(data, Path):
                write_file(tmp / name, data.read_bytes())
                shutil.copystat(data, tmp / name)
            else:
                write_file(tmp / name, data)
        _fsync_dir(tmp)
        if target.is_dir() and not any(target.iterdir()):
            target.rmdir()
        if not target.exists():
            os.rename(tmp, target)
        else:
            for name in files:
                os.replace(tmp / name, target / name)
        _fsync_dir(target)
    return target


def publish_file(data: str | bytes, target: Path) -> Path:
    """Write one file whole or not at all: a hidden temporary file beside it, then a rename.

    Example:
        >>> import tempfile
        >>> publish_file("x", Path(tempfile.mkdtemp()) / "b.txt").read_text()
        'x'
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{TEMP_PREFIX}{target.name}-{os.getpid()}")
    try:
        write_file(tmp, data)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def disk_message(err: OSError, where: Path | str) -> str:
    """One sentence for a write that failed: full disk, read-only, no permission, or the error's own words.

    Example:
        >>> import errno
        >>> disk_message(OSError(errno.ENOSPC, "No space left on device"), "reports")
        'cannot write into reports: the disk is full (No space left on device); free some space and run again'
    """
    import errno

    reason = err.strerror or str(err)
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"cannot write into {where}: the disk is full ({reason}); free some space and run again"
    if err.errno == errno.EROFS:
        return f"cannot write into {where}: the file system is read-only ({reason})"
    if err.errno in (errno.EACCES, errno.EPERM):
        return f"cannot write into {where}: permission denied ({reason})"
    if err.errno in (errno.ENOTDIR, errno.EEXIST):
        return f"cannot write into {where}: a file is in the way where a folder is needed ({reason})"
    return f"cannot write into {where}: {reason}"


TMP_PREFIX = ".kamnb-tmp-"


"""Name prefix of the temporary files :func:`write_atomic` writes; a run removes any left over."""


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` so the file appears whole or not at all.

    The bytes go to a temporary file in the same folder, are flushed to disk,
    and the file is renamed over ``path`` (atomic on POSIX and Windows).

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> write_atomic(target, "hello").read_text()
    'hello'
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX + path.name + ".", dir=path.parent)
    try:
        os.fchmod(fd, _FILE_MODE) if hasattr(os, "fchmod") else None
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def remove_temp_files(folder: str | Path) -> int:
    """Delete temporary files :func:`write_atomic` left behind (after a hard stop); return how many.

    Example:
        >>> _ = (tmp / f"{TMP_PREFIX}report.html").write_text("half written")
        >>> remove_temp_files(tmp)
        1
    """
    count = 0
    for tmp in Path(folder).rglob(TMP_PREFIX + "*"):
        try:
            tmp.unlink()
            count += 1
        except OSError:
            pass
    return count

