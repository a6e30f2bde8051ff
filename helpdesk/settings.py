"""Settings, all from the environment.

With nothing set the product runs on the embedded default: SQLite, the in-memory channel
layer and Celery eager. `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL, the Redis
channel layer, a Redis cache and a Redis broker.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from helpdesk import web_process
from helpdesk.email_config import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string, "
            "or set DEBUG=1 for a local development run."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
RATE_LIMITS_ENABLED = os.environ.get("RATE_LIMITS", "on").strip().lower() not in {"off", "0"}

INSTALLED_APPS = [
    # Django admin, opened to operators whose role is admin (helpdesk/admin_site.py)
    "helpdesk.apps.HelpdeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "channels",
    "operators",
    "chats",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "helpdesk.cors.WidgetCorsMiddleware",
    "helpdesk.middleware.ApiGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "operators.lockout.LoginRateLimitMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
ASGI_APPLICATION = "helpdesk.asgi.application"
AUTH_USER_MODEL = "operators.Operator"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "600")),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USES_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# Web processes take their connections from a pool of at most DB_POOL_MAX
# (helpdesk/web_process.py); 0 turns the pool off. With CONN_HEALTH_CHECKS a connection is
# checked as it leaves the pool, so one broken by a database restart is replaced, not used.
DB_POOL_MAX = int(os.environ.get("DB_POOL_MAX", "20"))
if USES_POSTGRES and web_process.SERVING and DB_POOL_MAX > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them instead
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DB_POOL_MAX),
        "max_size": DB_POOL_MAX,
        "timeout": 10,
    }

# --- Redis: channel layer, cache, Celery ----------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")

# redis-py's defaults (5 s socket timeout, a pool that raises past its size) drop sockets under
# load; these are the options every Redis client of the product uses.
REDIS_CLIENT_OPTIONS: dict[str, Any] = {
    "socket_connect_timeout": 5,
    "socket_timeout": None,
    "socket_keepalive": True,
    "health_check_interval": 15,
    "retry_on_timeout": True,
}

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis's pub/sub layer, telling consumers when a lost subscriber
            # connection was made again (their clients then resume from last_seq)
            "BACKEND": "helpdesk.channel_layer.ResyncingRedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, **REDIS_CLIENT_OPTIONS}],
                # Redis pub/sub channels ignore the database number: the prefix keeps
                # several deployments (or parallel test workers) on one Redis apart.
                "prefix": os.environ.get("CHANNEL_PREFIX", "helpdesk"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "helpdesk",
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            # one channel per process receives every console event (chats.consumers.feed):
            # past the default of 100 waiting messages, the layer would drop them
            "CONFIG": {"capacity": 10_000},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# A task whose worker died unacknowledged is delivered again after this many seconds (the
# tests that kill a worker shorten it; it must exceed the longest task's run time).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300"))
}
CELERY_TIMEZONE = "UTC"
# A Redis restart must not end the worker: nothing of it listens on Redis pub/sub
# (helpdesk/celery_worker.py).
CELERY_WORKER_CONSUMER = "helpdesk.celery_worker:Consumer"
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_BEAT_SCHEDULE = {
    "presence-sweep": {"task": "chats.assignment.tasks.presence_sweep", "schedule": 15.0},
    # Queues held outside business hours drain once their inbox opens.
    "drain-opened-inboxes": {
        "task": "chats.assignment.tasks.drain_opened_inboxes",
        "schedule": 60.0,
    },
    # Conversations idle past their inbox's auto_resolve_after are resolved.
    "auto-resolve-idle": {"task": "chats.tasks.auto_resolve_idle", "schedule": 60.0},
    # Telegram channel posts due now (each published once, whoever else runs this too).
    "telegram-posts": {
        "task": "chats.connectors.telegram.tasks.publish_due_posts",
        "schedule": 10.0,
    },
    # Telegram updates and replies a lost task left behind.
    "telegram-sweep": {"task": "chats.connectors.telegram.tasks.sweep", "schedule": 60.0},
    # Outbound webhooks: the outbox a lost request left, retries come due, day-old given up.
    "webhooks-tick": {"task": "chats.connectors.webhooks.tasks.tick", "schedule": 5.0},
    # Email inboxes' mailboxes read (each by one worker at a time), pending replies resent.
    "email-poll": {
        "task": "chats.connectors.email.tasks.poll_all",
        "schedule": float(os.environ.get("EMAIL_POLL_SECONDS", "30")),
    },
    # Uploads no message claimed within ATTACHMENT_UNCLAIMED_TTL.
    "attachments-unclaimed": {
        "task": "chats.tasks.delete_unclaimed_attachments",
        "schedule": 3600.0,
    },
    "ownership-sweep": {"task": "chats.assignment.tasks.ownership_sweep", "schedule": 30.0},
    "unanswered-reassign": {"task": "chats.assignment.tasks.unanswered_reassign", "schedule": 10.0},
    # Closed days rolled up for the reports (yesterday soon after midnight, changed days).
    "reports-rollup": {"task": "reports.tasks.rollup_closed_days", "schedule": 600.0},
    # Yesterday's figures by email to the supervisors, once a day (reports.daily_summary).
    "reports-daily-summary": {"task": "reports.tasks.send_daily_summaries", "schedule": 900.0},
}

# --- Reports (contract section 5) -----------------------------------------------------------
CURRENCY = os.environ.get("CURRENCY", "RUB").strip().upper() or "RUB"
# A day of the reports is a calendar day here; the nightly rollups are computed in it.
REPORTS_TIME_ZONE = os.environ.get("REPORTS_TIME_ZONE", "Europe/Moscow").strip() or "Europe/Moscow"
try:
    ZoneInfo(REPORTS_TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, such as "Europe"
    raise ImproperlyConfigured(
        f"REPORTS_TIME_ZONE={REPORTS_TIME_ZONE!r} is not an IANA time zone (e.g. Europe/Moscow)."
    ) from None

# The nightly summary goes out once the reports' day reaches this hour.
DAILY_SUMMARY_HOUR = int(os.environ.get("DAILY_SUMMARY_HOUR", "7"))
# Where people reach the helpdesk (links in emails), e.g. https://help.example.com
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").strip().rstrip("/")

# --- Outbound webhooks (contract section 4) --------------------------------------------------
# Hosts webhooks may reach although they are (or resolve to) private, loopback or link-local
# addresses: tests, and private networks the admin trusts. Comma-separated host names or IPs.
WEBHOOK_ALLOWED_HOSTS = [
    host.strip() for host in os.environ.get("WEBHOOK_ALLOWED_HOSTS", "").split(",") if host.strip()
]
# Seconds an endpoint has to answer a delivery.
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "10"))
# How stale a process's knowledge of the registered webhooks may be, in seconds.
WEBHOOK_SUBSCRIPTIONS_TTL = float(os.environ.get("WEBHOOK_SUBSCRIPTIONS_TTL", "2"))

# --- Email -----------------------------------------------------------------------------------
# EMAIL_URL (smtp://user:password@host:587?tls=1, smtps://...:465) or EMAIL_HOST and friends;
# with neither, mail is written to the log (the console backend).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Helpdesk <helpdesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
# Email inboxes (contract section 4): a private CA to trust for their IMAP and SMTP servers,
# beside the system's roots; how often beat polls every mailbox; how long after an unread
# reply a widget visitor who left an email gets it by email.
EMAIL_CA_FILE = os.environ.get("EMAIL_CA_FILE", "").strip()
EMAIL_POLL_SECONDS = float(os.environ.get("EMAIL_POLL_SECONDS", "30"))
EMAIL_CONTINUITY_DELAY = float(os.environ.get("EMAIL_CONTINUITY_DELAY", "120"))
# A mail larger than this is kept by its headers, with a word for the operators.
EMAIL_MAX_BYTES = int(os.environ.get("EMAIL_MAX_BYTES", str(30 * 1024 * 1024)))
_email = email_settings(os.environ)
EMAIL_BACKEND = _email.backend
EMAIL_HOST, EMAIL_PORT = _email.host, _email.port
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _email.user, _email.password
EMAIL_USE_TLS, EMAIL_USE_SSL = _email.use_tls, _email.use_ssl

# --- Auth and security ----------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# The browser tests (tests/live_server.py) run the product with DEBUG=0 over plain http on
# 127.0.0.1, where a browser never sends Secure cookies back: that fixture, and nothing else,
# sets this exact opt-in to let the console's login session work there.
if os.environ.get("INSECURE_COOKIES_FOR_TESTS") == "1":
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'", "ws:", "wss:"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- REST API -------------------------------------------------------------------------------
API_MAX_BODY_BYTES = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "operators.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["helpdesk.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "helpdesk.api_errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "helpdesk.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": "Operator, admin and widget REST API, version 1. Websockets: docs/protocol.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name for a choice set used by several fields (author.kind, author_kind).
    "ENUM_NAME_OVERRIDES": {
        "AuthorKindEnum": "chats.models.AuthorKind",
        "ConversationStatusEnum": "chats.models.ConversationStatus",
        "OperatorStatusEnum": "operators.models.Status",
        "WebhookDeliveryStatusEnum": "chats.models.DeliveryState",
        "WebhookEventEnum": "chats.models.WebhookEventName",
    },
}

# --- Attachments ----------------------------------------------------------------------------
# Files live in Django's default storage: local files under MEDIA_ROOT, or, with
# ATTACHMENTS_S3_BUCKET set (and `pip install ".[s3]"`), an S3-compatible bucket through
# django-storages (docs/operations.md). They are only ever served through signed, expiring
# links checked by the product (`/files/...`), never from a public folder.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
ATTACHMENTS_S3_BUCKET = os.environ.get("ATTACHMENTS_S3_BUCKET", "")
STORAGES: dict[str, Any] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if ATTACHMENTS_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ATTACHMENTS_S3_BUCKET,
            "endpoint_url": os.environ.get("ATTACHMENTS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("ATTACHMENTS_S3_REGION") or None,
            "access_key": os.environ.get("ATTACHMENTS_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("ATTACHMENTS_S3_SECRET_KEY") or None,
            "default_acl": "private",
            "file_overwrite": False,
        },
    }
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
ATTACHMENTS_PER_MESSAGE = 10
# How long a link to a file stays good (seconds); links are renewed in every answer.
ATTACHMENT_URL_TTL = int(os.environ.get("ATTACHMENT_URL_TTL", str(24 * 3600)))
# An upload no message claimed is deleted after this many seconds.
ATTACHMENT_UNCLAIMED_TTL = int(os.environ.get("ATTACHMENT_UNCLAIMED_TTL", str(24 * 3600)))

# --- Telegram -------------------------------------------------------------------------------
# A channel post found "publishing" this long after its claim was left by a worker that died.
TELEGRAM_POST_CLAIM_SECONDS = int(os.environ.get("TELEGRAM_POST_CLAIM_SECONDS", "300"))

# --- Product limits -------------------------------------------------------------------------
MESSAGE_MAX_CHARS = 10_000
CLIENT_ID_MAX_CHARS = 64
WS_MAX_FRAME_BYTES = 64 * 1024
WS_HELLO_TIMEOUT_SECONDS = float(os.environ.get("WS_HELLO_TIMEOUT_SECONDS", "10"))
WS_REVALIDATE_SECONDS = float(os.environ.get("WS_REVALIDATE_SECONDS", "3"))
# New sockets per client address and protocol (widget, console): a burst, then per second.
WS_NEW_SOCKETS_BURST = int(os.environ.get("WS_NEW_SOCKETS_BURST", "120"))
WS_NEW_SOCKETS_PER_SECOND = float(os.environ.get("WS_NEW_SOCKETS_PER_SECOND", "2"))
# Frames a console socket's client has not read yet that may wait in the server; past this the
# socket is closed with 1013 (the client reconnects and reloads over REST).
WS_CONSOLE_BACKLOG_BYTES = int(os.environ.get("WS_CONSOLE_BACKLOG_BYTES", str(1024 * 1024)))
# Widget sockets one visitor may hold open at once in each server process (their tabs).
WS_MAX_SOCKETS_PER_VISITOR = int(os.environ.get("WS_MAX_SOCKETS_PER_VISITOR", "10"))
RATE_LIMIT_BURST = int(os.environ.get("RATE_LIMIT_BURST", "20"))
RATE_LIMIT_PER_SECOND = float(os.environ.get("RATE_LIMIT_PER_SECOND", "1"))
# Per IP address the widget may open this many new sessions (a burst, then per minute).
SESSION_RATE_BURST = int(os.environ.get("SESSION_RATE_BURST", "30"))
SESSION_RATE_PER_MINUTE = float(os.environ.get("SESSION_RATE_PER_MINUTE", "10"))
# The web inbox whose widget `/widget/demo/` shows when the address names none (the front page
# links there); empty: the demo inbox of `seed_demo`, if any.
WIDGET_DEMO_INBOX_KEY = os.environ.get("WIDGET_DEMO_INBOX_KEY", "")
# Sign-in attempts per client address (token endpoint, console and admin login pages together),
# whatever the username: each costs an Argon2 hash. An office behind one address signing in at
# a human pace stays far below; one address spraying thousands of usernames does not.
LOGIN_RATE_BURST = int(os.environ.get("LOGIN_RATE_BURST", "100"))
LOGIN_RATE_PER_MINUTE = float(os.environ.get("LOGIN_RATE_PER_MINUTE", "10"))
OPERATOR_AWAY_GRACE_SECONDS = int(os.environ.get("OPERATOR_AWAY_GRACE_SECONDS", "60"))
OPERATOR_OFFLINE_GRACE_SECONDS = int(os.environ.get("OPERATOR_OFFLINE_GRACE_SECONDS", "900"))
# An offline operator's conversations awaiting a reply go back to the queue after this.
OWNERSHIP_RETURN_GRACE_SECONDS = int(os.environ.get("OWNERSHIP_RETURN_GRACE_SECONDS", "60"))
DB_THREADS = int(os.environ.get("DB_THREADS", "8"))
# Fault injection for tests only (tests/e2e/test_routing_worker_killed.py): when set to a file
# path, the first drain that assigns something creates that file and then waits, its changes
# made but not committed, for ROUTING_TEST_PAUSE_SECONDS, so the test can kill the worker there.
ROUTING_TEST_PAUSE_FILE = os.environ.get("ROUTING_TEST_PAUSE_FILE", "")
ROUTING_TEST_PAUSE_SECONDS = float(os.environ.get("ROUTING_TEST_PAUSE_SECONDS", "30"))

# Group commit of visitors' messages (chats.consumers.writer): how many batches a process
# stores at once, and how many sends one batch takes at most.
GROUP_COMMIT_WRITERS = int(os.environ.get("GROUP_COMMIT_WRITERS", "4"))
GROUP_COMMIT_MAX = int(os.environ.get("GROUP_COMMIT_MAX", "200"))
# The batch's statement is prepared once per connection (planning it took longer than running
# it). Turn off behind a pooler in transaction mode that cannot keep prepared statements.
GROUP_COMMIT_PREPARE = env_bool("GROUP_COMMIT_PREPARE", True)

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
# Served by the ASGI process itself (the contract: one uvicorn serves everything), from the
# source folders, so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}

TESTING = "pytest" in sys.modules
AXES_LOCKOUT_CALLABLE = "operators.lockout.lockout_response"
# The lockout counts an IPv6 client by its /64, as the rate limits do.
AXES_CLIENT_IP_CALLABLE = "operators.lockout.lockout_address"
