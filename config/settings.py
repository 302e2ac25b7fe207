"""Settings, all read from the environment (see docs/operations.md for every variable).

Production is the default: unless DJANGO_DEBUG=true, the app refuses to start until every
key, ALLOWED_HOSTS and DATABASE_URL are set, naming each one missing; cookies are secure,
plain HTTP is redirected and HSTS is on. DJANGO_DEBUG=true (`make`, the tests) is for a
developer laptop and the demo: SQLite in var/, throwaway keys derived from a public one.
"""

import base64
import hashlib
import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# Variables of the environment win over the file's; DJANGO_ENV_FILE names another file
# (os.devnull: none at all).
environ.Env.read_env(os.environ.get("DJANGO_ENV_FILE", BASE_DIR / ".env"), overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# What DJANGO_DEBUG chose, kept apart from DEBUG, which test runners turn off: whether
# development keys and demo data (`demo_city`, its published passwords) are allowed.
DEVELOPMENT = DEBUG
_DEV_SECRET = "dev-only-insecure-key-change-me-in-production-0123456789"  # noqa: S105
_missing: list[str] = []


def _required(name: str, development: str) -> str:
    """The variable's value; without DJANGO_DEBUG=true, an unset or empty one (or the
    public development key) is noted for the one message below."""
    value = str(env.str(name, default="")).strip()
    if DEVELOPMENT:
        return value or development
    if not value or value == _DEV_SECRET:
        _missing.append(name)
    return value


def _derived(purpose: str) -> str:
    """A development key: public, since the development secret is."""
    digest = hashlib.sha256(f"{purpose}:{_DEV_SECRET}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


SECRET_KEY = _required("SECRET_KEY", _DEV_SECRET)
# The audit chain is keyed separately so that rotating the session secret never breaks it.
AUDIT_KEY = _required("AUDIT_KEY", _DEV_SECRET)
# Personal data: AES-GCM keys ("id:base64", current first; older ones still decrypt)
# and the key of the lookup hashes.
PII_KEYS = [key.strip() for key in _required("PII_KEYS", "0:" + _derived("pii")).split(",")]
PII_HASH_KEY = _required("PII_HASH_KEY", "hash:" + _DEV_SECRET)
# Passes' QR codes are signed with this Ed25519 key (32 bytes, base64url); guards'
# phones verify them offline with its public key.
GATE_SIGNING_KEY = _required("GATE_SIGNING_KEY", _derived("gates"))
ALLOWED_HOSTS = [
    host.strip()
    for host in _required("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if host.strip()
]
# SQLite is the embedded default of development; PostgreSQL is production's
# (DATABASE_URL=postgres://...). SQLite in production is a choice, so it is named too.
_DATABASE_URL = _required("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jijie.sqlite3'}")
if _missing:
    raise ImproperlyConfigured(
        "Production settings (DJANGO_DEBUG is not true) need these environment variables, "
        f"which are unset or empty: {', '.join(_missing)}. See docs/operations.md; "
        "DJANGO_DEBUG=true runs with public development keys, never in production."
    )
# On PostgreSQL, a scan sent with a bearer token to the lane's own application
# (config/lane.py) is answered in two statements by the gates' scan lane
# (jijie/gates/lane.py), on connections of its own, at most this many a worker process;
# false sends every scan through the API's view.
GATES_FAST_SCAN = env.bool("GATES_FAST_SCAN", default=True)
GATES_LANE_CONNECTIONS = env.int("GATES_LANE_CONNECTIONS", default=4)
# How long the lane's first statement of a lull waits for other scans to go with it.
GATES_LANE_GATHER_MS = env.float("GATES_LANE_GATHER_MS", default=2.0)
# A TrueType font with Chinese glyphs, embedded (subset) in printed pass cards.
PDF_CJK_FONT = env.str("PDF_CJK_FONT", default="/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
# Fonts for the characters PDF_CJK_FONT lacks (rare ones outside the BMP, such as 𠮷),
# the first that has a character drawing it.
PDF_CJK_FALLBACK_FONTS = env.list(
    "PDF_CJK_FALLBACK_FONTS",
    default=[
        "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
        "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
    ],
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "ninja",
    "axes",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    # Jijie, lower layers first (DESIGN.md: a lower app never imports a higher one).
    "jijie.core",
    "jijie.audit",
    "jijie.areas",
    "jijie.accounts",
    "jijie.responses",
    "jijie.residents",
    "jijie.screening",
    "jijie.mobilization",
    "jijie.gates",
    "jijie.duty",
    "jijie.supplies",
    "jijie.funds",
    "jijie.care",
    "jijie.problems",
    "jijie.inspections",
    "jijie.testing",
    "jijie.recognition",
    "jijie.reports",
]

MIDDLEWARE = [
    # First: every later reader of the client's address sees the client, not the proxy.
    "jijie.core.middleware.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: every answer but a static file's is no-store, with the CSP.
    "jijie.core.middleware.ResponseHeadersMiddleware",
    "jijie.core.middleware.ReadSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A password someone else chose, or a second factor the roles need, comes first.
    "jijie.accounts.middleware.AccountSetupMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "config.context_processors.shell",
            ],
        },
    },
]
# Forms draw Django's widgets with their Jinja2 templates (jijie.core.forms.FormRenderer).
FORM_RENDERER = "jijie.core.forms.FormRenderer"

DATABASES = {"default": environ.Env.db_url_config(_DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock between two writers.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif env.int("DB_POOL_SIZE", default=0):
    # Served by ASGI (the scan lane's process, config/lane.py), Django's views run on
    # threads that come and go, and a connection kept by one of them is never used
    # again: connections come from a pool of this many a worker process instead.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DB_POOL_SIZE"),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The ORM binds parameters on the client and never prepares a statement. The few
# hand-written statements of the hot paths (jijie.core.queries.prepared_cursor, and the
# scan lane's own connections) ask PostgreSQL to prepare them once per connection; a
# threshold this high means no other statement is ever prepared by count. Behind a
# pooler that cannot keep prepared statements (PgBouncer in transaction mode before
# 1.21), set DB_PREPARED_STATEMENTS=false.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" and env.bool(
    "DB_PREPARED_STATEMENTS", default=True
):
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Axes pauses a username on an address; the accounts backends pause an address after too
# many failures on any usernames, and audit each failure (jijie/accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "jijie.accounts.backends.AddressThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
    "jijie.accounts.backends.FailedLoginAuditBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after this much idle time: every request that reads the session pushes
# the expiry forward (jijie.core.middleware.ReadSessionMiddleware; Django's
# SESSION_SAVE_EVERY_REQUEST also stored a new session for any unknown cookie).
SESSION_COOKIE_AGE = int(
    timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30)).total_seconds()
)
# A session only read is saved (its expiry pushed) at most this often: the idle time
# above can come out this much short, and a signed-in page read is not a write.
SESSION_TOUCH_SECONDS = env.int("SESSION_TOUCH_SECONDS", default=60)
# ...and, however busy, this long after signing in (jijie.accounts.middleware).
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# TLS is usually ended by the reverse proxy; these say what it guarantees.
# Production defaults to HTTPS only; an intranet that still serves plain HTTP says so
# (SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 SECURE_COOKIES=false), and
# `check --deploy` keeps saying it.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is asked of the browsers by the domain's owner, for the whole domain: it is
# theirs to decide (and `check --deploy` need not remind every deployment of it).
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxies whose X-Forwarded-For names the client (jijie.core.middleware
# .ForwardedForMiddleware); the same variable uvicorn reads for the scan lane.
FORWARDED_ALLOW_IPS = env.list("FORWARDED_ALLOW_IPS", default=["127.0.0.1"])
for _proxy in FORWARDED_ALLOW_IPS:
    try:
        _proxy == "*" or ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"FORWARDED_ALLOW_IPS: {_proxy!r} is not an address or a network"
        ) from None

