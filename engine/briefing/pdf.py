"""HTML to PDF with WeasyPrint, reaching nothing but the templates folder.

Deterministic: the document's dates come from the caller (a case's decision date), never
the clock, so the same inputs give the same bytes. Tagged (PDF/UA-1) for accessibility.
"""
from __future__ import annotations

import datetime as dt
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.request import DataHandler, Request, url2pathname

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse


class FetchRefused(ValueError):
    """A resource outside the templates folder was asked for."""


class TemplatesOnlyFetcher(URLFetcher):
    """Serves files under one folder and `data:` URIs; refuses the network and the rest of the file system.

    `served` and `refused` record every URL asked for, so a test can show what was read.
    """

    def __init__(self, root: Path):
        super().__init__(allowed_protocols=("file", "data"))
        self.root = root.resolve()
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            # Decoded in memory (the briefing's charts): no file, no network.
            response = DataHandler().data_open(Request(url))
            self.served.append(url)
            return URLFetcherResponse(url, response.read(), {"Content-Type": response.headers["Content-Type"]})
        if url.startswith("file:"):
            path = Path(url2pathname(url.split("?")[0].split("#")[0].removeprefix("file:"))).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                self.served.append(url)
                # WeasyPrint ignores a stylesheet whose type is not text/css: say what each file is.
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
        self.refused.append(url)
        raise FetchRefused(f"refused to fetch {url}: briefings read only their templates")


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF."""

    name: str
    data: bytes
    description: str


def _at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, 0, 0, tzinfo=dt.timezone.utc)


def html_to_pdf(
    html: str,
    *,
    base_dir: Path,
    created: dt.date,
    attachments: list[Attachment] | tuple[Attachment, ...] = (),
    fetcher: TemplatesOnlyFetcher | None = None,
) -> bytes:
    """Render HTML to tagged PDF bytes; relative URLs resolve inside `base_dir` and nowhere else.

    The HTML should carry `<meta name="dcterms.created">` and `dcterms.modified` dated
    `created`, and `<html lang>` and `<title>`, for reproducible and accessible output.
    Pass a `fetcher` (one for `base_dir`) to see afterwards what was served and refused.
    """
    fetcher = fetcher or TemplatesOnlyFetcher(base_dir)
    stamp = _at_noon(created)
    document = weasyprint.HTML(string=html, base_url=str(base_dir.resolve()) + "/", url_fetcher=fetcher)
    files = [
        weasyprint.Attachment(
            string=a.data, name=a.name, description=a.description, created=stamp, modified=stamp
        )
        for a in attachments
    ]
    # fontTools stamps each embedded font subset with the clock unless SOURCE_DATE_EPOCH is set;
    # set it for this call only, so the process's environment is left as it was.
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp.timestamp()))
    try:
        return document.write_pdf(pdf_variant="pdf/ua-1", attachments=files, uncompressed_pdf=False)
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def pdf_dates_meta(created: dt.date) -> str:
    """The <meta> tags that fix the PDF's dates, for a template's <head>."""
    stamp = _at_noon(created).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f'<meta name="dcterms.created" content="{stamp}">\n'
        f'<meta name="dcterms.modified" content="{stamp}">'
    )
