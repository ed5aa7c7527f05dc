"""Doorway settings, read from the environment.

Defaults are the production-safe ones: DEBUG off, secure cookies, HSTS, a strict
Content-Security-Policy. The demo and the tests turn things off explicitly through
environment variables (see `.env.example`); nothing here guesses that it is on a laptop.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.csp import CSP

from doorway.replica import replica_database

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (written by `make demo`, never committed) holds the demo's secrets.
_env_file = Path(env.str("DOORWAY_ENV_FILE", default=str(BASE_DIR / ".env")))
if _env_file.is_file():
    env.read_env(_env_file)

DEBUG = env.bool("DOORWAY_DEBUG", default=False)
# Demo mode: shows a banner on every page and lets the demo accounts skip the second
# factor. Never on in production.
DEMO = env.bool("DOORWAY_DEMO", default=False)

SECRET_KEY = env.str("DOORWAY_SECRET_KEY")
ALLOWED_HOSTS = env.list("DOORWAY_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DOORWAY_CSRF_TRUSTED_ORIGINS", default=[])

# Identifying fields are encrypted with these Fernet keys; the first encrypts, all of
# them decrypt, so keys rotate while Doorway serves (README, "Rotating the field keys").
FIELD_ENCRYPTION_KEYS = env.list("DOORWAY_FIELD_KEYS")
# Keys the blind index used for exact name lookup (HMAC-SHA256).
BLIND_INDEX_KEY = env.str("DOORWAY_BLIND_INDEX_KEY")
# Keys the audit chain, so that whoever can write to the database cannot rebuild it.
AUDIT_CHAIN_KEY = env.str("DOORWAY_AUDIT_KEY")
# Signs the audit log's checkpoints (Ed25519 private key, 32 bytes URL-safe base64),
# written outside the database so that a log cut short is noticed. Empty: no checkpoints
# (`doorway check --deploy` warns).
AUDIT_CHECKPOINT_KEY = env.str("DOORWAY_AUDIT_CHECKPOINT_KEY", default="")
AUDIT_CHECKPOINTS = Path(
    env.str("DOORWAY_AUDIT_CHECKPOINTS", default=str(BASE_DIR / "audit-checkpoints"))
)
# How often the worker seals new audit entries onto the chain and writes a checkpoint.
AUDIT_CHECKPOINT_SECONDS = env.int("DOORWAY_AUDIT_CHECKPOINT_SECONDS", default=60)
# How often the worker counts the kept evaluation reports again (their "as of" time).
REPORT_REFRESH_SECONDS = env.int("DOORWAY_REPORT_REFRESH_SECONDS", default=600)
# The public key (age1…) `doorway backup` encrypts for. Its private half is kept off the
# server; it is none of the keys above. Empty: `doorway backup` refuses to run.
BACKUP_RECIPIENT = env.str("DOORWAY_BACKUP_RECIPIENT", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "django_htmx",
    "simple_history",
    # Before django_tasks_db: its `db_worker` (reconnects, leases) replaces the library's.
    "doorway.worker",
    "django_tasks_db",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "doorway.keys",
    "doorway.audit",
    "doorway.programs",
    "doorway.people",
    "doorway.disclosures",
    "doorway.enrolments",
    "doorway.instruments",
    "doorway.plans",
    "doorway.casework",
    "doorway.drafts",
    "doorway.dropins",
    "doorway.referrals",
    "doorway.caseload",
    "doorway.participants",
    "doorway.evaluation",
    "doorway.exchange",
    "doorway.subject_access",
    "doorway.fidelity_review",
    "doorway.signed_copies",
    "doorway.api",
    "doorway.web",
    "doorway.operations",
    "doorway.erasure",
    "doorway.synth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, except that the quick exit's page never saves the session (web/leave.py).
    "doorway.web.middleware.SessionMiddleware",
    # French or English: the person's choice (cookie), else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A form sent after the session ended keeps its words; a form accepted drops its draft.
    "doorway.drafts.middleware.DraftMiddleware",
    # Her account's language, once she is known (LocaleMiddleware ran before she was).
    "doorway.web.language.AccountLanguageMiddleware",
    # What a signed-in person is shown, and every API answer: Cache-Control: no-store.
    "doorway.web.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's, recording her sessions' last activity at most once a minute.
    "doorway.web.middleware.UserSessionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "doorway.audit.middleware.AuditContextMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "doorway.people.middleware.RequireSecondFactorMiddleware",
    # Last, so that it sees the final answer of every view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "doorway.urls"
WSGI_APPLICATION = "doorway.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "doorway" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "doorway.web.context.doorway",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'doorway.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at the start of a transaction, so two requests
    # appending to the audit chain never read the same previous entry.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A connection kept for a minute instead of one opened per request (about 4 ms each);
    # checked before reuse. With PgBouncer in front (README), set it to 0: the pooler keeps them.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DOORWAY_DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles each large report query anew, 0.3 to 1.4 s apiece (seen at
    # 100,000 participants), more than it ever saves on the app's queries.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

# A PostgreSQL streaming replica (hot standby) for the reports: the evaluation, the funder
# report, the research export and the deployment table read there (doorway/replica.py);
# everything else, and every write, stays on DATABASE_URL. Unset: one database.
_replica = replica_database(
    env.str("DATABASE_REPLICA_URL", default=""), DATABASES["default"], env.db_url_config
)
if _replica is not None:
    DATABASES["replica"] = _replica
DOORWAY_READ_REPLICA = "replica" if _replica is not None else ""
DATABASE_ROUTERS = ["doorway.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Sign-in: staff accounts are made by an administrator; nobody signs themselves up, and
# nobody resets a password by e-mail (an administrator sets a new one). See
# doorway/people/signin.py.
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "doorway.people.signin.StaffAccountAdapter"
ACCOUNT_FORMS = {"reset_password": "doorway.people.signin.NoSelfServicePasswordResetForm"}
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# axes (below) does the locking, per account and per address, and counts failed
# second-factor codes with failed passwords; allauth keeps only its per-address limit
# on how fast failures may come.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip"}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
MFA_ADAPTER = "doorway.people.signin.StaffMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Doorway"
MFA_RECOVERY_CODE_COUNT = 10
# A wrong code is a failed sign-in to axes; a locked account gets nowhere with the right one.
MFA_FORMS = {
    "authenticate": "doorway.people.signin.LockoutAuthenticateForm",
    "reauthenticate": "doorway.people.signin.LockoutReauthenticateForm",
}
# "Trust this browser" would skip the second factor on the next sign-in: not here.
MFA_TRUST_ENABLED = False
USERSESSIONS_ADAPTER = "doorway.people.signin.StaffUserSessionsAdapter"
USERSESSIONS_TRACK_ACTIVITY = True

# Repeated failures (wrong passwords and wrong second-factor codes alike) lock sign-in
# for that account from every address, and for that address whatever the account: one
# who has her password cannot guess codes from many addresses, nor one address guess at
# many accounts. The price: anyone who knows a username can pause it by failing on
# purpose; that is on the audit log, and an administrator lifts the pause in the admin.
AXES_FAILURE_LIMIT = env.int("DOORWAY_SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DOORWAY_SIGNIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Usernames sign in whatever their case, so they are counted whatever their case.
AXES_USERNAME_CALLABLE = "doorway.people.signin.lockout_username"
AXES_RESET_ON_SUCCESS = True
# ...clearing only that account's failures from that address (see LockoutHandler).
AXES_HANDLER = "doorway.people.signin.LockoutHandler"
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_VERBOSE = False
# axes keeps the POST data of failed attempts: never the passwords or codes in it.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "login",
    "password",
    "oldpassword",
    "password1",
    "password2",
    "code",
]
# Behind a proxy, set DOORWAY_TRUSTED_PROXY_COUNT so the client address is read right.
AXES_IPWARE_PROXY_COUNT = env.int("DOORWAY_TRUSTED_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Idle sessions end: a request pushes the expiry forward by this much, at most once a
# minute (doorway.web.middleware.SessionMiddleware), not on every request.
SESSION_COOKIE_AGE = env.int("DOORWAY_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

SECURE_COOKIES = env.bool("DOORWAY_SECURE_COOKIES", default=True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("DOORWAY_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DOORWAY_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DOORWAY_BEHIND_PROXY", default=False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: every script and stylesheet is a vendored file.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "en-ca"
# Toronto is a designated area under Ontario's French Language Services Act: every page,
# message, document and command output is offered in French and English. Dates and
# numbers follow Django's en_CA and fr_CA formats.
LANGUAGES = [("en-ca", "English"), ("fr-ca", "Français")]
# Each package keeps its own catalogue (doorway/<package>/locale/fr), so that work on two
# packages never touches the same file; scripts/messages updates and compiles them. The
# project's own (doorway/locale) comes last: makemessages files each string under the
# first of these whose folder holds it.
LOCALE_PATHS = [*sorted((BASE_DIR / "doorway").glob("*/locale")), BASE_DIR / "doorway" / "locale"]
TIME_ZONE = env.str("DOORWAY_TIME_ZONE", default="America/Toronto")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DOORWAY_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "doorway" / "static"]
# Compressing every static file (gzip and Brotli) at collectstatic takes minutes; off, the
# files are served as they are (a proxy may compress them).
COMPRESS_STATIC = env.bool("DOORWAY_COMPRESS_STATIC", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if COMPRESS_STATIC
            else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        )
    },
}

# Background work (due dates, later reports and exports) runs as Django tasks queued in
# the database and run by `doorway db_worker`: no extra server needed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Sign-in limits, used second-factor codes and API rate counts. Local memory by default
# (each process its own); DOORWAY_CACHE_URL (e.g. redis://host:6379/0) shares them.
CACHES = {"default": env.cache("DOORWAY_CACHE_URL", default="locmemcache://")}

# The JSON API: the same access rule and audit as the pages (doorway/api).
REST_FRAMEWORK = {
    # A personal access token (`Authorization: Bearer dw_…`), else the browser's session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "doorway.api.authentication.AccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Per token, per signed-in person, per address (doorway/api/throttles.py). The counts
    # are kept in the cache: per process unless DOORWAY_CACHE_URL names a shared one.
    "DEFAULT_THROTTLE_CLASSES": [
        "doorway.api.throttles.ApiRateThrottle",
        "doorway.api.throttles.WriteRateThrottle",
        "doorway.api.throttles.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api": env.str("DOORWAY_API_RATE", default="600/min"),
        "api_write": env.str("DOORWAY_API_WRITE_RATE", default="120/min"),
        "api_anonymous": env.str("DOORWAY_API_ANON_RATE", default="60/min"),
        # Refused tokens per address, before every token from there waits.
        "api_bad_token": env.str("DOORWAY_API_BAD_TOKEN_RATE", default="20/min"),
    },
    # Behind a proxy, the client's address is read from X-Forwarded-For, as for sign-in.
    "NUM_PROXIES": env.int("DOORWAY_TRUSTED_PROXY_COUNT", default=0),
    "DEFAULT_PERMISSION_CLASSES": ["doorway.api.permissions.SignedInWithScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["doorway.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "doorway.api.pagination.Pages",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "doorway.api.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Doorway API",
    "DESCRIPTION": (
        "Case management and evaluation for Critical Time Intervention programs.\n\n"
        "**Authentication.** Make a personal access token in Doorway (your account menu, "
        "*API tokens*) and send it as `Authorization: Bearer dw_…`. A token acts as you: "
        "it reaches exactly the records you reach, and a read-only token cannot change "
        "anything (403). An expired or revoked token is answered 401.\n\n"
        "**Errors** are `application/problem+json` (RFC 9457): `type`, `title`, `status`, "
        "`detail`, and for bad input `errors`, keyed by field, in plain words.\n\n"
        "**Changes** need the record's `ETag` in `If-Match` (412 if it changed since you "
        "read it, 428 without it).\n\n"
        "**Lists** are paged: `?page=N&page_size=M` (at most 500).\n\n"
        "**Rate limits** per token: too many requests are answered 429 with `Retry-After`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every error answer documented as a problem+json body (doorway/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "doorway.api.schema.document_problems",
    ],
    # One named enum per choice set, where several fields share a name ("kind", "status").
    "ENUM_NAME_OVERRIDES": {
        "ItemKindEnum": "doorway.instruments.models.ItemKind",
        "TimepointEnum": "doorway.instruments.models.Timepoint",
        "PlanStatusEnum": "doorway.plans.models.Status",
        "ContactKindEnum": "doorway.casework.models.ContactKind",
        "SessionKindEnum": "doorway.dropins.models.SessionKind",
        "ReferralStatusEnum": "doorway.referrals.models.ReferralStatus",
        "ReferralServiceKindEnum": "doorway.referrals.models.SERVICE_KINDS",
        "ConsentKindEnum": "doorway.people.models.ConsentKind",
        "EventKindEnum": "doorway.enrolments.models.EventKind",
        # A partner's services and the kind of partner a consent to share names.
        "ServiceKindEnum": "doorway.programs.models.ServiceKind",
    },
}

# Break the glass: how long an administrator's reasoned access to one participant lasts.
BREAK_GLASS_MINUTES = env.int("DOORWAY_BREAK_GLASS_MINUTES", default=60)
# Likely-duplicate lookups (a name typed at registration) per person per hour.
DUPLICATE_CHECKS_PER_HOUR = env.int("DOORWAY_DUPLICATE_CHECKS_PER_HOUR", default=60)

# A contact's note written more than this many days after the contact is marked late.
LATE_NOTE_DAYS = env.int("DOORWAY_LATE_NOTE_DAYS", default=3)

# Spreadsheet imports (doorway/exchange): the largest file and the most rows accepted,
# how long an unconfirmed upload is kept (encrypted) before it is emptied, and how many
# rows an import may have before it runs in the background instead of in the request.
IMPORT_MAX_BYTES = env.int("DOORWAY_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("DOORWAY_IMPORT_MAX_ROWS", default=50_000)
IMPORT_KEEP_DAYS = env.int("DOORWAY_IMPORT_KEEP_DAYS", default=2)
IMPORT_INLINE_ROWS = env.int("DOORWAY_IMPORT_INLINE_ROWS", default=200)
# A CSV up to this size is read within the request; anything larger, and every
# workbook, is read by the worker.
IMPORT_INLINE_BYTES = env.int("DOORWAY_IMPORT_INLINE_BYTES", default=256 * 1024)

# The signed copy of a consent (doorway/signed_copies): the largest scan taken, and the
# ClamAV commands tried, in order, on each upload (names on PATH, or paths); none of them
# installed: the copy is kept and recorded as not scanned.
SIGNED_COPY_MAX_BYTES = env.int("DOORWAY_SIGNED_COPY_MAX_BYTES", default=10 * 1024 * 1024)
SIGNED_COPY_SCANNERS = env.list("DOORWAY_SIGNED_COPY_SCANNERS", default=["clamdscan", "clamscan"])

# Application logs carry no personal data: request paths hold only opaque ids, and
# Django's error e-mails (which would include request data) are not configured.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DOORWAY_LOG_LEVEL", default="INFO")},
    "loggers": {
        # A failing query's parameters could hold ciphertext or search terms.
        "django.db.backends": {"level": "WARNING", "handlers": ["console"], "propagate": False},
        "axes": {"level": "WARNING"},
        # WeasyPrint narrates every stylesheet it parses, even its own at import.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Refusals (403/404) are in the audit log; here they would be only tracebacks.
        "django.request": {"level": "ERROR", "handlers": ["console"], "propagate": False},
    },
}
ADMINS: list[tuple[str, str]] = []