# Login throttling: a username+address pair is locked out after repeated failures, and an
# address after LOGIN_ADDRESS_FAILURE_LIMIT failures on any usernames (password spraying)
# within the same cool-off. The address limit is higher: a community office signs in
# many people through one address.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# The second factor (TOTP) of roles that reveal or export personal data in full: a code
# verified in the session this recently lets a reveal or an unmasked export go ahead
# ("step-up"); this many wrong codes lock the authenticator for the cool-off.
MFA_STEP_UP_MINUTES = env.int("MFA_STEP_UP_MINUTES", default=15)
MFA_FAILURE_LIMIT = env.int("MFA_FAILURE_LIMIT", default=5)
MFA_LOCKOUT_MINUTES = env.int("MFA_LOCKOUT_MINUTES", default=15)
# A bearer token is made with a fresh second factor by the roles that have one; it
# lives API_TOKEN_DAYS unless its maker chooses otherwise, never more
# than API_TOKEN_MAX_DAYS.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=7)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=30)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names in production (after `collectstatic`).
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# One task API (django_tasks): in-process by default, a database-backed queue in
# production (TASK_BACKEND=database, run `manage.py db_worker`).
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[env.str("TASK_BACKEND", default="immediate")]}}

# An unmasked export must be decided, and once approved downloaded, within this many
# hours; then its file is erased (`manage.py export_purge`, or when it is next opened).
EXPORT_EXPIRY_HOURS = env.int("EXPORT_EXPIRY_HOURS", default=24)
# A role given by someone the requester appointed keeps its holder from approving the
# requester's unmasked exports for this long (a role the requester gave: for ever).
EXPORT_APPOINTMENT_DAYS = env.int("EXPORT_APPOINTMENT_DAYS", default=90)

