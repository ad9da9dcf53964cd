"""Rendering reaches neither the network nor the file system beyond templates/, whatever a case file says."""
from __future__ import annotations

import datetime as dt
import socket

import pytest

from .conftest import CASES, pdf_pages
from engine.resources import default_templates_dir
from engine.load import parse_case
from engine.briefing.pdf import FetchRefused, TemplatesOnlyFetcher, html_to_pdf
from engine.briefing.render import render_html

IMG = '<img src="http://127.0.0.1:9/x">'
SCRIPT = "<script>alert(1)</script>"
PASSWD = "file:///etc/passwd"
STYLESHEET = '<link rel="stylesheet" href="file:///etc/passwd">'


def _hostile_case() -> bytes:
    text = (CASES / "new-department.yaml").read_text(encoding="utf-8")
    text = text.replace("name: Department for Innovation and Skills", f"name: '{IMG} Agency'")
    text = text.replace("{name: Screen reader support, met: \"yes\", met_by_go_alone: \"yes\"}",
                        f"{{name: '{SCRIPT}', met: \"yes\", met_by_go_alone: \"yes\", note: '{PASSWD}'}}")
    start = text.index("notes: >-")
    end = text.index("service_lines:")
    text = text[:start] + f"notes: '{STYLESHEET} see {PASSWD}'\n\n" + text[end:]
    return text.encode("utf-8")


@pytest.fixture(scope="module")
def hostile(briefer):
    """A case whose text fields hold markup and URLs, decided, rendered, and made a PDF with a watched fetcher."""
    rec = briefer.decider.decide(parse_case(_hostile_case(), "hostile.yaml"))
    html = render_html(rec)
    fetcher = TemplatesOnlyFetcher(default_templates_dir())
    connections = []
    real_connect = socket.socket.connect

    def watch(self, address):  # any connection attempt at all is recorded, then refused
        connections.append(address)
        raise OSError("briefing tests allow no network")

    socket.socket.connect = watch
    try:
        pdf = html_to_pdf(html, base_dir=default_templates_dir(), created=rec.decision_date, fetcher=fetcher)
    finally:
        socket.socket.connect = real_connect
    return rec, html, pdf, fetcher, connections


@pytest.mark.slow
def test_render_when_case_text_holds_markup_escapes_it(hostile):
    """Markup from the case file is escaped in the HTML: no img, script or link element comes from it."""
    _, html, _, _, _ = hostile
    assert "&lt;img src=&#34;http://127.0.0.1:9/x&#34;&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert IMG not in html and SCRIPT not in html and STYLESHEET not in html


@pytest.mark.slow
def test_brief_when_case_text_holds_markup_prints_it_as_literal_text(hostile):
    """The organisation name, requirement name and notes appear in the PDF as the text they are."""
    _, _, pdf, _, _ = hostile
    text = " ".join(pdf_pages(pdf))
    assert f"{IMG} Agency" in text
    assert SCRIPT in text
    assert PASSWD in text
    assert STYLESHEET in text


@pytest.mark.slow
def test_brief_when_case_text_holds_urls_fetches_none_of_them(hostile):
    """The fetcher is asked only for the in-memory charts, refuses nothing, and no socket opens."""
    _, _, _, fetcher, connections = hostile
    assert fetcher.refused == []
    assert fetcher.served and all(u.startswith("data:image/svg+xml;base64,") for u in fetcher.served)
    assert connections == []


def test_fetcher_serves_a_file_inside_the_templates_with_its_type():
    """A file under templates/ is served, typed so WeasyPrint will use it (CSS as text/css)."""
    fetcher = TemplatesOnlyFetcher(default_templates_dir())
    response = fetcher.fetch((default_templates_dir().resolve() / "briefing.css").as_uri())
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x",
    "https://example.org/logo.png",
    "file:///etc/passwd",
    "ftp://example.org/x",
])
def test_fetcher_refuses_when_url_is_outside_the_templates(url):
    """The network and files outside templates/ are refused, and the refusal recorded."""
    fetcher = TemplatesOnlyFetcher(default_templates_dir())
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_refuses_when_a_path_climbs_out_of_the_templates():
    """A relative path that climbs out of templates/ is refused."""
    templates = default_templates_dir().resolve()
    fetcher = TemplatesOnlyFetcher(templates)
    with pytest.raises(FetchRefused):
        fetcher.fetch((templates / ".." / "engine" / "api.py").as_uri())


def test_html_to_pdf_when_html_asks_for_outside_resources_refuses_them():
    """HTML that does ask for a remote image and a local file gets neither: the fetcher refuses both."""
    fetcher = TemplatesOnlyFetcher(default_templates_dir())
    html = (f'<html lang="en"><head><title>t</title><link rel="stylesheet" href="{PASSWD}"></head>'
            f'<body><p>x</p><img src="http://127.0.0.1:9/x" alt="x"></body></html>')
    html_to_pdf(html, base_dir=default_templates_dir(), created=dt.date(2026, 11, 25), fetcher=fetcher)
    assert set(fetcher.refused) == {PASSWD, "http://127.0.0.1:9/x"}
