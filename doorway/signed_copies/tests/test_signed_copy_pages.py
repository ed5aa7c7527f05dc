"""Attaching a signed copy on her record, and downloading it.

Her case manager attaches a scan from the consent on her page; it is kept encrypted,
with its type, size, SHA-256, who attached it and the scan's result; the download is an
attachment that is not cached or sniffed, and is audited. A wrong, empty, oversized or
infected file is refused with a clear message and changes nothing. Only those who
record her consents attach or open it; everyone else is refused, and a consent out of
reach answers 404, audited."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.people.actions import break_the_glass
from doorway.people.models import Consent, ConsentKind
from doorway.signed_copies.models import Scan, SignedCopy
from doorway.signed_copies.tests.conftest import FAKE_VIRUS, JPEG, PDF, PNG, SECRET_LINE
from doorway.testing.factories import ConsentFactory
from doorway.testing.signin import signed_in


def upload_url(consent: Consent) -> str:
    return reverse("signed_copy", args=[consent.participant_id, consent.pk])


def download_url(consent: Consent) -> str:
    return reverse("signed_copy_download", args=[consent.participant_id, consent.pk])


def attach(client: Client, consent: Consent, data: bytes, name: str = "form.pdf") -> Any:
    return client.post(upload_url(consent), {"file": SimpleUploadedFile(name, data)})


def test_her_case_manager_attaches_a_scan_and_it_is_kept_encrypted(
    client: Client, world: World, consent: Consent, no_clamav: None
) -> None:
    signed_in(client, world.alice)
    response = attach(client, consent, PDF, name="Rosa Example consent.pdf")
    assert response.status_code == 302
    assert response["Location"] == reverse("participant_detail", args=[world.rosa.pk])
    copy = SignedCopy.objects.get(consent=consent)
    assert copy.data == PDF
    assert (copy.file_type, copy.size) == ("application/pdf", len(PDF))
    assert copy.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (copy.scan, copy.scanner, copy.uploaded_by) == (Scan.NOT_SCANNED, "", world.alice)
    # In the database: a token, not a byte of the form, nor its base64.
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM signed_copies_signedcopy")
        (stored,) = cursor.fetchone()
    assert SECRET_LINE.decode() not in stored
    assert "U2lnbmVk" not in stored
    entry = AuditEntry.objects.filter(object_type="signed_copies.SignedCopy").get()
    assert entry.action == "create"
    assert entry.participant_id == str(world.rosa.pk)
    assert entry.detail["sha256"] == copy.sha256
    assert "Rosa" not in str(entry.detail)


def test_her_page_shows_the_copy_on_file_and_the_form_next_to_each_consent(
    client: Client, world: World, consent: Consent, no_clamav: None
) -> None:
    signed_in(client, world.alice)
    page = client.get(reverse("participant_detail", args=[world.rosa.pk])).content.decode()
    assert upload_url(consent) in page
    assert 'enctype="multipart/form-data"' in page
    assert "Signed copy on file" not in page
    attach(client, consent, PNG, name="scan.png")
    page = client.get(reverse("participant_detail", args=[world.rosa.pk])).content.decode()
    assert "Signed copy on file" in page
    assert "Not scanned: ClamAV is not installed" in page
    assert download_url(consent) in page
    assert "Replace the signed copy" in page


def test_the_download_is_an_uncached_attachment_of_the_file_and_audited(
    client: Client, world: World, consent: Consent, fake_clamscan: Path
) -> None:
    signed_in(client, world.morgan)
    attach(client, consent, JPEG, name="photo.jpeg")
    copy = SignedCopy.objects.get()
    assert (copy.scan, copy.scanner) == (Scan.CLEAN, "clamscan")
    response = client.get(download_url(consent))
    assert response.status_code == 200
    assert response.content == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == (
        f'attachment; filename="signed-consent-{world.rosa.code}-'
        f'{consent.given_on.isoformat()}.jpg"'
    )
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    read = AuditEntry.objects.filter(action="view", object_id=str(copy.pk)).get()
    assert read.detail["downloaded"] is True
    assert read.actor_username == "morgan"


def test_its_own_page_says_what_is_on_file(
    client: Client, world: World, consent: Consent, fake_clamscan: Path
) -> None:
    signed_in(client, world.alice)
    attach(client, consent, PDF)
    page = client.get(upload_url(consent)).content.decode()
    assert hashlib.sha256(PDF).hexdigest() in page
    assert "Scanned with ClamAV: no virus found" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"MZ\x90\x00 an executable, named as a PDF", "not a PDF, JPEG or PNG"),
        (b"<html><script>alert(1)</script></html>", "not a PDF, JPEG or PNG"),
        (PDF + FAKE_VIRUS, "The virus scan found Doorway-Test-Signature in this file"),
    ],
    ids=["empty", "executable", "html", "infected"],
)
def test_a_bad_file_is_refused_plainly_and_nothing_changes(
    client: Client,
    world: World,
    consent: Consent,
    fake_clamscan: Path,
    data: bytes,
    message: str,
) -> None:
    signed_in(client, world.alice)
    attach(client, consent, PNG)
    before = SignedCopy.objects.values_list("content", "sha256").get()
    written = AuditEntry.objects.exclude(action="view").count()
    response = attach(client, consent, data, name="form.pdf")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert SignedCopy.objects.values_list("content", "sha256").get() == before
    assert AuditEntry.objects.exclude(action="view").count() == written


def test_a_file_over_the_limit_is_refused_with_the_limit_named(
    client: Client, world: World, consent: Consent, no_clamav: None, settings
) -> None:
    settings.SIGNED_COPY_MAX_BYTES = 1024 * 1024
    signed_in(client, world.alice)
    response = attach(client, consent, PDF + b"0" * (1024 * 1024))
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert not SignedCopy.objects.exists()


def test_a_large_scan_is_read_in_memory_never_into_a_temporary_file(
    client: Client, world: World, consent: Consent, no_clamav: None, monkeypatch
) -> None:
    """Django writes an upload over 2.5 MB to a temporary file in plain; not this one."""

    def no_temporary_file(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scan was written to a temporary file")

    monkeypatch.setattr(TemporaryUploadedFile, "__init__", no_temporary_file)
    signed_in(client, world.alice)
    big = PDF + b"0" * (4 * 1024 * 1024)
    assert attach(client, consent, big).status_code == 302
    assert SignedCopy.objects.get().size == len(big)


def test_a_new_copy_replaces_the_one_before(
    client: Client, world: World, consent: Consent, no_clamav: None
) -> None:
    signed_in(client, world.alice)
    attach(client, consent, PNG)
    first = SignedCopy.objects.get()
    attach(client, consent, PDF)
    copy = SignedCopy.objects.get()
    assert copy.pk == first.pk
    assert copy.data == PDF
    assert AuditEntry.objects.filter(object_id=str(copy.pk), action="change").count() == 1


def test_the_form_is_checked_for_its_csrf_token(
    world: World, consent: Consent, no_clamav: None
) -> None:
    client = Client(enforce_csrf_checks=True)
    signed_in(client, world.alice)
    assert attach(client, consent, PDF).status_code == 403
    assert not SignedCopy.objects.exists()
    form = client.get(upload_url(consent)).content.decode()
    token = form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(
        upload_url(consent),
        {"file": SimpleUploadedFile("f.pdf", PDF), "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert SignedCopy.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("pat", 403), ("eve", 404), ("bianca", 404), ("oscar", 404), ("ada", 404)],
    ids=["peer-mentor", "evaluator", "other-team", "other-agency", "administrator"],
)
def test_those_who_do_not_record_her_consents_neither_attach_nor_download(
    client: Client, world: World, consent: Consent, no_clamav: None, who: str, status: int
) -> None:
    signed_in(client, world.alice)
    attach(client, consent, PDF)
    client.logout()
    signed_in(client, world.staff()[who])
    refused = AuditEntry.objects.filter(action="refused").count()
    assert attach(client, consent, PNG).status_code == status
    assert client.get(download_url(consent)).status_code == status
    assert client.get(upload_url(consent)).status_code == status
    assert SignedCopy.objects.get().data == PDF
    if status == 404:
        assert AuditEntry.objects.filter(action="refused").count() == refused + 3


def test_an_administrator_who_broke_the_glass_still_does_not_open_it(
    client: Client, world: World, consent: Consent, no_clamav: None
) -> None:
    signed_in(client, world.alice)
    attach(client, consent, PDF)
    break_the_glass(world.rosa, by=world.ada, reason="Subpoena received, checking dates")
    signed_in(client, world.ada)
    assert client.get(download_url(consent)).status_code == 403
    assert attach(client, consent, PNG).status_code == 403
    page = client.get(reverse("participant_detail", args=[world.rosa.pk])).content.decode()
    assert "Signed copy on file" in page
    assert download_url(consent) not in page


def test_a_consent_that_is_not_hers_is_not_reached_through_her_record(
    client: Client, world: World, no_clamav: None
) -> None:
    """Uma's consent (another team's) asked for under Rosa's record: 404, audited."""
    umas = world.uma.consents.get()
    signed_in(client, world.alice)
    refused = AuditEntry.objects.filter(action="refused").count()
    guessed = reverse("signed_copy_download", args=[world.rosa.pk, umas.pk])
    assert client.get(guessed).status_code == 404
    assert (
        client.post(
            reverse("signed_copy", args=[world.rosa.pk, umas.pk]),
            {"file": SimpleUploadedFile("f.pdf", PDF)},
        ).status_code
        == 404
    )
    assert AuditEntry.objects.filter(action="refused").count() == refused + 2
    assert not SignedCopy.objects.exists()


def test_a_consent_to_share_takes_a_copy_too(client: Client, world: World, no_clamav: None) -> None:
    sharing = ConsentFactory(
        participant=world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner_kind="housing",
        scope=["plan"],
        recorded_by=world.alice,
    )
    signed_in(client, world.alice)
    assert attach(client, sharing, PDF).status_code == 302
    assert client.get(download_url(sharing)).content == PDF


def test_no_copy_attached_downloads_nothing(client: Client, world: World, consent: Consent) -> None:
    signed_in(client, world.alice)
    response = client.get(download_url(consent))
    assert response.status_code == 404
    assert "No signed copy is attached to this consent." in response.content.decode()
