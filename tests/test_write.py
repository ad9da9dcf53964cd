"""Output is written atomically: the whole new file, or the old one untouched and no debris."""
from __future__ import annotations

import os
import stat

import pytest

import engine.briefing.briefer
from .conftest import CASES
from engine.errors import BriefingError
from engine.write import atomic_output, write_atomic


def test_atomic_output_when_the_block_succeeds_replaces_the_file(tmp_path):
    """A block that ends normally leaves exactly the new bytes at the path."""
    target = tmp_path / "briefing.pdf"
    target.write_bytes(b"old")
    with atomic_output(target) as out:
        out.write(b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["briefing.pdf"]


def test_atomic_output_when_the_block_raises_leaves_the_existing_file_and_no_temp_file(tmp_path):
    """A failure half-way through leaves the old file as it was and removes the temporary file."""
    target = tmp_path / "briefing.pdf"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as out:
            out.write(b"half a PDF")
            raise RuntimeError("renderer failed")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["briefing.pdf"]


def test_atomic_output_gives_a_new_file_the_mode_a_plain_file_would_have(tmp_path):
    """The temporary file's private mode is not carried over to the output."""
    target = tmp_path / "briefing.pdf"
    mask = os.umask(0o022)
    try:
        write_atomic(target, b"%PDF-")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_write_atomic_when_the_folder_is_missing_raises_a_briefing_error(tmp_path):
    """Writing into a folder that does not exist is a one-line BriefingError, not a traceback."""
    with pytest.raises(BriefingError, match="does not exist"):
        write_atomic(tmp_path / "nowhere" / "briefing.pdf", b"%PDF-")


def test_briefer_write_when_rendering_fails_after_the_temp_file_opens_leaves_the_old_pdf(briefer, tmp_path, monkeypatch):
    """A renderer that fails after the temporary file is opened leaves the existing PDF and HTML untouched."""
    pdf, html = tmp_path / "b.pdf", tmp_path / "b.html"
    pdf.write_bytes(b"old pdf")
    html.write_bytes(b"old html")
    opened = []

    def failing_renderer(*args, **kwargs):
        opened.extend(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setattr(engine.briefing.briefer, "html_to_pdf", failing_renderer)
    with pytest.raises(RuntimeError):
        briefer.write(CASES / "new-department.yaml", pdf, html)
    assert opened, "the renderer should run after the temporary file is opened"
    assert pdf.read_bytes() == b"old pdf"
    assert html.read_bytes() == b"old html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.html", "b.pdf"]
