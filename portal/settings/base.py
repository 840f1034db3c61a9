"""Settings shared by every environment, read from the environment once.

With nothing set the portal runs on its embedded default: SQLite and a Celery
broker on kombu's filesystem transport, both under ``data/``. Set DATABASE_URL
and REDIS_URL (or CELERY_BROKER_URL) to run on PostgreSQL and Redis.
"""

import importlib.util
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DATA_DIR = Path(env.str("PORTAL_DATA_DIR", default=str(BASE_DIR / "data")))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_prometheus",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Self-service accounts: sign-up with email verification, password reset and
    # change, email change (stakeholders.adapters fits it to the portal).
    "allauth",
    "allauth.account",
    "core",
    "stakeholders",
    "drafts",
    "comments",
    "desk",
    "packets",
    "notifications",
    "audit",
    "demo",
    "operations",
    "search",
    "public",
    "interop",
]

MIDDLEWARE = [
    # Probes first: /health/, /ready/ and /healthz answer before host validation
    # and the HTTPS redirect (portal/probes.py says why).
    "portal.probes.ProbeMiddleware",
    # django-prometheus first and last, so it times everything in between (the
    # probes above are left out: a health check every few seconds is not traffic).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Every log line of a request carries its id (X-Request-ID from the proxy, or new).
    "core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Before any view reads the path or the query into a database query (after the
    # user is known, so the refusal page can be drawn).
    "core.middleware.RejectNulBytes",
    # The database, Redis or the broker away: a 503 page (or JSON) with Retry-After.
    "core.middleware.ServiceUnavailable",
    "django_otp.middleware.OTPMiddleware",
    # Optional two-factor sign-in: the code page until the code is given.
    "stakeholders.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it sees the failed logins the views and backends flagged.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# /metrics answers private addresses, or anyone with this bearer token (portal/metrics.py).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.portal",
                "public.context_processors.navigation",
            ],
            # `digits` and `when` (numbers and dates in the page language's style) are
            # used on nearly every page.
            "builtins": ["core.templatetags.core_tags"],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'portal.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # A Celery worker and the web process share the file: wait for locks
    # instead of failing, and let readers proceed while one process writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DB_POOL", default=importlib.util.find_spec("psycopg_pool") is not None
):
    # psycopg's connection pool (Django 5.1+, needs the psycopg[pool] extra): each
    # process keeps between DB_POOL_MIN_SIZE and DB_POOL_MAX_SIZE connections and a
    # request waits at most DB_POOL_TIMEOUT seconds for one (then a 503, not a hang).
    # Persistent connections must be off with a pool.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "stakeholders.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "comments:draft_list"
LOGOUT_REDIRECT_URL = "comments:draft_list"

# django-axes first: it refuses a locked-out username/address before any password is checked.
# allauth's backend lets a person sign in with the username or the email address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Lock the pair: one address guessing one account. Locking on the username
# alone would let anybody lock a minister out of the portal.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.security.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
OTP_TOTP_ISSUER = "Consultation Portal"

# --- Self-service accounts (django-allauth) ----------------------------------
# Sign-up asks for a username, an email address and a password; the address must
# be confirmed before the account can sign in (the portal's own sign-in page,
# stakeholders.views.LoginView, refuses an unconfirmed account). Nothing on any
# page tells whether an address or a username has an account: a sign-up with a
# known address is answered like any other and the owner gets an email instead
# (ACCOUNT_PREVENT_ENUMERATION), and so does a password reset.
ACCOUNT_ADAPTER = "stakeholders.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True  # a new address replaces the old one once it is confirmed
ACCOUNT_EMAIL_NOTIFICATIONS = True  # password and email changes are told to the owner
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # a link scanner opening the link confirms nothing
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_SIGNUP_REDIRECT_URL = "comments:draft_list"
ACCOUNT_LOGOUT_REDIRECT_URL = "comments:draft_list"
# Counted in the shared cache, per address and per account (allauth's own
# throttling); a refusal is a 429 page.
ACCOUNT_RATE_LIMITS = {
    "signup": env.str("SIGNUP_RATE", default="10/h/ip"),
    "reset_password": env.str("PASSWORD_RESET_RATE", default="10/h/ip,3/h/key"),
    "reset_password_from_key": "20/h/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/h/user",
    "reauthenticate": "10/m/user",
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("km", _("Khmer"))]
# The portal's own catalogue first; then Khmer for the Django and add-on strings
# whose own km catalogues are incomplete.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "portal" / "locale_django"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Phnom_Penh")
USE_I18N = True
# One date style per language, the same on every page (see core.numerals for digits).
FORMAT_MODULE_PATH = ["portal.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))

# Packets are private documents: they are served through an authorising view,
# never from MEDIA_URL. S3-compatible storage is used when a bucket is named.
PACKET_STORAGE_BUCKET = env.str("PACKET_STORAGE_BUCKET", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if PACKET_STORAGE_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PACKET_STORAGE_BUCKET,
            "endpoint_url": env.str("PACKET_STORAGE_ENDPOINT_URL", default=None),
            # django-storages reads the region from settings only, not the environment.
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "default_acl": "private",
            "querystring_auth": True,
        },
    }

