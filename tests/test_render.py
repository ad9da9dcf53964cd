"""render: the Recommendation as HTML, every figure formatted in Python, none in the template."""
from __future__ import annotations

import re

from engine.briefing import render

TAGS = re.compile(r"<[^>]+>")


def _visible(html: str) -> str:
    body = html[html.index("<body>"):]
    return TAGS.sub(" ", body)


def test_render_when_case_is_briefed_prints_no_raw_floats(briefings):
    """No unformatted number (0.035, 1234567.89, 5.91...) reaches the page: figures formats them all."""
    for name, briefing in briefings.items():
        text = _visible(briefing.html)
        text = re.sub(r"\b[0-9a-f]{64}\b", "", text)  # SHA-256 digests are not figures
        text = re.sub(r"paras? [0-9.-]+", "", text)  # paragraph numbers quoted in policy sources
        assert not re.findall(r"\d\.\d{2,}", text), name
        assert not re.findall(r"\b\d{5,}\b", text), name  # large numbers are written 1,000 or £1.2m


def test_render_view_when_line_goes_alone_labels_it_go_alone(briefings):
    """The view names each line's verdict in plain words."""
    view = render.view(briefings["part-join"].recommendation)
    assert [(line.name, line.verdict) for line in view.lines] == [("Desktops", "Join"),
                                                                ("Specialist computing", "Go alone")]


def test_render_view_when_a_line_joins_lists_what_remains_to_be_seen(briefings):
    """What remains to be seen about the offer lists, for a line that joins, the requirements it meets only in part."""
    view = render.view(briefings["new-department"].recommendation)
    watch = " ".join(item.text for item in view.watch)
    assert "Met only in part: Single sign-on" in watch


def test_render_view_when_every_line_goes_alone_then_nothing_about_the_offer_remains_to_be_seen(briefings):
    """The offer's weaker dimensions and unmet requirements are moot where the line is kept in house."""
    assert render.view(briefings["large-specialist"].recommendation).watch == []


def test_render_view_when_a_joining_line_has_a_risk_about_the_offer_then_it_is_listed(decider):
    """A risk about the offer is printed for a line that joins, with its rule id."""
    from engine.load import parse_case

    from .conftest import CASES

    text = (CASES / "urgent-agency.yaml").read_text().replace(
        "quality: {security: 4, usability: 4, support: 3}", "quality: {security: 4, usability: 4, support: 4}", 1)
    view = render.view(decider.decide(parse_case(text.encode())))
    assert [(r.line, r.rule_id) for r in view.risks] == [("Desktops", "quality.offer-worse-on-some-dimensions")]
    assert "set service levels for them" in view.risks[0].text


def test_render_view_asks_the_board_to_attach_conditions_when_there_are_some(briefings):
    """The board's asks on page 1 mention the conditions when rules attach any."""
    view = render.view(briefings["new-department"].recommendation)
    assert view.asks[0].text == "Agree the recommendation: join Flex for desktops and service desk."
    assert view.asks[1].text == "Attach the condition to joining (section 3):"
    assert view.asks[1].items == ["Desktops: Write into the call-off how these requirements will be met in full: "
                                  "Single sign-on with the department's directory."]


def test_render_view_when_the_case_sets_its_own_optimism_bias_gives_its_reason_as_source(briefings):
    """Per-case optimism bias appears in the assumptions with the case's evidence as its source."""
    view = render.view(briefings["urgent-agency"].recommendation)
    row = next(a for a in view.line_assumptions if a.name.startswith("Optimism bias"))
    assert row.value == "50%, 10%, 20%"
    assert "A re-competition of an existing managed service" in row.source
