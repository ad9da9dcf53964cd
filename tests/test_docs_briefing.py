"""The README documents the briefing commands and shows page 1."""
from __future__ import annotations

from .conftest import ROOT


def test_readme_documents_brief_and_verify_with_a_picture_of_page_one():
    """Briefings has a README section with both commands and a committed picture of page 1."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Briefings" in readme
    assert "joinup brief cases/new-department.yaml -o new-department.pdf" in readme
    assert "joinup verify new-department.pdf" in readme
    assert "(docs/briefing-page1.png)" in readme
    assert (ROOT / "docs" / "briefing-page1.png").read_bytes().startswith(b"\x89PNG")
