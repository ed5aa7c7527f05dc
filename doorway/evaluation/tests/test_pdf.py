"""The funder report as PDF, and the fetcher that reads only our static files."""

from __future__ import annotations

import pytest
from django.urls import reverse

from doorway.audit.models import AuditEntry
from doorway.evaluation import snapshots
from doorway.evaluation.pdf import BASE_URL, RefusedURL, StaticOnlyFetcher, render_pdf, static_path
from doorway.evaluation.tests.fakes import fake_report
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def test_the_funder_report_pdf_is_a_pdf_and_is_audited(
    client, world, monkeypatch, any_cohort_size
) -> None:
    monkeypatch.setattr(snapshots, "build_report", lambda cohort: fake_report())
    signed_in(client, world.eve)
    response = client.get(reverse("funder_report_pdf", args=[world.program.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    entry = AuditEntry.objects.filter(action="export").get()
    assert entry.detail["export"] == "funder_report_pdf"


def test_the_pdf_from_the_real_report(client, world, any_cohort_size) -> None:
    signed_in(client, world.morgan)
    response = client.get(reverse("funder_report_pdf", args=[world.program.slug]))
    assert response.content.startswith(b"%PDF")


def test_the_fetcher_reads_our_stylesheet() -> None:
    response = StaticOnlyFetcher().fetch(BASE_URL + "static/doorway/funder-report.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/static/doorway/funder-report.css",
        "http://doorway.invalid/static/doorway/funder-report.css",
        "file:///etc/passwd",
        BASE_URL + "static/../settings.py",
        BASE_URL + "static/%2e%2e/settings.py",
        BASE_URL + "media/anything.png",
        BASE_URL + "static/doorway/no-such-file.css",
        "data:text/css,body{}",
    ],
)
def test_the_fetcher_refuses_everything_else(url) -> None:
    with pytest.raises(RefusedURL):
        static_path(url)
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher().fetch(url)


def test_a_page_pointing_outside_still_renders_without_fetching_it(monkeypatch) -> None:
    asked = []
    original = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    pdf = render_pdf(
        '<link rel="stylesheet" href="https://example.com/x.css">'
        '<img src="file:///etc/hostname"><p>Hello</p>'
    )
    assert pdf.startswith(b"%PDF")
    assert asked  # asked, and refused: the PDF is made without them
