"""Staff, teams, participants, their safety flags and consents."""

from __future__ import annotations

import datetime
import secrets
import uuid
from typing import TYPE_CHECKING, ClassVar, Self

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from doorway.encryption import (
    PREFIX_LENGTH,
    EncryptedDateField,
    EncryptedTextField,
    blind_index,
    name_digests,
    name_prefix_digest,
    name_prefix_digests,
    name_words_start,
    normalise,
)
from doorway.people.roles import Role
from doorway.programs.models import Agency, PartnerAgency, Program, ServiceKind

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

    from doorway.enrolments.models import Enrolment


class Language(models.TextChoices):
    """The languages Doorway speaks; each named in itself, as a language menu does."""

    ENGLISH = "en-ca", "English"
    FRENCH = "fr-ca", "Français"


class User(AbstractUser):
    """A staff account. Participants never have one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    # Programs a program manager supervises or an evaluator evaluates; for workers, the
    # programs whose participants they can be assigned.
    programs = models.ManyToManyField(Program, related_name="staff", blank=True)
    # Demo accounts may skip the second factor, and only while DOORWAY_DEMO is on.
    is_demo_account = models.BooleanField(default=False)
    # Blank: her pages follow the browser's language until she chooses one.
    language = models.CharField(max_length=8, choices=Language.choices, blank=True, default="")
    # Whether she has a second factor (an authenticator app): kept equal to allauth's
    # authenticators by `people.signin.sync_second_factor` whenever one is saved or
    # deleted, so that every page reads it from her own row instead of asking for her
    # authenticators (`needs_second_factor`). Making a token still asks them.
    has_second_factor = models.BooleanField(default=False, editable=False)

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]  # django-stubs: a manager made in the class body is UserManager[Self]

    if TYPE_CHECKING:
        teams: RelatedManager[Team]

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else ""


class Team(models.Model):
    """Workers who cover for each other and meet for weekly supervision."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)
    members = models.ManyToManyField(User, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="team_per_agency")]

    def __str__(self) -> str:
        return self.name


# No 0/O, 1/I/L: codes are read aloud and copied by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_participant_code(prefix: str) -> str:
    return f"{prefix}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def with_name(self, name: str, *, preferred_only: bool = False) -> ParticipantQuerySet:
        """Exact (case- and accent-blind) lookup through the blind index: a whole name,
        or a single word of one (each word is indexed too). "Rosa Example" does not find
        everyone named Example. `preferred_only` is for those who may not read her legal
        name or aliases: a search must not confirm a name they could not see."""
        if not normalise(name):
            return self.none()
        return self.filter(_named(name, preferred_only=preferred_only))

    def search(self, term: str, *, preferred_only: bool = False) -> Self:
        """What the participant search finds: a code or its beginning, in any case, a
        name as `with_name` finds it, or names beginning as typed (`_beginning_with`).

        The name is tested on each record (EXISTS on her own digests, through their
        unique index), never as a list of everyone with that name: narrowed first to
        what the searcher reaches, the search reads her few records whatever the size
        of the deployment."""
        matches = models.Q(code__istartswith=term)
        if normalise(term):
            matches |= models.Q(_named(term, preferred_only=preferred_only))
            matches |= models.Q(pk__in=self._beginning_with(term, preferred_only=preferred_only))
        return self.filter(matches)

    def _beginning_with(self, term: str, *, preferred_only: bool) -> list[uuid.UUID]:
        """Those whose names begin as typed ("Ros", "Rosa M"): the prefix digests of the
        typed words of PREFIX_LENGTH letters or more narrow the search to a few women,
        whose names are then read to check every typed word, the short ones too."""
        long_words = [w for w in normalise(term).split() if len(w) >= PREFIX_LENGTH]
        if not long_words:
            return []
        candidates = self.prefetch_related(None).filter(
            *(_prefixed(w, preferred_only=preferred_only) for w in long_words)
        )
        return [
            p.pk
            for p in candidates.only("pk", "legal_name", "preferred_name", "aliases")
            if name_words_start([p.preferred_name] if preferred_only else p.names(), term)
        ]

    def consented_to(self, kind: str, on: datetime.date | None = None) -> ParticipantQuerySet:
        on = on or timezone.localdate()
        return self.filter(
            models.Exists(
                Consent.objects.in_force(on).filter(participant=models.OuterRef("pk"), kind=kind)
            )
        )


