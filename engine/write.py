"""The one writer of every file joinup makes: all of the new file, or the old one untouched.

Every output (briefing PDF and HTML, rulebook document, case-file schema, the rulebook a
briefing carries, unpacked for `verify`) goes through `write_outputs`, so every command
refuses the same things with the same `OutputError`:

- a target that is not a regular file or a new path (a symbolic link, a folder, a FIFO,
  a device, a socket): replacing it would destroy it, or write through it;
- a target that is one of the command's inputs (the same file by inode, so a hard link
  or a symbolic link to the case is caught too): the output would replace its evidence;
- a target that is a YAML file: joinup reads YAML (cases, rules, parameters, rule tests)
  and never writes it, so replacing one can only destroy an input.

The content is ready (bytes in memory) before any file is created. Each temporary file
gets an unpredictable name in the target's folder, created exclusively (`mkstemp`: never
through a planted link), is flushed to disk, then renamed over the target. A failure, or a
SIGTERM turned into an exception by the CLI, removes the temporary files on the way out.
"""
from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import OutputError

PathLike = Path | str
_NEVER_WRITTEN = (".yaml", ".yml")
_HINT = "joinup writes only to a regular file or a new path; give another output path"
# How deep a protected folder is searched for its files: a rulebook keeps its tests one level down.
_PROTECT_DEPTH = 2


def _unwind(signum, frame) -> None:
    raise SystemExit(128 + signum)


def unwind_on_sigterm():
    """Make SIGTERM raise SystemExit, so `finally` blocks (ours remove temporary files) run; returns the old handler.

    For programs, not the library: the CLI while a command runs, and each folder-mode worker.
    """
    return signal.signal(signal.SIGTERM, _unwind)


def _umask() -> int:
    # The only portable way to read the umask is to set it and set it back; joinup writes from one thread.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _kind(mode: int) -> str | None:
    """What a file that is not a regular one is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _files(path: Path, depth: int) -> Iterable[Path]:
    """`path`, or the files in it when it is a folder, `depth` levels down."""
    if not path.is_dir():
        yield path
        return
    if depth == 0:
        return
    with contextlib.suppress(OSError):
        for child in path.iterdir():
            yield from _files(child, depth - 1)


def _identities(inputs: Iterable[PathLike]) -> dict[tuple[int, int], str]:
    """(device, inode) of every input file, following links as reading it does, to the name given."""
    found = {}
    for given in inputs:
        for path in _files(Path(given), _PROTECT_DEPTH):
            with contextlib.suppress(OSError):
                info = os.stat(path)
                found.setdefault((info.st_dev, info.st_ino), str(path))
    return found


def _check(path: Path, inputs: dict[tuple[int, int], str]) -> None:
    """Refuse a target that is not a regular file or a new path, or that is one of the inputs."""
    if path.name in ("", ".", ".."):
        raise OutputError("is a folder, not a file name", file=str(path), hint="give a file name to write to")
    try:
        info = os.lstat(path)  # never follow a link: the link itself is what would be replaced
    except (FileNotFoundError, NotADirectoryError):  # a new path; a missing folder is reported when it is written
        return
    except OSError as exc:
        raise OutputError(f"cannot be written: {exc.strerror}", file=str(path)) from None
    kind = _kind(info.st_mode)
    if kind:
        raise OutputError(f"is {kind}, not a file joinup can replace", file=str(path), hint=_HINT)
    source = inputs.get((info.st_dev, info.st_ino))
    if source is not None:
        same = "" if os.path.abspath(source) == os.path.abspath(path) else f" ({source})"
        raise OutputError(f"is one of this command's inputs{same}: writing it would destroy it",
                          file=str(path), hint="give another output path")
    if path.suffix.lower() in _NEVER_WRITTEN:
        raise OutputError("is a YAML file (a case, rule or parameter file): joinup never replaces one",
                          file=str(path), hint="give another output path")


def _folder(path: Path, make: bool) -> Path:
    folder = path.parent
    if make:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise OutputError("cannot be written: part of its folder path is a file", file=str(path)) from None
        except OSError as exc:
            raise OutputError(f"cannot be written: {exc.strerror}", file=str(path)) from None
    if not folder.is_dir():
        raise OutputError("the folder to write to does not exist", file=str(path), hint=f"create {folder} first")
    return folder


def _distinct(paths: Sequence[Path]) -> None:
    seen: set[str] = set()
    for path in paths:
        key = os.path.normcase(os.path.abspath(path))
        if key in seen:
            raise OutputError("is given for two outputs at once", file=str(path), hint="give each output its own path")
        seen.add(key)


def check_outputs(paths: Sequence[PathLike], inputs: Iterable[PathLike] = ()) -> None:
    """Refuse, before any work is done, targets `write_outputs` would refuse (the folders may be made later)."""
    targets = [Path(p) for p in paths]
    _distinct(targets)
    protected = _identities(inputs)
    for target in targets:
        _check(target, protected)


def _temporary(path: Path, folder: Path, data: bytes) -> str:
    """A new file beside `path` holding `data` on disk, with the mode a plain new file would have."""
    try:
        # An unpredictable name, created with O_EXCL (and O_NOFOLLOW): a link planted at any name is never used.
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name[:40]}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot be written: {exc.strerror}", file=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            # mkstemp makes the file private (0600); give it the mode a plain new file would have.
            os.fchmod(out.fileno(), 0o666 & ~_umask())
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot be written: {exc.strerror}", file=str(path)) from None
        raise
    return tmp


def write_outputs(
    files: Sequence[tuple[PathLike, bytes]], *, inputs: Iterable[PathLike] = (), make_folders: bool = False
) -> None:
    """Write each (path, bytes) atomically; refuse them all, before writing any, if one may not be written.

    `inputs` are the files (or folders of files) the command read: none of them may be a target.
    `make_folders` creates missing folders on the way to a target.
    """
    targets = [(Path(p), data) for p, data in files]
    check_outputs([p for p, _ in targets], inputs)
    pending: list[tuple[str, Path]] = []
    try:
        for path, data in targets:
            pending.append((_temporary(path, _folder(path, make_folders), data), path))
        while pending:
            tmp, path = pending[0]
            _check(path, {})  # again, just before: the target may have changed while the content was made
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise OutputError(f"cannot be replaced: {exc.strerror}", file=str(path)) from None
            pending.pop(0)
    finally:
        for tmp, _ in pending:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_output(path: PathLike, data: bytes, *, inputs: Iterable[PathLike] = (), make_folders: bool = False) -> Path:
    """Write `data` to `path` atomically (see `write_outputs`); return the path."""
    write_outputs([(path, data)], inputs=inputs, make_folders=make_folders)
    return Path(path)
