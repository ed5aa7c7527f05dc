"""The disclosure log: every time her information leaves Doorway, what left, to whom,
and under which consent (Green River's release-of-information record is the model).

Written by `doorway.disclosures.log.record_disclosure` from each path out: a referral's
shared fields, a partner opening a referral link, an export containing her, a printed
plan, her own copy. Shown on her record and included in her copy.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from doorway.disclosures import what
from doorway.people.models import Consent, Participant, User
from doorway.programs.models import PartnerAgency


class Channel(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    PARTNER_LINK = "partner_link", _("Referral link opened by the partner")
    # "Export" alone is also a button's verb elsewhere: the context keeps the noun apart.
    EXPORT = "export", pgettext_lazy("how her information left", "Export")
    PRINT = "print", _("Printed")
    SUBJECT_ACCESS = "subject_access", _("Her own copy")


class DisclosureQuerySet(models.QuerySet["Disclosure"]):
    def about(self, participant: Participant) -> DisclosureQuerySet:
        return self.filter(participant=participant)

    def as_listed(self) -> DisclosureQuerySet:
        """Newest first, with what each row shows (the partner, the consent and its
        partner, who let it leave) in the same query."""
        return self.select_related("partner", "consent__partner", "by").order_by("-at", "-pk")


class Disclosure(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="disclosures"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    # What left: `SharingScope` values, or the names of an export's columns.
    what = models.JSONField(default=list)
    # To whom: a partner agency, or else a description (never her words or a name of
    # hers): "the worker who downloaded it", "printed for her".
    partner = models.ForeignKey(
        PartnerAgency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient = models.CharField(max_length=200, blank=True)
    # The consent it left under; none where no consent is needed (her own copy, a plan
    # printed for her, an export read only inside the agency).
    consent = models.ForeignKey(
        Consent, on_delete=models.SET_NULL, null=True, blank=True, related_name="disclosures"
    )
    # What it came from, for the record page's link: e.g. ("referrals.referral", id).
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    # Who let it leave; none when a partner opened a link.
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["participant", "at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.at:%Y-%m-%d}"

    def recipient_label(self) -> str:
        """To whom, in the reader's language."""
        return str(self.partner) if self.partner_id else what.recipient_label(self.recipient)

    def what_labels(self) -> list[str]:
        """What left, in the reader's language."""
        return what.what_labels(self.what or [])
