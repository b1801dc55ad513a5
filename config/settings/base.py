"""Settings shared by every mode. Values come from the environment (see README, 'Production')."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

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
    "techmarket.core",
    "techmarket.accounts",
    "techmarket.reference",
    "techmarket.orgs",
    "techmarket.audit",
    "techmarket.catalog",
    "techmarket.notifications",
    "techmarket.matching",
    "techmarket.needs",
    "techmarket.experts",
    "techmarket.achievements",
    "techmarket.imports",
    "techmarket.api",
    "techmarket.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "techmarket.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "techmarket" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")) or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Cache: Redis when REDIS_URL is set (needed with several web nodes: login lockout and
# rate limits must be shared), otherwise a per-process memory cache.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: tasks run inline (eager) when no broker is configured — the embedded default.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", None)
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE

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
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

# Login protection: after LOGIN_MAX_FAILURES wrong passwords an account is locked for
# LOGIN_LOCKOUT_MINUTES; an IP address may try LOGIN_RATE_PER_IP logins per minute.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
LOGIN_RATE_PER_IP = env_int("LOGIN_RATE_PER_IP", 20)
API_RATE_ANONYMOUS_PER_MINUTE = env_int("API_RATE_ANONYMOUS_PER_MINUTE", 60)
EMAIL_VERIFICATION_MAX_AGE_HOURS = env_int("EMAIL_VERIFICATION_MAX_AGE_HOURS", 72)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}

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
    "purge-import-files": {"task": "techmarket.imports.tasks.import_files_purge_task", "schedule": 3600.0},
}

# Matching (techmarket.matching): the engine index lives in MATCHING_INDEX_DIR (an immutable main
# segment plus an append-only change log, see techmatch/store.py). Lexical signals always; MATCHING_DENSE adds the static distilled vectors and the full-model
# re-scoring once `manage.py matching_build_dense` has built the token table (minutes, once).
MATCHING_INDEX_DIR = Path(env("MATCHING_INDEX_DIR", str(VAR_DIR / "techmatch")) or VAR_DIR / "techmatch")
MATCHING_DENSE = env_bool("MATCHING_DENSE", False)
# At most this many "new match" notifications per user per day (in-site and e-mail).
MATCH_NOTIFY_PER_USER_PER_DAY = env_int("MATCH_NOTIFY_PER_USER_PER_DAY", 5)

# Number of trusted reverse proxies in front of the web nodes (nginx: 1). Login lockout, rate limits
# and audit records then use the client address from X-Forwarded-For instead of the proxy's.
NUM_PROXIES = env_int("NUM_PROXIES", 0)
NINJA_NUM_PROXIES = NUM_PROXIES