def _named(name: str, *, preferred_only: bool) -> models.Exists:
    """She has `name` (or, if `preferred_only`, has it in her preferred name)."""
    digests = NameDigest.objects.filter(participant=models.OuterRef("pk"), digest=blind_index(name))
    if preferred_only:
        digests = digests.filter(preferred=True)
    return models.Exists(digests)


def _prefixed(word: str, *, preferred_only: bool) -> models.Exists:
    """One of her names (or her preferred name) has a word beginning like `word`."""
    digests = NameDigest.objects.filter(
        participant=models.OuterRef("pk"), digest=name_prefix_digest(word)
    )
    if preferred_only:
        digests = digests.filter(preferred=True)
    return models.Exists(digests)


class Participant(models.Model):
    """A woman in the program, known everywhere by her code. What identifies her is
    encrypted, and read only by those the access rule allows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=16, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="participants")
    legal_name = EncryptedTextField(blank=True)
    # The only name a peer mentor sees.
    preferred_name = EncryptedTextField()
    aliases = EncryptedTextField(
        blank=True, help_text=_("Other names she is known by, one a line.")
    )
    date_of_birth = EncryptedDateField(blank=True, null=True)
    phone = EncryptedTextField(blank=True)
    email = EncryptedTextField(blank=True)
    safe_contact = EncryptedTextField(
        blank=True, help_text=_("How and when it is safe to reach her, and what never to do.")
    )
    # When she last said her safe-contact instructions still hold (survivor-safety
    # guidance: check back regularly; the program says how often).
    safe_contact_confirmed_on = models.DateField(null=True, blank=True)
    # What is printed for her (her plan, her star chart) is in this language.
    preferred_language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    registered_at = models.DateTimeField(default=timezone.now, editable=False)
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords(excluded_fields=["registered_at"])

    objects = ParticipantQuerySet.as_manager()

    if TYPE_CHECKING:
        enrolments: RelatedManager[Enrolment]
        safety_flags: RelatedManager[SafetyFlag]
        consents: RelatedManager[Consent]
        name_digests: RelatedManager[NameDigest]

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        # The code only: str() ends up in logs, admin messages and error pages.
        return self.code

    def alias_list(self) -> list[str]:
        return [line.strip() for line in (self.aliases or "").splitlines() if line.strip()]

    def names(self) -> list[str]:
        return [n for n in [self.legal_name, self.preferred_name, *self.alias_list()] if n]

    def age_on(self, day: datetime.date) -> int | None:
        dob = self.date_of_birth
        if dob is None:
            return None
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def refresh_name_index(self) -> None:
        digests = name_digests(*self.names()) | name_prefix_digests(*self.names())
        preferred_name = self.preferred_name or ""
        preferred = name_digests(preferred_name) | name_prefix_digests(preferred_name)
        self.name_digests.exclude(digest__in=digests).delete()
        existing = dict(self.name_digests.values_list("digest", "preferred"))
        NameDigest.objects.bulk_create(
            [
                NameDigest(participant=self, digest=d, preferred=d in preferred)
                for d in digests - existing.keys()
            ]
        )
        # A word that moved between her preferred name and her other names.
        now_preferred = [d for d, was in existing.items() if not was and d in preferred]
        no_longer = [d for d, was in existing.items() if was and d in digests - preferred]
        self.name_digests.filter(digest__in=now_preferred).update(preferred=True)
        self.name_digests.filter(digest__in=no_longer).update(preferred=False)

    def active_flags(self) -> models.QuerySet[SafetyFlag]:
        return self.safety_flags.filter(removed_at__isnull=True)

    def has_consent(
        self, kind: str, partner: PartnerAgency | None = None, on: datetime.date | None = None
    ) -> bool:
        consents = Consent.objects.in_force(on).filter(participant=self, kind=kind)
        if partner is not None:
            consents = consents.filter(partner=partner)
        return consents.exists()

    def sharing_consent(
        self, partner: PartnerAgency, on: datetime.date | None = None
    ) -> Consent | None:
        """Her consent in force to share with this partner: one naming it, else one for
        a kind of service the partner offers; the widest scope first."""
        consents = Consent.objects.in_force(on).filter(
            participant=self, kind=ConsentKind.INFORMATION_SHARING
        )
        named = list(consents.filter(partner=partner))
        by_kind = [
            c
            for c in consents.filter(partner__isnull=True)
            if c.partner_kind in (partner.services or [])
        ]
        candidates = named or by_kind
        if not candidates:
            return None
        return max(candidates, key=lambda c: (len(c.scope or []), c.given_on))

    def may_share_with(
        self, partner: PartnerAgency, on: datetime.date | None = None, scope: str | None = None
    ) -> bool:
        """Her information may go to this partner only while she consents to it, and
        only what that consent's scope names (`SharingScope`)."""
        consent = self.sharing_consent(partner, on)
        return consent is not None and (scope is None or consent.covers(scope))


