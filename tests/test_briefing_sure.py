"""The briefing's section 4, How sure are we, and verify re-running the analysis."""
from __future__ import annotations

import pytest

from engine import figures
from engine.analysis.analyse import decide_sure
from engine.briefing.briefer import render
from engine.briefing.render import render_html
from engine.briefing.verify import verify_pdf
from engine.load import LoadedCase

from .analysis_cases import box15, vfm_decider

@pytest.fixture(scope="module")
def thin():
    """Box 15 with going alone's running cost a range either side of its switching value."""
    decider = vfm_decider()
    case = box15(running={"low": 150_000, "likely": 250_000, "high": 450_000})
    loaded = LoadedCase(case, "box15.yaml", case.model_dump_json().encode())
    rec, analysis = decide_sure(decider, loaded, draws=300, seed=3)
    return decider, loaded, rec, analysis


def test_briefing_when_the_case_has_ranges_has_section_4(thin):
    """Section 4 gives the switching values, the confidence statement, both charts and what to firm up."""
    _, _, rec, analysis = thin
    html = render_html(rec, analysis=analysis)
    assert "4. How sure are we" in html
    assert analysis.sensitivity.estimates[0].sentence.replace("'", "&#39;") in html
    assert "Tornado chart" in html and "share of draws giving each verdict" in html
    assert "What to firm up first" in html


def test_briefing_when_a_figure_is_worth_firming_up_page_one_asks_for_it(thin):
    """The board's asks include firming up the figure worth most before signing, with what knowing it is worth."""
    _, _, rec, analysis = thin
    html = render_html(rec, analysis=analysis)
    worth = analysis.confidence.firm_up[0]
    assert worth.worth_it
    assert ("Before signing, have going alone&#39;s annual running cost (Desktops) firmed up: knowing it exactly would "
            f"be worth about {figures.pounds(worth.value)} to this decision") in html


def test_briefing_when_every_figure_is_single_says_100_percent():
    """A case with single figures only says there was nothing to draw, and shows no shares chart."""
    decider = vfm_decider()
    case = box15()
    loaded = LoadedCase(case, "box15.yaml", case.model_dump_json().encode())
    rec, analysis = decide_sure(decider, loaded, draws=300, seed=1)
    html = render_html(rec, analysis=analysis)
    assert "with 100% confidence" in html
    assert "share of draws giving each verdict" not in html


def test_briefing_when_not_analysed_has_no_section_4(thin):
    """A recommendation rendered without an analysis has no section 4 (as before issue 11)."""
    _, _, rec, _ = thin
    assert "How sure are we" not in render_html(rec)


@pytest.mark.slow
def test_verify_when_the_analysis_is_run_again_with_its_seed_holds(thin):
    """verify re-runs the analysis with the briefing's own draws and seed and finds it the same."""
    decider, loaded, rec, analysis = thin
    pdf = render(rec, case=loaded.data, rulebook=decider.rulebook, analysis=(analysis, 300, 3)).pdf
    result = verify_pdf(pdf, "thin.pdf")
    assert result.holds, result.differences


@pytest.mark.slow
def test_verify_when_the_analysis_does_not_match_its_seed_fails(thin):
    """An analysis that its recorded seed does not reproduce is a difference verify reports."""
    decider, loaded, rec, analysis = thin
    pdf = render(rec, case=loaded.data, rulebook=decider.rulebook, analysis=(analysis, 300, 4)).pdf
    result = verify_pdf(pdf, "thin.pdf")
    assert not result.holds
    assert any(d.startswith("analysis confidence") for d in result.differences)


@pytest.mark.slow
def test_briefing_when_drawn_as_the_cli_briefs_runs_to_seven_pages_at_most():
    """Part-join, the longest example (two lines, one decided on the draws), briefed with its draws as `joinup brief`
    does, stays a board paper of at most seven A4 pages."""
    import io

    from pypdf import PdfReader

    from engine.briefing.briefer import Briefer
    from engine.load import load_case
    from .conftest import CASES

    briefing = Briefer().brief(load_case(CASES / "part-join.yaml"))
    assert len(PdfReader(io.BytesIO(briefing.pdf)).pages) <= 7
