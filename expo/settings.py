"""Settings for UMKM Virtual Expo.

One module, every value read from the environment, with defaults that run on a bare machine:
SQLite, the in-memory channel layer, media on local disk, the manual payment provider and e-mail to
the console. Production switches each part on by setting its variable (see README and docs/).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", True)

# The development key is public (it is in this file) and so refused outside DEBUG.
DEVELOPMENT_SECRET_KEY = "dev-insecure-umkm-expo-key-do-not-use-in-production"
SECRET_KEY = env("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0: the development key is public. "
        "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = [
    h.strip() for h in env("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "channels",
    "django_htmx",
    "huey.contrib.djhuey",
    # frontend first: its templates override allauth's layouts and elements.
    "frontend",
    "allauth",
    "allauth.account",
    "expo",
    "booths",
    "events",
    "payments",
    # The expo top: nested apps that may use every app above; nothing imports them.
    "expo.banners",
    "expo.reports",
    "expo.manage",
    "expo.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy: see their block at the end.
    "expo.headers.ContentSecurityPolicyMiddleware",
    "expo.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "expo.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "expo.urls"
ASGI_APPLICATION = "expo.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "csp.context_processors.nonce",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.site",
                "payments.context_processors.cart",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# Under Daphne a long-lived consumer would otherwise keep a stale connection (channels #1206).
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets the task worker and Daphne read while the other writes; a wait beats "locked".
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# PostgreSQL: a pool of connections in each process (psycopg_pool). Under Daphne every request runs
# in a thread of its own, so CONN_MAX_AGE cannot keep a connection between requests; without the
# pool each request opened one (a new backend process on the database's side, a few ms of CPU).
# A request waits for a free connection when DATABASE_POOL_MAX_SIZE are in use; each is checked
# when handed out, so a database restart costs no failed request. 0 turns the pool off; it is off
# by default with DEBUG on (development and tests, whose threads may each hold a connection).
DATABASE_POOL_MAX_SIZE = int(env("DATABASE_POOL_MAX_SIZE", "0" if DEBUG else "20"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_POOL_MAX_SIZE:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # the pool's check when handing one out
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DATABASE_POOL_MAX_SIZE),
        "max_size": DATABASE_POOL_MAX_SIZE,
        "timeout": float(env("DATABASE_POOL_TIMEOUT", "30")),
    }
# The websockets' database work runs in a pool of this many threads per process (events.db), not
# in asgiref's one global thread. SQLite takes one writer at a time: one thread there.
REALTIME_DATABASE_THREADS = int(
    env(
        "REALTIME_DATABASE_THREADS",
        "1" if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else "4",
    )
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, cache and task queue -----------------------------------------------
REDIS_URL = env("REDIS_URL")


def redis_cache(url: str) -> dict[str, object]:
    """The cache on Redis at ``url``. The cache only speeds pages up, it is no dependency: when
    Redis cannot be reached, reads miss and writes are dropped (each logged, and ``/healthz`` says
    the cache is down), so pages are built from the database, slower, instead of failing. ``add``
    then succeeds as on an empty cache (expo.cache), so a lock or a limit on the cache lets the
    action through instead of refusing it: sign-in keeps working during an outage."""
    return {
        "BACKEND": "expo.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "umkm",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "IGNORE_EXCEPTIONS": True,
            # A host that does not answer at all must not hold every page for the system's TCP
            # timeout; a refused connection fails at once anyway.
            "SOCKET_CONNECT_TIMEOUT": float(env("REDIS_CACHE_CONNECT_TIMEOUT", "0.5")),
            "SOCKET_TIMEOUT": float(env("REDIS_CACHE_TIMEOUT", "1")),
        },
    }


# Ignored cache errors are still logged (logger ``django_redis.cache``), so an outage is seen.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# The rate limiter (expo.ratelimit) counts on Redis when there is one, so all processes share it;
# it gives up on a Redis that does not answer as soon as the cache does (then it lets the hit in).
RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
RATELIMIT_REDIS_OPTIONS = {
    "socket_connect_timeout": float(env("REDIS_CACHE_CONNECT_TIMEOUT", "0.5")),
    "socket_timeout": float(env("REDIS_CACHE_TIMEOUT", "1")),
}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "umkm-expo",
        }
    }

# Sessions are read from the shared cache when there is one (a Redis read instead of a query on
# every request) and written through to the database: a cache outage or restart signs nobody out.
# Without Redis each process has its own cache, which another process's writes would leave stale.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# Background work (e-mail, reminders, expiring reservations, long reports): huey. It needs no extra
# service on the embedded default (a SQLite file) and runs on Redis in production, with periodic jobs,
# in one small dependency; Celery would need a broker even for development.
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "umkm-expo",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "umkm-expo",
        "filename": env("HUEY_SQLITE_PATH", str(BASE_DIR / "huey.sqlite3")),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "expo.User"
SITE_ID = 1
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "expo.forms.SignupForm"
ACCOUNT_ADAPTER = "expo.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[UMKM Virtual Expo] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("id", _("Bahasa Indonesia"))]
LOCALE_PATHS = [BASE_DIR / "frontend" / "locale"]
LANGUAGE_COOKIE_NAME = "umkm_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
TIMEZONE_COOKIE_NAME = "umkm_tz"

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Media on S3 lives in two buckets. The public one (product photos, logos, covers, banners) is read
# by anybody through its bucket policy. Vendors' business documents (NIB, permits, certificates) go to
# a bucket of their own that nothing makes public, so no policy on the public bucket can ever expose
# them; they are reached only through short-lived signed URLs, which pages hand out through a
# permission-checked view. docs/deployment.md says which policy each bucket gets.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
AWS_PRIVATE_STORAGE_BUCKET_NAME = env("AWS_PRIVATE_STORAGE_BUCKET_NAME") or (
    f"{AWS_STORAGE_BUCKET_NAME}-private" if AWS_STORAGE_BUCKET_NAME else ""
)
if AWS_STORAGE_BUCKET_NAME and AWS_PRIVATE_STORAGE_BUCKET_NAME == AWS_STORAGE_BUCKET_NAME:
    raise ImproperlyConfigured(
        "AWS_PRIVATE_STORAGE_BUCKET_NAME must name another bucket than AWS_STORAGE_BUCKET_NAME: "
        "business documents never share a bucket with public media."
    )
if AWS_STORAGE_BUCKET_NAME:
    # How to reach S3 (both buckets); what each bucket stores is in s3_storages below.
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL") or None
    AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY") or None
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", "us-east-1")
    AWS_S3_ADDRESSING_STYLE = "path" if AWS_S3_ENDPOINT_URL else "auto"


def s3_storages(*, bucket: str, private_bucket: str) -> dict[str, dict[str, object]]:
    """The ``default`` (public media) and ``private`` (business documents) storages on S3, each in
    its own bucket. No object carries an ACL: access is the buckets' policies' business (S3's
    default for new buckets disables ACLs and refuses uploads that set one). Uploads get random
    names and are never overwritten, so public media is cached for good."""
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "default_acl": None,
                "querystring_auth": False,
                "file_overwrite": False,
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            },
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": private_bucket,
                # The prefix the documents had when they shared the public bucket: moving them
                # over is one copy of that prefix (docs/deployment.md), names unchanged.
                "location": "private",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
                "object_parameters": {"CacheControl": "private, no-store"},
            },
        },
    }


# On disk the documents live outside MEDIA_ROOT, and nothing serves that folder.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
if AWS_STORAGE_BUCKET_NAME:
    MEDIA_STORAGES = s3_storages(
        bucket=AWS_STORAGE_BUCKET_NAME, private_bucket=AWS_PRIVATE_STORAGE_BUCKET_NAME
    )
else:
    MEDIA_STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": str(PRIVATE_MEDIA_ROOT),
                "base_url": "/private-media-is-not-served/",
            },
        },
    }

STORAGES = {
    **MEDIA_STORAGES,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}


# --- E-mail -----------------------------------------------------------------------------------
def email_settings(url: str) -> dict[str, object]:
    """Translate EMAIL_URL (smtp://user:pass@host:port, smtps://…, file:///dir, console:) into settings."""
    if not url or url.startswith("console:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parsed.path),
        }
    if parsed.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parsed.scheme not in {"smtp", "smtps", "submission"}:
        raise ImproperlyConfigured(f"EMAIL_URL scheme {parsed.scheme!r} is not supported")
    query = parse_qs(parsed.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 587),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": parsed.scheme != "smtps" and query.get("tls", ["1"])[0] != "0",
    }