class NameDigest(models.Model):
    """Blind-index digests of her names, of each word in them, and of each word's first
    letters (`name_prefix_digests`)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="name_digests"
    )
    digest = models.CharField(max_length=64, db_index=True)
    # From her preferred name: the only name peer mentors may search by.
    preferred = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "digest"], name="digest_once")
        ]

    def __str__(self) -> str:
        return self.digest[:12]


class FlagKind(models.TextChoices):
    NO_VOICEMAIL = "no_voicemail", _("No voicemail")
    NO_CONTACT_AT_HOME = "no_contact_at_home", _("Do not contact at home")
    NO_TEXTS = "no_texts", _("No text messages")
    NO_MAIL = "no_mail", _("Do not send mail")
    SAFE_WORD = "safe_word", _("Ask for the safe word before talking")
    SOMEONE_LOOKING = "someone_looking", _("Someone may be looking for her: confirm nothing")
    OTHER = "other", _("Other")


class SafetyFlag(models.Model):
    """A rule everyone who reaches her must follow; shown on every page about her."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="safety_flags"
    )
    kind = models.CharField(max_length=30, choices=FlagKind.choices)
    note = EncryptedTextField(blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["added_at"]

    def __str__(self) -> str:
        return self.get_kind_display()


class ConsentKind(models.TextChoices):
    # To receive the program's services; without it no phase beyond outreach starts.
    SERVICE = "service", _("Service")
    # To be counted in the evaluation research; without it she is in no figure or export.
    EVALUATION = "evaluation", _("Evaluation research")
    # To have her information shared with one named partner agency.
    INFORMATION_SHARING = "information_sharing", _("Information sharing with a partner")


class SharingScope(models.TextChoices):
    """What a consent to share lets leave Doorway."""

    CONTACT_DETAILS = "contact_details", _("Contact details: her name, phone and e-mail")
    ASSESSMENT = "assessment", _("Assessments")
    PLAN = "plan", _("Service plan and goals")


class ConsentQuerySet(models.QuerySet["Consent"]):
    def in_force(self, on: datetime.date | None = None) -> ConsentQuerySet:
        """Given on or before `on`, and neither withdrawn nor lapsed by then."""
        on = on or timezone.localdate()
        return self.filter(given_on__lte=on).filter(
            models.Q(withdrawn_on__isnull=True) | models.Q(withdrawn_on__gt=on),
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gt=on),
        )


