"""Writing the disclosure log: one call on each path by which her information leaves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.disclosures.models import Channel, Disclosure
from doorway.people.models import Consent, Participant, User
from doorway.programs.models import PartnerAgency


def record_disclosure(
    participant: Participant | Any,
    *,
    channel: Channel | str,
    what: Sequence[str],
    by: User | None = None,
    partner: PartnerAgency | None = None,
    recipient: str = "",
    consent: Consent | None = None,
    source: models.Model | None = None,
) -> Disclosure:
    """Log that `what` about her left Doorway through `channel`, and audit it.
    `participant` may be an instance or an id."""
    participant_id: Any = getattr(participant, "pk", participant)
    disclosure = Disclosure.objects.create(
        participant_id=participant_id,
        channel=str(channel),
        what=list(what),
        by=by,
        partner=partner,
        recipient=recipient,
        consent=consent,
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "",
    )
    record(
        Action.DISCLOSE,
        actor=by,
        participant=participant_id,
        subject=disclosure,
        detail={"channel": str(channel), "what": list(what)},
    )
    return disclosure


def record_disclosures(
    participant_ids: Iterable[Any],
    *,
    channel: Channel | str,
    what: Sequence[str],
    by: User | None = None,
    recipient: str = "",
    source: models.Model | None = None,
) -> int:
    """One export or list containing many women: one row each, in one insert, and one
    audit entry for the whole (the export's own entry names the count)."""
    rows = [
        Disclosure(
            participant_id=pid,
            channel=str(channel),
            what=list(what),
            by=by,
            recipient=recipient,
            source_type=source._meta.label_lower if source is not None else "",
            source_id=str(source.pk) if source is not None else "",
        )
        for pid in dict.fromkeys(participant_ids)
    ]
    Disclosure.objects.bulk_create(rows, batch_size=1000)
    if rows:
        record(
            Action.DISCLOSE,
            actor=by,
            detail={"channel": str(channel), "what": list(what), "women": len(rows)},
        )
    return len(rows)