globals().update(email_settings(env("EMAIL_URL")))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "UMKM Virtual Expo <noreply@umkm-expo.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Payments ---------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env("STRIPE_API_BASE")

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = (
    False  # htmx reads the token from the cookie-free meta tag; harmless either way
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "daphne": {"level": "WARNING"},
        "huey": {"level": "WARNING"},
    },
}

PLATFORM_NAME = "UMKM Virtual Expo"


def public_url(value: str) -> str:
    """SITE_URL as links use it: no trailing slash, and a wildcard host (``make run HOST=0.0.0.0``)
    as the loopback address, which a link can reach."""
    parts = urlparse(value.strip().rstrip("/"))
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(f"SITE_URL must be an http(s) address, not {value!r}")
    if parts.hostname in {"0.0.0.0", "::"}:  # noqa: S104 - recognised here to be replaced
        port = f":{parts.port}" if parts.port else ""
        parts = parts._replace(netloc=f"127.0.0.1{port}")
    return parts.geturl()


# The public address: absolute links in e-mails sent outside a request (background jobs), and the
# Sites framework's domain (expo.sites). `make run` and scripts/serve.sh set it from the HOST and
# PORT they serve on (`make run PORT=8101` links to :8101) unless SITE_URL is given.
SITE_URL = public_url(env("SITE_URL", "http://127.0.0.1:8000"))
# How often each process writes its buffered page visits; 0 = only when booths.visits.flush() is called.
VISITS_FLUSH_SECONDS = float(env("VISITS_FLUSH_SECONDS", "5"))

