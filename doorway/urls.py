from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from doorway.api import second_factor
from doorway.web import language

urlpatterns = [
    # allauth's own pages for turning off the authenticator app and making new recovery
    # codes, with her API tokens revoked too; matched before allauth's.
    path(
        "accounts/2fa/totp/deactivate/",
        second_factor.deactivate_totp,
        name="mfa_deactivate_totp",
    ),
    path(
        "accounts/2fa/recovery-codes/generate/",
        second_factor.generate_recovery_codes,
        name="mfa_generate_recovery_codes",
    ),
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # Her own copy (subject access), under her record.
    path("participants/<uuid:participant_id>/copy/", include("doorway.subject_access.urls")),
    # What left Doorway about her (her disclosure log), under her record.
    path(
        "participants/<uuid:participant_id>/disclosures/",
        include("doorway.participants.disclosures.urls"),
    ),
    # The signed copy of one of her consents, under her record.
    path(
        "participants/<uuid:participant_id>/consents/<uuid:consent_id>/signed-copy/",
        include("doorway.signed_copies.urls"),
    ),
    path("participants/", include("doorway.participants.urls")),
    path("enrolments/", include("doorway.enrolment_page")),
    path("programs/", include("doorway.web.configuration.urls")),
    path("instruments/", include("doorway.instruments.setup.urls")),
    path("caseload/", include("doorway.caseload.urls")),
    # A fidelity review of a program, before the evaluation's own "<program>/" pages.
    path(
        "evaluation/<slug:program_slug>/fidelity-review/",
        include("doorway.fidelity_review.urls"),
    ),
    path("evaluation/", include("doorway.evaluation.urls")),
    path("dropins/", include("doorway.dropins.urls")),
    path("outreach/", include("doorway.casework.outreach.urls")),
    path("supervision/", include("doorway.casework.supervision.urls")),
    path("drafts/", include("doorway.drafts.urls")),
    path("audit/", include("doorway.web.audit_urls")),
    path("staff/", include("doorway.people.staff.urls")),
    path("api/v1/", include("doorway.api_urls")),
    path("tokens/", include("doorway.api.page_urls")),
    path("imports/", include("doorway.exchange.imports.urls")),
    path("exports/", include("doorway.exchange.exports.urls")),
    path("erasure/", include("doorway.erasure.urls")),
    # A partner agency's referral link: no sign-in, the token is the key (partner_page.py).
    path("r/", include("doorway.partner_page")),
    path("", include("doorway.web.urls")),
]

# Errors: problem+json under /api/, pages elsewhere; 413 and 503 told apart from a bug.
handler400 = "doorway.web.errors.bad_request"
handler403 = "doorway.web.errors.permission_denied"
handler404 = "doorway.web.errors.page_not_found"
handler500 = "doorway.web.errors.server_error"
