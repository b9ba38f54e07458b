"""The one settings module.

Every value comes from the environment with an embedded default that makes a fresh checkout run:
no environment at all gives SQLite under ``var/``, Celery in eager mode, a local-memory cache and
DEBUG on. ``DATABASE_URL`` switches to PostgreSQL (psycopg 3); ``REDIS_URL`` switches the cache and
the Celery broker to Redis. ``.env.example`` lists every variable.
"""

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn ``postgres://user:pass@host:port/name?opt=v`` or ``sqlite:///path`` into a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": parsed.path or ":memory:"}
    if parsed.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ValueError(f"DATABASE_URL: unsupported scheme {parsed.scheme!r} (use postgres:// or sqlite://)")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(parse_qsl(parsed.query)),
    }


DEBUG = env_bool("DEBUG", True)
# Only a development default: with DEBUG off, config/checks.py refuses this key.
INSECURE_DEV_SECRET_KEY = "dev-insecure-planner-key-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == INSECURE_DEV_SECRET_KEY):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SECRET_KEY is not set and DEBUG is off: refusing to start. Set SECRET_KEY to a long random string "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), or DEBUG=true for development."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "config",
    "catalog",
    "planner",
]

MIDDLEWARE = [
    "config.health.ProbeMiddleware",  # /healthz and /readyz over plain http to 127.0.0.1, whatever ALLOWED_HOSTS says
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "planner.sqlite3",
            # A file (not memory) so a Celery worker process in the tests sees the test database.
            "TEST": {"NAME": BASE_DIR / "var" / "test.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_TIMEOUT = int(os.environ.get("CACHE_TIMEOUT", "600"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",  # Django's, reusing its redis clients
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "planner"),
            "TIMEOUT": CACHE_TIMEOUT,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": CACHE_TIMEOUT,
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# urlize (the browsable API) links bare domains over HTTPS: the default from Django 2028, opted into now.
URLIZE_ASSUME_HTTPS = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Production hardening; all of it is driven by DEBUG and can be overridden by the environment.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (Django's built-in middleware), in every mode so the browser tests exercise it:
# only our own scripts, styles and images; no inline script; no framing.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"

# Celery: no broker configured means tasks run inline (eager), so the site needs no services.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not (REDIS_URL or os.environ.get("CELERY_BROKER_URL")))
CELERY_TASK_EAGER_PROPAGATES = True
# A confirmed GPU CSV import writing more rows than this runs as a Celery task (the admin shows its progress).
CSV_IMPORT_INLINE_ROWS = int(os.environ.get("CSV_IMPORT_INLINE_ROWS", "500"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "900"))
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "840"))
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_RESULT_EXPIRES = 3600

