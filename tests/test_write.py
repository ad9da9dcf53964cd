"""The one writer: the whole new file or the old one untouched, no debris, and nothing but a
regular file or a new path ever replaced."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap

import pytest

import engine.briefing.briefer
import engine.write
from .conftest import CASES, ROOT
from engine.errors import OutputError
from engine.write import write_output, write_outputs


def test_write_output_when_the_target_exists_replaces_it(tmp_path):
    """Writing over a regular file leaves exactly the new bytes and no temporary file."""
    target = tmp_path / "briefing.pdf"
    target.write_bytes(b"old")
    write_output(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["briefing.pdf"]


def test_write_outputs_when_one_target_is_refused_writes_none(tmp_path):
    """A refused second target means the first is not written either."""
    first, second = tmp_path / "b.pdf", tmp_path / "b.html"
    first.write_bytes(b"old")
    second.mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        write_outputs([(first, b"new"), (second, b"<html>")])
    assert first.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["b.html", "b.pdf"]


def test_write_output_gives_a_new_file_the_mode_a_plain_file_would_have(tmp_path):
    """The temporary file's private mode is not carried over to the output."""
    target = tmp_path / "briefing.pdf"
    mask = os.umask(0o022)
    try:
        write_output(target, b"%PDF-")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_write_output_when_the_folder_is_missing_raises_an_output_error(tmp_path):
    """Writing into a folder that does not exist is a one-line OutputError, not a traceback."""
    with pytest.raises(OutputError, match="does not exist"):
        write_output(tmp_path / "nowhere" / "briefing.pdf", b"%PDF-")


def test_write_output_when_the_target_is_a_symlink_refuses_and_leaves_its_target(tmp_path):
    """A symbolic link at the target is refused, and the file it points to is not written through."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (tmp_path / "out.pdf").symlink_to(victim)
    with pytest.raises(OutputError, match="is a symbolic link"):
        write_output(tmp_path / "out.pdf", b"%PDF-")
    assert victim.read_bytes() == b"precious"
    assert (tmp_path / "out.pdf").is_symlink()


def test_write_output_when_the_target_is_a_fifo_refuses_without_blocking(tmp_path):
    """A named pipe at the target is refused (not opened, so nothing waits for a reader)."""
    fifo = tmp_path / "out.pdf"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="is a named pipe"):
        write_output(fifo, b"%PDF-")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["out.pdf"]


def test_write_output_when_the_target_is_a_folder_refuses(tmp_path):
    """A folder at the target is refused with one line, and left as it was."""
    (tmp_path / "out.pdf").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        write_output(tmp_path / "out.pdf", b"%PDF-")
    assert (tmp_path / "out.pdf").is_dir()


def test_write_output_when_the_target_is_a_device_leaves_the_device(tmp_path):
    """/dev/null is refused as a device: run as root, it stays a character device."""
    with pytest.raises(OutputError, match="is a device"):
        write_output("/dev/null", b"%PDF-")
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_write_output_when_the_target_is_an_input_refuses_by_inode(tmp_path):
    """An input given again as the output (here through a hard link) is refused and keeps its bytes."""
    case = tmp_path / "case.yaml"
    case.write_bytes(b"organisation: {}")
    os.link(case, tmp_path / "alias.pdf")
    with pytest.raises(OutputError, match="one of this command's inputs"):
        write_output(tmp_path / "alias.pdf", b"%PDF-", inputs=[case])
    assert case.read_bytes() == b"organisation: {}"


def test_write_output_when_the_target_is_a_yaml_file_refuses(tmp_path):
    """An existing YAML file (a case, rule or parameter file) is never replaced, input or not."""
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: []\n")
    with pytest.raises(OutputError, match="YAML file"):
        write_output(rules, b"<html>")
    assert rules.read_text() == "rules: []\n"


def test_write_output_when_links_are_planted_at_predictable_names_writes_none_through_them(tmp_path):
    """Symbolic links at `.NAME.tmp` and similar names are never followed: their targets stay as they were."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    for name in (".out.pdf.tmp", ".out.pdf", "out.pdf.tmp", ".out.pdf.tmp.tmp"):
        (tmp_path / name).symlink_to(victim)
    write_output(tmp_path / "out.pdf", b"%PDF-")
    assert victim.read_bytes() == b"precious"
    assert (tmp_path / "out.pdf").read_bytes() == b"%PDF-"


@pytest.mark.slow
def test_write_output_when_sigterm_arrives_mid_write_leaves_no_temporary_file(tmp_path):
    """`joinup brief` killed by SIGTERM while its temporary file is open exits and removes that file."""
    target = tmp_path / "b.pdf"
    target.write_bytes(b"old")
    script = textwrap.dedent(f"""
        import os, signal, sys
        real_fsync = os.fsync
        def fsync_then_terminate(fd):
            real_fsync(fd)
            os.kill(os.getpid(), signal.SIGTERM)
        os.fsync = fsync_then_terminate
        from engine.cli import app
        sys.argv = ["joinup", "brief", {str(CASES / 'new-department.yaml')!r}, "-o", {str(target)!r}]
        app()
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=120)
    assert done.returncode in (128 + signal.SIGTERM, -signal.SIGTERM), done.stderr.decode()
    assert done.returncode == 128 + signal.SIGTERM, "SIGTERM should unwind, not kill outright"
    assert sorted(os.listdir(tmp_path)) == ["b.pdf"]
    assert target.read_bytes() == b"old"


def test_briefer_write_when_rendering_fails_leaves_the_old_files_and_opens_no_temporary_file(briefer, tmp_path, monkeypatch):
    """Rendering happens before any file is created: a renderer that fails leaves the PDF and HTML untouched."""
    pdf, html = tmp_path / "b.pdf", tmp_path / "b.html"
    pdf.write_bytes(b"old pdf")
    html.write_bytes(b"old html")
    seen = []

    def failing_renderer(*args, **kwargs):
        seen.extend(p.name for p in tmp_path.iterdir())
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setattr(engine.briefing.briefer, "html_to_pdf", failing_renderer)
    with pytest.raises(RuntimeError):
        briefer.write(CASES / "new-department.yaml", pdf, html)
    assert sorted(seen) == ["b.html", "b.pdf"], "no temporary file while rendering"
    assert pdf.read_bytes() == b"old pdf"
    assert html.read_bytes() == b"old html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.html", "b.pdf"]


def test_write_outputs_when_renaming_fails_removes_every_temporary_file(tmp_path, monkeypatch):
    """A failure at the final rename leaves no temporary file and the old target as it was."""
    target = tmp_path / "b.pdf"
    target.write_bytes(b"old")

    def no_rename(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(engine.write.os, "replace", no_rename)
    with pytest.raises(OutputError, match="No space left"):
        write_output(target, b"new")
    assert os.listdir(tmp_path) == ["b.pdf"]
    assert target.read_bytes() == b"old"