# --- Payments: checkout, stock reservation, providers, settlement (payments/) -----------------
# stripe.js is loaded from here (localstripe's own copy in tests: <STRIPE_API_BASE>/js.stripe.com/v3/).
STRIPE_JS_URL = env("STRIPE_JS_URL", "https://js.stripe.com/v3/")
# The platform's fee on each vendor's net sales, in basis points (250 = 2.5 %); an integer, no floats.
PLATFORM_FEE_BPS = int(env("PLATFORM_FEE_BPS", "0"))
# How long an unpaid card order keeps its stock reserved, and an unconfirmed bank transfer.
RESERVATION_MINUTES = int(env("RESERVATION_MINUTES", "30"))
BANK_TRANSFER_EXPIRY_HOURS = int(env("BANK_TRANSFER_EXPIRY_HOURS", "24"))
# The longest a checkout waits for another buyer's lock on the same stock before "busy, try again".
PAYMENTS_LOCK_TIMEOUT_MS = int(env("PAYMENTS_LOCK_TIMEOUT_MS", "5000"))
# How long a live session or banner visit still counts as the channel of a later order.
ATTRIBUTION_HOURS = int(env("ATTRIBUTION_HOURS", "24"))

# --- Request guard (expo/guard.py): trusted proxies, query strings, request bodies --------------
# How many proxies stand in front of Daphne, each appending the address it saw to X-Forwarded-For
# (nginx alone: 1). 0: Daphne is reached directly and the socket peer is the client. The guard sets
# REMOTE_ADDR from it; Daphne runs without --proxy-headers, which would believe the left-most
# address, the one the client wrote itself (docs/deployment.md, "Proxy and limits").
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT is a number of proxies: 0 or more.")
# allauth's per-IP limits read REMOTE_ADDR, which the guard has already set: its own reading of
# X-Forwarded-For stays off, so that there is one rule.
ALLAUTH_TRUSTED_PROXY_COUNT = 0
# A longer query string is answered 414 (nginx's default buffers refuse past 8 KB as well).
REQUEST_QUERY_LIMIT = 8 * 1024
# Any body over REQUEST_BODY_LIMIT is answered 413 before it is read, except on the upload pages
# (by URL name, or namespace): the most their form accepts, files times each file's documented
# maximum (images 8 MB: booths.images; business documents 5 MB: booths.services.applications; banner
# images 3 MB: expo.banners.services), plus REQUEST_BODY_LIMIT for the other fields and the
# multipart framing. tests/expo/test_guard.py holds these to the forms' own numbers.
_MB = 1024 * 1024
REQUEST_BODY_LIMIT = 1 * _MB
_IMAGE, _DOCUMENT, _BANNER = 8 * _MB, 5 * _MB, 3 * _MB
_ONE_IMAGE = _IMAGE + REQUEST_BODY_LIMIT
REQUEST_BODY_LIMITS = {
    # A vendor's logo, a booth's cover, an expo's hero image.
    "vendor:register": _ONE_IMAGE,
    "vendor:profile": _ONE_IMAGE,
    "vendor:booth_edit": _ONE_IMAGE,
    "manage:expo_create": _ONE_IMAGE,
    "manage:expo_edit": _ONE_IMAGE,
    # Up to 8 product photos at once (booths.services.MAX_PRODUCT_IMAGES).
    "vendor:product_create": 8 * _IMAGE + REQUEST_BODY_LIMIT,
    "vendor:product_edit": 8 * _IMAGE + REQUEST_BODY_LIMIT,
    # An application: three documents and up to 6 photos (booths.services.MAX_APPLICATION_PHOTOS).
    "vendor:apply": 3 * _DOCUMENT + 6 * _IMAGE + REQUEST_BODY_LIMIT,
    "vendor:application": 3 * _DOCUMENT + 6 * _IMAGE + REQUEST_BODY_LIMIT,
    # A banner's two images (English, Indonesian).
    "banners:vendor_banner_new": 2 * _BANNER + REQUEST_BODY_LIMIT,
    "banners:manage_banner_new": 2 * _BANNER + REQUEST_BODY_LIMIT,
    # The admin's largest form: an application's three documents.
    "admin": 3 * _DOCUMENT + REQUEST_BODY_LIMIT,
}
# Refusals under these paths use the data API's JSON error shape; elsewhere plain text.
REQUEST_GUARD_JSON_PATHS = ("/api/",)
# Django's own limits agree with the guard's: the fields of a form other than its files never pass
# the general limit, and a body or file over 2.5 MB is spooled to a temporary file, not memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_LIMIT
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * _MB // 2