# Sign-ups through a call-up's public link: posts allowed per client address (an IPv6
# client counts by its /64) and per link within the window (jijie/mobilization/services/
# throttle.py); over either, the page answers 429.
SIGN_UP_ATTEMPTS_PER_ADDRESS = env.int("SIGN_UP_ATTEMPTS_PER_ADDRESS", default=30)
SIGN_UP_ATTEMPTS_PER_LINK = env.int("SIGN_UP_ATTEMPTS_PER_LINK", default=1000)
SIGN_UP_ATTEMPTS_WINDOW_MINUTES = env.int("SIGN_UP_ATTEMPTS_WINDOW_MINUTES", default=10)

# Processes that check the rows of a large import (validation, encryption, pinyin) while
# the importing process writes; 1 checks in that process itself.
IMPORT_WORKERS = env.int("IMPORT_WORKERS", default=os.cpu_count() or 1)
# An uploaded ledger is erased this many hours after its import job's last step (a check
# nobody confirmed, a failed import), and a job still checking or importing this many
# hours after its step began is failed: `manage.py import_purge`, hourly.
REGISTRY_IMPORT_FILE_HOURS = env.int("REGISTRY_IMPORT_FILE_HOURS", default=4)
REGISTRY_IMPORT_STUCK_HOURS = env.int("REGISTRY_IMPORT_STUCK_HOURS", default=2)

# Home isolation follow-ups (jijie/care/rules.py): a slot with no follow-up this long
# after it is due counts as missed; a temperature at or above the limit is a fever; the
# escalation looks back this many days for missed slots.
CARE_GRACE_MINUTES = env.int("CARE_GRACE_MINUTES", default=180)
CARE_FEVER_C = env.str("CARE_FEVER_C", default="37.3")
CARE_ESCALATE_DAYS = env.int("CARE_ESCALATE_DAYS", default=2)

# Problems (jijie/problems/rules.py): the hours a level has to answer a problem, by its
# urgency; unanswered by then it moves one level up with as many hours again.
PROBLEM_HOURS_URGENT = env.int("PROBLEM_HOURS_URGENT", default=2)
PROBLEM_HOURS_NORMAL = env.int("PROBLEM_HOURS_NORMAL", default=24)
PROBLEM_HOURS_LOW = env.int("PROBLEM_HOURS_LOW", default=72)
# A testing site's pace per lane, for its buildings' appointment windows (people an hour:
# 120 is one swab every 30 seconds), and the length of a window's slot in minutes.
TESTING_LANE_PER_HOUR = env.int("TESTING_LANE_PER_HOUR", default=120)
TESTING_SLOT_MINUTES = env.int("TESTING_SLOT_MINUTES", default=30)

# The daily report (jijie/reports): the local time that closes a day's figures, and the
# hours after it each level has to submit its day (by depth: 4 community … 1 city).
REPORT_CUTOFF = env.str("REPORT_CUTOFF", default="18:00")
REPORT_SUBMIT_HOURS = {4: 2, 3: 3, 2: 4, 1: 5}
# The key supplies (重点物资) whose stock on hand the day reports, each by a key that
# stays (`stock_<key>` in the figures and the API) and its name in the catalogue.
REPORT_STOCK_ITEMS = {
    "masks": "医用外科口罩",
    "n95": "N95口罩",
    "suits": "防护服",
    "thermometers": "耳温枪",
    "disinfectant": "84消毒液",
}

# The API is documented at /api/docs with assets served from our own static files.
NINJA_PAGINATION_PER_PAGE = 100

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request logs carry URLs; URLs never carry personal data (DESIGN.md), but
        # Django's 4xx warnings add nothing an operator needs.
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}
