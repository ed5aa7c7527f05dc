"""The virus scan: a clean file, an infected one, no ClamAV installed, a scanner that
cannot scan (the next one is tried; none able: the upload is refused), and the real
ClamAV with the EICAR test string where it is installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from doorway.signed_copies import actions, scanner
from doorway.signed_copies.tests.conftest import FAKE_VIRUS, PDF, make_scanner

# The EICAR test file: every antivirus reports it, and it does no harm.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def test_a_clean_file_is_clean_and_names_its_scanner(fake_clamscan: Path) -> None:
    verdict = scanner.scan(PDF)
    assert (verdict.outcome, verdict.scanner, verdict.infected) == ("clean", "clamscan", False)


def test_an_infected_file_names_what_was_found(fake_clamscan: Path) -> None:
    verdict = scanner.scan(PDF + FAKE_VIRUS)
    assert verdict.infected
    assert verdict.found == "Doorway-Test-Signature"


def test_without_clamav_nothing_is_scanned(no_clamav: None) -> None:
    assert scanner.installed() == []
    assert scanner.scan(PDF).outcome == "not_scanned"


def test_a_scanner_that_cannot_scan_hands_over_to_the_next(tmp_path: Path, settings) -> None:
    broken = make_scanner(tmp_path, "clamdscan", clean_status=2)
    working = make_scanner(tmp_path, "clamscan")
    settings.SIGNED_COPY_SCANNERS = [str(broken), str(working)]
    assert scanner.scan(PDF) == scanner.Verdict("clean", scanner="clamscan")
    assert scanner.scan(PDF + FAKE_VIRUS).infected


def test_when_no_installed_scanner_can_scan_the_upload_is_refused(tmp_path: Path, settings) -> None:
    settings.SIGNED_COPY_SCANNERS = [str(make_scanner(tmp_path, "clamdscan", clean_status=2))]
    assert scanner.scan(PDF).outcome == "failed"
    with pytest.raises(ValidationError) as refused:
        actions.check(PDF)
    assert "could not run" in refused.value.messages[0]


def test_the_bytes_reach_the_scanner_on_its_standard_input(tmp_path: Path, settings) -> None:
    """Nothing is written for the scanner to read: a script that only sees its stdin
    finds the signature."""
    settings.SIGNED_COPY_SCANNERS = [str(make_scanner(tmp_path, "clamscan"))]
    assert scanner.scan(b"%PDF-1.4 " + FAKE_VIRUS).infected
    assert list(tmp_path.iterdir()) == [tmp_path / "clamscan"]


@pytest.mark.skipif(
    not (shutil.which("clamdscan") or shutil.which("clamscan")),
    reason="ClamAV (Debian's clamav) is not installed here; CI does not install it, as "
    "its signatures need the network",
)
def test_clamav_itself_finds_the_eicar_test_file(settings) -> None:
    settings.SIGNED_COPY_SCANNERS = ["clamdscan", "clamscan"]
    verdict = scanner.scan(EICAR)
    if verdict.outcome == "failed":
        pytest.skip("ClamAV is installed but could not scan (no signatures downloaded yet)")
    assert verdict.infected, verdict
    assert "Eicar" in verdict.found or "EICAR" in verdict.found.upper()