class Consent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=30, choices=ConsentKind.choices)
    partner = models.ForeignKey(
        PartnerAgency, on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    # Information sharing names a partner, or else a kind of partner (any housing partner).
    partner_kind = models.CharField(
        max_length=20, choices=ServiceKind.choices, blank=True, default=""
    )
    # Information sharing: what may leave (`SharingScope` values).
    scope = models.JSONField(default=list, blank=True)
    given_on = models.DateField()
    # The day it lapses (no longer in force from that day); none: until withdrawn.
    ends_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    withdrawal_note = EncryptedTextField(blank=True)
    history = HistoricalRecords()

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (
                        models.Q(kind="information_sharing")
                        & (models.Q(partner__isnull=False) | ~models.Q(partner_kind=""))
                    )
                    | (
                        ~models.Q(kind="information_sharing")
                        & models.Q(partner__isnull=True, partner_kind="")
                    )
                ),
                name="partner_named_only_for_information_sharing",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True)
                | models.Q(withdrawn_on__gte=models.F("given_on")),
                name="withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gt=models.F("given_on")),
                name="ends_after_given",
            ),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        if self.kind == ConsentKind.INFORMATION_SHARING:
            return f"{label}: {self.recipient_label()}"
        return label

    def in_force_on(self, day: datetime.date) -> bool:
        return (
            self.given_on <= day
            and (self.withdrawn_on is None or self.withdrawn_on > day)
            and (self.ends_on is None or self.ends_on > day)
        )

    @property
    def in_force_today(self) -> bool:
        return self.in_force_on(timezone.localdate())

    @property
    def lapsed(self) -> bool:
        """Past its end date (and not withdrawn before it)."""
        today = timezone.localdate()
        return (
            self.ends_on is not None
            and self.ends_on <= today
            and (self.withdrawn_on is None or self.withdrawn_on > self.ends_on)
        )

    def days_to_lapse(self, day: datetime.date | None = None) -> int | None:
        """Days from `day` (today) until it lapses, while it is in force and has an end."""
        day = day or timezone.localdate()
        if self.ends_on is None or not self.in_force_on(day):
            return None
        return (self.ends_on - day).days

    def scope_labels(self) -> list[str]:
        return [str(SharingScope(s).label) for s in self.scope or [] if s in SharingScope.values]

    def covers(self, scope: str) -> bool:
        """Whether this consent lets `scope` (a `SharingScope` value) leave Doorway."""
        return scope in (self.scope or [])

    def recipient_label(self) -> str:
        if self.partner_id:
            return str(self.partner)
        return str(_("any %(kind)s partner") % {"kind": ServiceKind(self.partner_kind).label})


class BreakGlass(models.Model):
    """An administrator's reasoned, time-limited access to one participant's record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass_grants")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    # Why she opened it can say as much about the woman as her record: kept encrypted.
    reason = EncryptedTextField()
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("break-the-glass access")
        verbose_name_plural = _("break-the-glass accesses")

    def __str__(self) -> str:
        return f"{self.user} → {self.participant}"


class AccessChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a second administrator")
    APPROVED = "approved", _("Approved and applied")
    DECLINED = "declined", _("Declined")


class AccessChangeRequest(models.Model):
    """A change to a staff account's access that gives record access (or raises her
    privileges): it takes effect only when a second administrator of the same agency,
    neither the one who asked nor the account's owner, approves it.

    `before` and `after` hold the account's access as plain identifiers (role, agency,
    program and team ids, flags), never personal data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(User, on_delete=models.PROTECT, related_name="access_requests")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    reason = EncryptedTextField()
    before = models.JSONField()
    after = models.JSONField()
    # A new temporary password is split: the first half, shown once to the one who
    # asked, waits here (encrypted) until the approver adds the second half; it is
    # cleared when the request is decided. No administrator knows the whole password.
    password_half = EncryptedTextField(blank=True, default="")
    status = models.CharField(
        max_length=10, choices=AccessChangeStatus.choices, default=AccessChangeStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("requested_by")),
                name="access_change_decided_by_another",
            ),
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("subject")),
                name="access_change_not_decided_by_its_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject}: {self.get_status_display()}"