# Without Redis (the embedded default) the cache is a folder in data/: the demo's web
# server, Celery worker and management commands then share one cache, which the
# thread fragments need (a change made by a task must reach the web's fragments).
CACHES = {
    "default": env.cache("CACHE_URL", default=f"filecache://{DATA_DIR / 'cache'}")
    if not env.str("REDIS_URL", default="")
    else {
        "BACKEND": "core.cache.RedisCache",  # Django's, reusing its Redis clients
        "LOCATION": env.str("REDIS_URL"),
        # Give up quickly: a stopped or frozen Redis must not hold a web worker. The
        # posting limits then count in the database (comments.services).
        "OPTIONS": {
            "socket_connect_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.25),
            "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.25),
        },
    }
}

# --- Celery -----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND",
    default=REDIS_URL or f"file://{DATA_DIR / 'celery' / 'results'}",
)
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = DATA_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(DATA_DIR / "celery" / "processed"),
        "control_folder": str(DATA_DIR / "celery" / "control"),
        "store_processed": False,
        # The filesystem transport polls; a short interval keeps the demo responsive.
        "polling_interval": 0.25,
    }
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=15 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=20 * 60)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A task that is not acknowledged within this time is handed to another
    # worker. It is not how lost work comes back: packet parts beat, and
    # packets_recover (below) sends a part silent for PACKET_PART_STALL_SECONDS
    # again within about two minutes. So the timeout only needs to outlast the
    # hard time limit (with a margin for a worker's clock and queue wait), so a
    # healthy long task is never handed out twice while it runs; a redelivery
    # that does come late finds its part done or its build token replaced and
    # does nothing (build and merge tokens, packets.services).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 5 * 60}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="portal")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celery" / "beat-schedule")
CELERY_TIMEZONE = TIME_ZONE
from celery.schedules import crontab as _crontab  # noqa: E402

# The consultation calendar: beat runs these; each task is safe to run twice.
CELERY_BEAT_SCHEDULE = {
    # The transactional outbox: events whose immediate delivery failed (the broker
    # was down) are handed to their listeners when it is back.
    "relay-outbox": {
        "task": "core.tasks.outbox_relay",
        "schedule": env.float("OUTBOX_RELAY_SECONDS", default=5.0),
    },
    "prune-outbox": {
        "task": "core.tasks.outbox_prune",
        "schedule": _crontab(hour=3, minute=30),
    },
    "close-due-consultations": {
        "task": "drafts.tasks.consultations_close_due",
        "schedule": 60.0,
    },
    # Followers hear once per version that comments opened, or close within three days.
    "notify-consultation-reminders": {
        "task": "notifications.tasks.consultation_reminders",
        "schedule": 5 * 60.0,
    },
    # Each person's daily digest email, at the hour set in DIGEST_HOUR (portal time).
    # Packet builds whose parts, merge or build message went silent are sent again.
    "recover-stalled-packets": {
        "task": "packets.tasks.packets_recover",
        "schedule": 15.0,
        "options": {"expires": 15.0},
    },
    "send-daily-digests": {
        "task": "notifications.tasks.digests_send",
        "schedule": _crontab(hour=env.int("DIGEST_HOUR", default=7), minute=0),
    },
}

# --- REST framework -----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "stakeholders.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Consultation Portal API",
    "DESCRIPTION": "Drafts, versions, provisions, comments, dispositions and review packets.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "stakeholders.models.Organisation.Kind",
        "ProvisionKindEnum": "drafts.models.Provision.Kind",
        "CommentKindEnum": "comments.models.Comment.Kind",
        "VersionStatusEnum": "drafts.models.DraftVersion.Status",
        "DispositionStatusEnum": "comments.models.Disposition.Status",
        "PacketStatusEnum": "packets.models.Packet.Status",
        "PacketLanguageEnum": "packets.models.Packet.Language",
    },
}

