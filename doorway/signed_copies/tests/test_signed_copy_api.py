"""The API's signed copy: a multipart upload and the file's download, under the same
rules as the pages, and in the OpenAPI schema."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.people.models import Consent
from doorway.signed_copies.models import SignedCopy
from doorway.signed_copies.tests.conftest import FAKE_VIRUS, PDF, PNG, MakeClient


def url(consent: Consent) -> str:
    return f"/api/v1/consents/{consent.pk}/signed-copy/"


def upload(client: APIClient, consent: Consent, data: bytes, **extra: object) -> Any:
    body = {"file": SimpleUploadedFile("scan.pdf", data), **extra}
    return client.post(url(consent), body, format="multipart")


def test_a_case_manager_attaches_and_downloads_through_the_api(
    token_client: MakeClient, world: World, consent: Consent, fake_clamscan: Path
) -> None:
    client = token_client(world.alice)
    response = upload(client, consent, PDF)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["consent"] == str(consent.pk)
    assert (body["file_type"], body["size"], body["scan"]) == ("application/pdf", len(PDF), "clean")
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["uploaded_by"]["id"] == str(world.alice.pk)
    got = client.get(url(consent))
    assert got.status_code == 200
    assert got.content == PDF
    assert got["Content-Type"] == "application/pdf"
    assert got["Content-Disposition"].startswith("attachment; ")
    assert "no-store" in got["Cache-Control"]
    assert got["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="view", detail__via="api").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"GIF89a not taken", "not a PDF, JPEG or PNG"),
        (PDF + FAKE_VIRUS, "The virus scan found Doorway-Test-Signature"),
    ],
    ids=["empty", "gif", "infected"],
)
def test_a_bad_file_is_a_400_that_saves_nothing(
    token_client: MakeClient,
    world: World,
    consent: Consent,
    fake_clamscan: Path,
    data: bytes,
    message: str,
) -> None:
    response = upload(token_client(world.alice), consent, data)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert message in response.json()["errors"]["file"][0]
    assert not SignedCopy.objects.exists()


def test_too_large_unknown_fields_and_no_file_are_refused(
    token_client: MakeClient, world: World, consent: Consent, no_clamav: None, settings
) -> None:
    client = token_client(world.alice)
    settings.SIGNED_COPY_MAX_BYTES = 1024 * 1024
    too_big = upload(client, consent, PDF + b"0" * (1024 * 1024))
    assert too_big.status_code == 400
    assert "larger than 1 MB" in too_big.json()["errors"]["file"][0]
    assert upload(client, consent, PNG, note="hello").status_code == 400
    assert client.post(url(consent), {}, format="multipart").status_code == 400
    assert client.post(url(consent), {"file": "x"}, format="json").status_code == 415
    assert not SignedCopy.objects.exists()


def test_no_copy_attached_answers_404(
    token_client: MakeClient, world: World, consent: Consent
) -> None:
    assert token_client(world.alice).get(url(consent)).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("pat", 403), ("eve", 403), ("ada", 403), ("bianca", 404), ("oscar", 404)],
    ids=["peer-mentor", "evaluator", "administrator", "other-team", "other-agency"],
)
def test_those_who_do_not_record_her_consents_are_refused(
    token_client: MakeClient,
    world: World,
    consent: Consent,
    no_clamav: None,
    who: str,
    status: int,
) -> None:
    upload(token_client(world.alice), consent, PDF)
    client = token_client(world.staff()[who])
    refused = AuditEntry.objects.filter(action="refused").count()
    assert upload(client, consent, PNG).status_code == status
    assert client.get(url(consent)).status_code == status
    assert SignedCopy.objects.get().data == PDF
    if status == 404:
        assert AuditEntry.objects.filter(action="refused").count() == refused + 2


def test_a_read_only_token_downloads_but_does_not_attach(
    token_client: MakeClient, world: World, consent: Consent, no_clamav: None
) -> None:
    upload(token_client(world.alice), consent, PDF)
    reader = token_client(world.alice, scope="read")
    assert upload(reader, consent, PNG).status_code == 403
    assert reader.get(url(consent)).content == PDF


def test_the_schema_documents_the_upload_and_the_download(db: None) -> None:
    schema = APIClient().get("/api/v1/schema/").json()
    path = schema["paths"]["/api/v1/consents/{consent_id}/signed-copy/"]
    assert set(path["post"]["requestBody"]["content"]) == {"multipart/form-data"}
    assert set(path["get"]["responses"]["200"]["content"]) == {
        "application/pdf",
        "image/jpeg",
        "image/png",
    }
    assert path["post"]["responses"]["201"]["content"]["application/json"]


def test_a_large_scan_sent_to_the_api_is_read_in_memory_only(
    token_client: MakeClient, world: World, consent: Consent, no_clamav: None, monkeypatch
) -> None:
    from django.core.files.uploadedfile import TemporaryUploadedFile

    def no_temporary_file(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scan was written to a temporary file")

    monkeypatch.setattr(TemporaryUploadedFile, "__init__", no_temporary_file)
    big = PDF + b"0" * (4 * 1024 * 1024)
    assert upload(token_client(world.alice), consent, big).status_code == 201
    assert SignedCopy.objects.get().size == len(big)