# --- Content-Security-Policy and Permissions-Policy (django-csp 4; expo/headers.py) ------------
# Scripts run only from this site's own files (the ES modules of frontend/static/frontend/js/): no
# inline script, no inline style (style="" attributes included), no eval. A template that truly needs
# an inline script gives it nonce="{{ request.csp_nonce }}" (the nonce is then added to script-src;
# never inside a cached fragment, whose nonce would be stale). `<script type="application/json">`
# data blocks are not executed and need no nonce. Other origins are listed only for what the pages
# load. Below: what never changes, with the YouTube and Vimeo players (booths/video.py makes the
# embed URLs). expo.headers.ContentSecurityPolicyMiddleware adds per request what other settings
# and the request decide: stripe.js, its frames and API when STRIPE_SECRET_KEY and
# STRIPE_PUBLISHABLE_KEY are set (from STRIPE_JS_URL and STRIPE_API_BASE: localstripe in tests),
# the S3 buckets' address when media lives there, and the websocket (ws:/wss: of the page's host).
VIDEO_PLAYER_ORIGINS = [
    "https://www.youtube-nocookie.com",
    "https://www.youtube.com",
    "https://player.vimeo.com",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # data: for the small SVGs written into the stylesheets (select arrows).
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": VIDEO_PLAYER_ORIGINS,
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Powerful browser features: camera and microphone for this site itself (video calls), the ones the
# video players ask for in their iframes' allow="" for this site and the players (a frame can only
# be given what its page has), everything else that could track or reach devices for nobody. The
# card field of stripe.js needs no `payment` (only Stripe's Apple/Google Pay button would: then add
# its js origin there). Only features Chromium knows are named: it warns about others.
_PLAYERS = ["self", *VIDEO_PLAYER_ORIGINS]
PERMISSIONS_POLICY = {
    "camera": ["self"],
    "microphone": ["self"],
    # A meeting's call shares a screen (a catalogue) through getDisplayMedia.
    "display-capture": ["self"],
    "fullscreen": _PLAYERS,
    "picture-in-picture": _PLAYERS,
    "autoplay": _PLAYERS,
    "encrypted-media": _PLAYERS,
    "accelerometer": _PLAYERS,
    "gyroscope": _PLAYERS,
    **dict.fromkeys(
        [
            "geolocation",
            "payment",
            "usb",
            "serial",
            "hid",
            "midi",
            "magnetometer",
            "screen-wake-lock",
            "idle-detection",
            "xr-spatial-tracking",
            "browsing-topics",
        ],
        [],
    ),
}


# --- Meeting rooms: the business meetings' video calls (events/call/, docs/realtime.md) ----------
# A confirmed meeting's room opens this many minutes before its start and closes this many after
# its end.
MEETING_ROOM_OPENS_MINUTES = int(env("MEETING_ROOM_OPENS_MINUTES", "10"))
MEETING_ROOM_CLOSES_MINUTES = int(env("MEETING_ROOM_CLOSES_MINUTES", "30"))
# The ICE servers each browser's RTCPeerConnection gets, as JSON (a list of RTCIceServer objects:
# {"urls": [...], "username": ..., "credential": ...}). Empty by default: browsers on one machine
# or one network connect without any. Across the internet a TURN server is needed (coturn; see
# docs/deployment.md): either list it here with fixed credentials, or set MEETING_TURN_SECRET
# (coturn's static-auth-secret) and MEETING_TURN_URLS (comma-separated turn:/turns: addresses)
# and each browser gets a credential of its own that expires.
MEETING_ICE_SERVERS = json.loads(env("MEETING_ICE_SERVERS", "[]") or "[]")
MEETING_TURN_SECRET = env("MEETING_TURN_SECRET")
MEETING_TURN_URLS = [u.strip() for u in env("MEETING_TURN_URLS").split(",") if u.strip()]
