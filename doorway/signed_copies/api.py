"""/api/v1/consents/{consent_id}/signed-copy/: the signed copy of a consent.

- `POST`, `multipart/form-data` with one field, `file`: attach it (or replace the one
  attached). Checked as on the page (`actions.check`): not empty, within
  `SIGNED_COPY_MAX_BYTES`, a PDF, JPEG or PNG by its first bytes, no virus found;
  anything else is a 400 that saves nothing. Answers 201 with what is on file.
- `GET`: the file itself, as an attachment, audited as a read of her record.

The same rule as the pages: a role that does not record her consents (a peer mentor,
an evaluator, an administrator) gets 403 before any record is looked up; a consent of a
woman out of reach answers 404, audited, like one that does not exist. The upload is
read in memory only (`uploads.py`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from doorway.api.resources import problems, user_of
from doorway.api.strict import UnknownParameters
from doorway.audit.refusal import refuse
from doorway.enrolments.access import participants_visible_to
from doorway.enrolments.api import StaffSerializer
from doorway.people.models import Consent
from doorway.signed_copies import actions
from doorway.signed_copies.models import FileType, Scan, SignedCopy
from doorway.signed_copies.permissions import REFUSED, handles_signed_copies
from doorway.signed_copies.uploads import InMemoryOnly, accept_in_memory


class SignedCopyUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text="The scan of the signed form: PDF, JPEG or PNG (told by its first bytes).",
    )


class SignedCopySerializer(serializers.ModelSerializer[SignedCopy]):
    file_type = serializers.ChoiceField(choices=FileType.choices, read_only=True)
    scan = serializers.ChoiceField(
        choices=Scan.choices,
        read_only=True,
        help_text="clean: ClamAV found no virus; not_scanned: ClamAV is not installed.",
    )
    scan_label = serializers.CharField(source="get_scan_display", read_only=True)
    uploaded_by = StaffSerializer(read_only=True)

    class Meta:
        model = SignedCopy
        fields = [
            "id",
            "consent",
            "file_type",
            "size",
            "sha256",
            "scan",
            "scan_label",
            "scanner",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = fields


class OneDocument(AutoSchema):
    """The route is the router's list route, but its answer is one file."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


FILE_TYPES = {
    (200, str(file_type)): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
    for file_type in FileType
}


def consent_in_reach(request: Request, consent_id: Any) -> Consent:
    """Her consent, if the caller reaches her; else 404, audited."""
    consent = (
        Consent.objects.filter(
            pk=consent_id, participant__in=participants_visible_to(user_of(request)).values("pk")
        )
        .select_related("participant")
        .first()
    )
    if consent is None:
        refuse(request, object_id=consent_id, object_type="people.Consent")
    return consent


class SignedCopyViewSet(viewsets.ViewSet):
    schema = OneDocument()
    parser_classes = [MultiPartParser]
    upload: InMemoryOnly | None = None
    # Nothing reads its body before it does (doorway.drafts.middleware).
    reads_own_upload = True

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Request:
        # Before authentication (whose CSRF check of a session reads the form) and
        # before the parser: the file stays in memory.
        if request.method == "POST":
            self.upload = accept_in_memory(request)
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not handles_signed_copies(user_of(request)):
            raise exceptions.PermissionDenied(str(REFUSED))
        if request.query_params:
            raise UnknownParameters(set(request.query_params), ())

    @extend_schema(
        operation_id="consents_signed_copy_retrieve",
        summary="Download the signed copy of a consent",
        description="The file attached to the consent (PDF, JPEG or PNG), as an attachment. "
        "Audited as a read of her record. 404 when none is attached. For her case team "
        "and her program's managers.",
        responses={**FILE_TYPES, **problems(400, 401, 403, 404)},
    )
    def list(self, request: Request, consent_id: str | None = None) -> HttpResponse:
        consent = consent_in_reach(request, consent_id)
        copy = SignedCopy.objects.filter(consent=consent).select_related("consent__participant")
        found = copy.first()
        if found is None:
            raise exceptions.NotFound(_("No signed copy is attached to this consent."))
        response = HttpResponse(
            actions.read(found, by=user_of(request), via="api"), content_type=found.file_type
        )
        response["Content-Disposition"] = f'attachment; filename="{actions.filename(found)}"'
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(
        operation_id="consents_signed_copy_create",
        summary="Attach the signed copy of a consent",
        description="multipart/form-data with one field, `file`: the scan of the form she "
        "signed. It must be a PDF, JPEG or PNG (told by its first bytes), not empty and "
        "within the size limit (DOORWAY_SIGNED_COPY_MAX_BYTES); it is checked for viruses "
        "with ClamAV when ClamAV is installed. A refused file saves nothing. A copy already "
        "attached is replaced. Kept encrypted.",
        request={"multipart/form-data": SignedCopyUploadSerializer},
        responses={201: SignedCopySerializer, **problems(400, 401, 403, 404)},
    )
    def create(self, request: Request, consent_id: str | None = None) -> Response:
        consent = consent_in_reach(request, consent_id)
        serializer = SignedCopyUploadSerializer(data=request.data)
        if self.upload is not None and self.upload.too_large:
            raise serializers.ValidationError({"file": [actions.too_large().messages[0]]})
        serializer.is_valid(raise_exception=True)
        try:
            copy = actions.attach(
                consent, serializer.validated_data["file"].read(), by=user_of(request)
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError({"file": error.messages}) from None
        body = SignedCopySerializer(
            SignedCopy.objects.select_related("uploaded_by").defer("content").get(pk=copy.pk)
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    router.register(
        r"consents/(?P<consent_id>[0-9a-f-]{36})/signed-copy",
        SignedCopyViewSet,
        basename="consent-signed-copy",
    )