# Uploads: files above this stay on disk while they are checked, not in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(DATA_DIR / "outbox"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="consultation@localhost")
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# --- Portal rules -----------------------------------------------------------
PORTAL = {
    # Whether anyone may make an account (sign-up); accounts made by staff work either way.
    "SIGNUP_OPEN": env.bool("SIGNUP_OPEN", default=True),
    # How long after posting an author may still edit a comment.
    "COMMENT_EDIT_WINDOW_MINUTES": env.int("COMMENT_EDIT_WINDOW_MINUTES", default=30),
    "COMMENT_MAX_LENGTH": env.int("COMMENT_MAX_LENGTH", default=10_000),
    "COMMENT_MAX_DEPTH": env.int("COMMENT_MAX_DEPTH", default=12),
    # Threads on the first page of an article (with their replies); more load on demand.
    "COMMENTS_PER_PAGE": env.int("COMMENTS_PER_PAGE", default=20),
    # Open reports that put a comment in the moderators' queue and alert them.
    "REPORTS_TO_QUEUE": env.int("REPORTS_TO_QUEUE", default=1),
    "POST_RATE_PER_USER": env.str("POST_RATE_PER_USER", default="20/10m"),
    "POST_RATE_PER_ORGANISATION": env.str("POST_RATE_PER_ORGANISATION", default="200/h"),
    # Review packets are rendered in parts of at most this many articles (and
    # threads), each by one Celery task, so a worker's memory stays bounded.
    "PACKET_ARTICLES_PER_PART": env.int("PACKET_ARTICLES_PER_PART", default=40),
    "PACKET_THREADS_PER_PART": env.int("PACKET_THREADS_PER_PART", default=400),
    "PACKET_OVERLAY_PAGES": env.int("PACKET_OVERLAY_PAGES", default=200),
    "PACKET_MAX_ATTEMPTS": env.int("PACKET_MAX_ATTEMPTS", default=3),
    # Builds started again because a comment in the packet was edited or decided
    # while it rendered (new comments do not count: a build is as of its start).
    "PACKET_MAX_REBUILDS": env.int("PACKET_MAX_REBUILDS", default=5),
    # Retry-After of the 503 answered while the database, Redis or the broker is away.
    "RETRY_AFTER_SECONDS": env.int("RETRY_AFTER_SECONDS", default=5),
    # An outbox event whose own listener keeps failing is parked after this many
    # deliveries (kept, with its error, for a person); delivered ones are forgotten
    # after OUTBOX_KEEP_DAYS.
    "OUTBOX_MAX_ATTEMPTS": env.int("OUTBOX_MAX_ATTEMPTS", default=10),
    "OUTBOX_KEEP_DAYS": env.int("OUTBOX_KEEP_DAYS", default=14),
    # A packet part (or a queued build, or a merge) silent this long has stalled:
    # the recovery sends it again, and a request for the packet builds it afresh.
    "PACKET_PART_STALL_SECONDS": env.int("PACKET_PART_STALL_SECONDS", default=90),
    # Files on one comment (PDF, DOCX, ODT, images; comments.attachments checks them):
    # how many, how large each, and how far a DOCX or ODT may unpack.
    "ATTACHMENT_MAX_FILES": env.int("ATTACHMENT_MAX_FILES", default=5),
    "ATTACHMENT_MAX_BYTES": env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024),
    "ATTACHMENT_MAX_UNPACKED_BYTES": env.int(
        "ATTACHMENT_MAX_UNPACKED_BYTES", default=100 * 1024 * 1024
    ),
    # How long a claim to send a notification email holds off other senders.
    "EMAIL_CLAIM_SECONDS": env.int("EMAIL_CLAIM_SECONDS", default=600),
}

# --- Content-Security-Policy (django-csp 4) ---------------------------------------
# No inline script and no inline style anywhere: behaviour and looks come from
# files under /static/. The API explorer relaxes only its own page
# (portal.security.api_docs).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Human-readable lines here (development); production.py switches the console to JSON.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}},
    "formatters": {
        "human": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="human"),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
