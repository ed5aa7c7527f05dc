"""/api/v1/: every app's resources, the OpenAPI schema and its documentation page.

Each app's `api.py` says what it serves (`register(router)`); this module, mounted by
`doorway.urls` above every app, names each one, in the order of INSTALLED_APPS. The
`api` app below them keeps what they share (viewsets, problems, paging, tokens), and so
never imports an app's resources, not even by looking them up by name. A new app's
resources are added to `RESOURCES` here.
"""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from doorway.api.views import SchemaView, docs
from doorway.casework import api as contacts
from doorway.dropins import api as dropins
from doorway.enrolments import api as enrolments
from doorway.evaluation import api as evaluation
from doorway.fidelity_review import api as fidelity_reviews
from doorway.instruments import api as instruments
from doorway.participants import api as participants
from doorway.participants.disclosures import api as disclosures
from doorway.plans import api as plans
from doorway.referrals import api as referrals
from doorway.signed_copies import api as signed_copies
from doorway.subject_access import api as her_copy
from doorway.web.configuration import api as programs

RESOURCES = (
    programs,
    participants,
    enrolments,
    instruments,
    plans,
    contacts,
    dropins,
    referrals,
    evaluation,
    fidelity_reviews,
    her_copy,
    signed_copies,
    disclosures,
)

# No `.json` format suffixes: the API speaks only JSON, and the router's suffix passed
# a `format` argument that the custom actions (moves, search, attendance…) do not take,
# so each answered 500. A suffixed address is now simply not found (404).
router = DefaultRouter(trailing_slash=True)
router.include_format_suffixes = False

for resources in RESOURCES:
    resources.register(router)

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api_schema"),
    path("docs/", docs, name="api_docs"),
    path("", include(router.urls)),
]
