"""Write output files atomically: all of the new file, or the old one untouched.

The bytes go to a temporary file in the same folder (so the final rename never crosses
file systems), are flushed to disk, and only then replace the target with `os.replace`.
A failure at any point removes the temporary file and leaves the target as it was.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import BriefingError


def _umask() -> int:
    # The only portable way to read the umask is to set it and set it back; joinup writes from one thread.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_output(path: Path | str) -> Iterator[BinaryIO]:
    """A binary file to write; it becomes `path` when the block ends without an exception."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise BriefingError("the folder to write to does not exist", file=str(path), hint=f"create {folder} first")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise BriefingError(f"cannot be written: {exc.strerror}", file=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain new file would have.
        os.chmod(tmp, 0o666 & ~_umask())
        try:
            os.replace(tmp, path)
        except OSError as exc:  # e.g. the target is a folder: one line, not a traceback
            raise BriefingError(f"cannot be replaced: {exc.strerror}", file=str(path)) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_atomic(path: Path | str, data: bytes) -> None:
    """Write `data` to `path` atomically."""
    try:
        with atomic_output(path) as out:
            out.write(data)
    except OSError as exc:
        raise BriefingError(f"cannot be written: {exc.strerror}", file=str(path)) from None