# Catalog refresh (catalog/refresh.py, catalog/sources/). Feeds are off while their URL is empty.
HF_ENDPOINT = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
HF_REFRESH_ENABLED = env_bool("HF_REFRESH_ENABLED", True)
GPU_FEED_URL = os.environ.get("GPU_FEED_URL", "")
PRICE_FEED_URL = os.environ.get("PRICE_FEED_URL", "")
REFRESH_HTTP_TIMEOUT_S = float(os.environ.get("REFRESH_HTTP_TIMEOUT_S", "20"))
# A refused or dropped connection is tried again this many times within one download (catalog.sources.http_client).
REFRESH_HTTP_RETRIES = int(os.environ.get("REFRESH_HTTP_RETRIES", "2"))
# A feed (GPU list, prices) is read up to this size, like the Hub's answers below.
REFRESH_MAX_FEED_BYTES = int(os.environ.get("REFRESH_MAX_FEED_BYTES", str(32 * 1024 * 1024)))
# The whole of one upstream download (connect, headers and every byte of the body), however slowly it trickles.
REFRESH_DEADLINE_S = float(os.environ.get("REFRESH_DEADLINE_S", "120"))
REFRESH_MAX_RETRIES = int(os.environ.get("REFRESH_MAX_RETRIES", "3"))
REFRESH_RETRY_BACKOFF_S = int(os.environ.get("REFRESH_RETRY_BACKOFF_S", "60"))
# A Hub token (read access) lets the refresh and lookups read gated repositories the token's user accepted.
HF_TOKEN = os.environ.get("HF_TOKEN", "")
# Any Hub repository, looked up on demand (planner/lookup.py): a finished lookup is reused for a week, a failed
# one for five minutes; a job queued or running longer than HUB_LOOKUP_STALE_S is taken to be lost and re-queued.
HUB_LOOKUP_MAX_AGE_S = int(os.environ.get("HUB_LOOKUP_MAX_AGE_S", str(7 * 86400)))
HUB_LOOKUP_RETRY_FAILED_S = int(os.environ.get("HUB_LOOKUP_RETRY_FAILED_S", "300"))
HUB_LOOKUP_STALE_S = int(os.environ.get("HUB_LOOKUP_STALE_S", "600"))
# A queue of their own keeps users' lookups from waiting behind a catalog refresh (blank: the default queue).
HUB_LOOKUP_QUEUE = os.environ.get("HUB_LOOKUP_QUEUE", "")
# No Hub answer is read past these sizes (metadata only: weight files are never downloaded).
HUB_MAX_JSON_BYTES = int(os.environ.get("HUB_MAX_JSON_BYTES", str(8 * 1024 * 1024)))
HUB_MAX_FILE_BYTES = int(os.environ.get("HUB_MAX_FILE_BYTES", str(1024 * 1024)))
# JSON request bodies: larger is a 413, nested deeper a 400 (a pasted config.json is ~10 KB and 4 levels deep).
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", str(2 * 1024 * 1024)))
API_MAX_JSON_DEPTH = int(os.environ.get("API_MAX_JSON_DEPTH", "32"))


def _crontab(spec: str):
    """ "minute hour day_of_month month day_of_week" (cron order) for Celery beat."""
    from celery.schedules import crontab

    minute, hour, day_of_month, month, day_of_week = spec.split()
    return crontab(minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month, day_of_week=day_of_week)


CELERY_BEAT_SCHEDULE = {
    "refresh-prices-daily": {
        "task": "catalog.tasks.refresh_source",
        "args": ("price_feed",),
        "schedule": _crontab(os.environ.get("REFRESH_PRICES_CRON", "15 4 * * *")),
    },
    "refresh-gpu-specs-weekly": {
        "task": "catalog.tasks.refresh_source",
        "args": ("gpu_feed",),
        "schedule": _crontab(os.environ.get("REFRESH_SPECS_CRON", "30 4 * * 1")),
    },
    "refresh-hub-weekly": {
        "task": "catalog.tasks.refresh_source",
        "args": ("hf_hub",),
        "schedule": _crontab(os.environ.get("REFRESH_HUB_CRON", "45 4 * * 1")),
    },
    "discover-hub-models-weekly": {
        "task": "planner.tasks.discover_models",
        "schedule": _crontab(os.environ.get("HUB_DISCOVER_CRON", "0 5 * * 1")),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "PAGE_SIZE": 50,
    # Token first: an anonymous write gets 401 with WWW-Authenticate (the session class has no challenge to give).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "config.api.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Proxies in front of the app whose X-Forwarded-For is trusted (0: the throttle keys on the connecting address,
    # so a spoofed header changes nothing). Behind one reverse proxy, set TRUSTED_PROXIES=1.
    "NUM_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": [
        "config.api.AnonThrottle",
        "config.api.UserThrottle",
    ],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "600/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "3000/minute"),
        # Hub lookups, per client, on the API and the site alike: each may cost several Hub requests.
        "lookup": os.environ.get("HUB_LOOKUP_THROTTLE", "20/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GPU compatibility and VRAM planner API",
    "DESCRIPTION": "Which GPUs run which open-weight LLM, at which quantization and context, and how fast.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the drf-spectacular-sidecar package: served by us, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "config.api.add_error_responses"],
}

# Where `manage.py build_fixtures` reads the curated CSVs from.
SEED_DATA_DIR = Path(os.environ.get("SEED_DATA_DIR", BASE_DIR.parent / "shared" / "data"))

# Logs go to stdout: plain text in development, one JSON object per line when LOG_FORMAT=json
# (the default with DEBUG off), for the container's log collector.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logging.JSONFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # huggingface_hub's HTTP client logs every request at INFO: a refresh of 600 models would log 1,200 lines.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
