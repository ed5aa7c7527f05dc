"""Referrals to partner agencies, and their dated status.

A referral moves made → accepted → first appointment attended → service received →
closed; "declined" and "no show" end it early. Each step is a dated `ReferralUpdate`
(with an encrypted note); the referral keeps its current status and its date for
quick lists. `STEPS` is the one place the allowed moves are written.

A partner agency answers without an account through a `PartnerLink` (links.py): HL7's
SDOH Clinical Care referral Task moves requested → accepted | rejected → completed;
here "made" is requested, "accepted" and "declined" are accepted and rejected, and
"first appointment attended" is the partner's last word (the Task's completion).
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorway.encryption import EncryptedTextField
from doorway.enrolments.models import Enrolment
from doorway.people.models import User
from doorway.programs.models import PartnerAgency, ServiceKind

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

# Two weeks without an update and a referral needs chasing.
NO_NEWS_DAYS = 14

# The kinds of service a referral is for (the partner directory's kinds, counselling
# aside: that is the program's own work).
SERVICE_KINDS = [
    (kind.value, kind.label) for kind in ServiceKind if kind != ServiceKind.COUNSELLING
]


class ReferralStatus(models.TextChoices):
    # Sent to the partner.
    MADE = "made", _("Made")
    # The partner agreed to take her on.
    ACCEPTED = "accepted", _("Accepted")
    # She went to her first appointment.
    FIRST_APPOINTMENT = "first_appointment", _("First appointment attended")
    # She received the service.
    SERVICE_RECEIVED = "service_received", _("Service received")
    # Finished: the referral needs nothing more.
    CLOSED = "closed", _("Closed")
    # The partner turned the referral down (final).
    DECLINED = "declined", _("Declined")
    # She did not go (final).
    NO_SHOW = "no_show", _("No show")


S = ReferralStatus
# What may follow each status. Closing is possible at any open step (she no longer
# wants it, the partner closed its file); declined and no show before she is served.
STEPS: dict[str, tuple[str, ...]] = {
    S.MADE: (S.ACCEPTED, S.DECLINED, S.NO_SHOW, S.CLOSED),
    S.ACCEPTED: (S.FIRST_APPOINTMENT, S.DECLINED, S.NO_SHOW, S.CLOSED),
    S.FIRST_APPOINTMENT: (S.SERVICE_RECEIVED, S.CLOSED),
    S.SERVICE_RECEIVED: (S.CLOSED,),
    S.CLOSED: (),
    S.DECLINED: (),
    S.NO_SHOW: (),
}
FINAL = frozenset(status for status, nexts in STEPS.items() if not nexts)
OPEN = tuple(status for status in ReferralStatus.values if status not in FINAL)
# Steps that keep the partner working with her information. After she withdraws her
# consent to share with that partner, these are refused on a sharing referral; the
# steps that end it (closed, declined, no show) stay open so it can be wound up.
SHARING_STEPS = frozenset({S.MADE, S.ACCEPTED, S.FIRST_APPOINTMENT, S.SERVICE_RECEIVED})


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> ReferralQuerySet:
        return self.filter(status__in=OPEN)


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="referrals")
    partner = models.ForeignKey(PartnerAgency, on_delete=models.PROTECT, related_name="referrals")
    service_kind = models.CharField("Kind of service", max_length=20, choices=SERVICE_KINDS)
    # Her information goes to the partner: needs her consent to share with it.
    shares_information = models.BooleanField(default=False)
    made_on = models.DateField()
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.MADE
    )
    # The date of the current status (its latest update).
    status_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ReferralQuerySet.as_manager()

    if TYPE_CHECKING:
        updates: RelatedManager[ReferralUpdate]
        links: RelatedManager[PartnerLink]

    class Meta:
        ordering = ["-made_on", "-created_at"]
        indexes = [models.Index(fields=["enrolment", "status"])]

    def __str__(self) -> str:
        return f"{self.get_service_kind_display()} referral to {self.partner}"

    @property
    def is_open(self) -> bool:
        return self.status not in FINAL

    def next_statuses(self) -> list[ReferralStatus]:
        return [ReferralStatus(s) for s in STEPS[self.status]]

    def news_due_on(self) -> datetime.date:
        """Two weeks after its latest update, whose date is `status_on` (an update is
        never dated before the one it follows)."""
        return self.status_on + datetime.timedelta(days=NO_NEWS_DAYS)


class ReferralUpdate(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    dated_on = models.DateField()
    note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # The partner's own answer through a referral link (recorded_by: the worker who
    # made the link, answerable for it).
    via_link = models.ForeignKey(
        "PartnerLink", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["dated_on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.dated_on:%Y-%m-%d}"


def token_digest(token: str) -> str:
    """What is stored of a partner link's token: its SHA-256. A lookup by the digest
    on a unique index tells nothing of how close a guessed token came."""
    return hashlib.sha256(token.encode()).hexdigest()


class PartnerLink(models.Model):
    """A one-time, expiring link for the partner of a referral to read what her consent
    allows and to answer (accept, decline with a reason, confirm she attended). Only the
    token's digest is kept: the full link is shown once, to the worker who made it.
    Spent by the partner's answer; dead once expired, revoked or spent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="links")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The partner's answer spends it.
    answered_at = models.DateTimeField(null=True, blank=True)
    opened_count = models.PositiveIntegerField(default=0)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Link for {self.referral_id} made {self.created_at:%Y-%m-%d}"

    def state(self, now: datetime.datetime | None = None) -> str:
        """ "revoked", "answered", "expired" or "active"."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.answered_at is not None:
            return "answered"
        if self.expires_at <= now:
            return "expired"
        return "active"

    @property
    def is_active(self) -> bool:
        return self.state() == "active"

    def get_state_display(self) -> str:
        return str(LINK_STATES[self.state()])


LINK_STATES = {
    "active": _("Active"),
    "answered": _("Answered by the partner"),
    "expired": _("Expired"),
    "revoked": _("Revoked"),
}
