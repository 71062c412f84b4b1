"""Settings for GHT Portal, all read from the environment (django-environ).

One module, three profiles chosen by ``GHT_ENV``:
- ``development`` (default): embedded PostgreSQL/Redis when DATABASE_URL/REDIS_URL are unset,
  mails printed on the console, a secret key generated once under ``var/``;
- ``production``: every secret and URL must be given, HTTPS-only cookies and HSTS, so that
  ``manage.py check --deploy`` reports nothing;
- ``test``: like development, with a fast password hasher (set by the test suite).
A missing or malformed value stops the process at start with a clear error.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from ght_portal import embedded
from ght_portal.api.description import API_DESCRIPTION

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

_TRUE_STRINGS = ("1", "true", "yes", "on")
_FALSE_STRINGS = ("0", "false", "no", "off")


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean variable strictly; empty or unset gives the default.

    ``env.bool`` reads any unknown word as False, so a typo such as ``SECURE_SSL_REDIRECT=ture``
    would silently switch the HTTPS redirect off: an unknown value stops the process instead.
    """
    raw = env.str(name, default="")
    value = raw.strip().lower()
    if not value:
        return default
    if value in _TRUE_STRINGS:
        return True
    if value in _FALSE_STRINGS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: accepted values are {', '.join(_TRUE_STRINGS)} (true), "
        f"{', '.join(_FALSE_STRINGS)} (false), in any case, or empty for the default"
    )


GHT_ENV = env.str("GHT_ENV", default="development")
if GHT_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured("GHT_ENV must be development, production or test")
PRODUCTION = GHT_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must stay off in production")


def _development_secret_key() -> str:
    """A per-checkout key kept out of git, so development never runs with a published secret."""
    key_file = embedded.VAR_DIR / "secret_key"
    if not key_file.exists():
        embedded.VAR_DIR.mkdir(exist_ok=True)
        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 random characters in production")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required in production")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _development_secret_key()
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="" if PRODUCTION else "http://localhost:8000").rstrip("/")
if PRODUCTION and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured("SITE_URL (https://…) is required in production: it is the base of links in e-mails")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "guardian",
    "axes",
    "simple_history",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files (the CSP forbids CDNs)
    "ght_portal",
    "filieres",
    "actions",
    "governance",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ght_portal.middleware.AbsoluteSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]
# No simple-history request middleware: every history record names its author explicitly (the service's
# acting_user, the admin's request.user, or ght_portal.actors.system_actor()). A record without one
# raises when this is on (GHT_ENV=test, and always under pytest: tests/conftest.py), and logs a warning
# otherwise.
HISTORY_ACTOR_REQUIRED = GHT_ENV == "test"

ROOT_URLCONF = "ght_portal.urls"
WSGI_APPLICATION = "ght_portal.wsgi.application"

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
                "csp.context_processors.nonce",
                "ght_portal.context_processors.tenancy",
            ],
        },
    },
]

# --- Database: PostgreSQL only -------------------------------------------------------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
elif PRODUCTION:
    raise ImproperlyConfigured("DATABASE_URL is required in production")
else:
    DATABASES = {"default": embedded.postgres_settings()}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://…)")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_ght_portal")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker ---------------------------------------------------------
if env.str("REDIS_URL", default=""):
    REDIS_URL = env.str("REDIS_URL")
elif PRODUCTION:
    raise ImproperlyConfigured("REDIS_URL is required in production")
else:
    REDIS_URL = embedded.redis_url()
if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "ght",
    }
}

CELERY_BROKER_URL = REDIS_URL.replace("unix://", "redis+socket://", 1)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}  # longer than any task
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True  # job state lives in our own tables, not in a result backend
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "Europe/Paris"
# PDFs have their own queue (and, in production, their own worker that recycles its process after a
# few builds, giving WeasyPrint's memory back): a long report never delays a mail.
CELERY_TASK_ROUTES = {"reports.tasks.build_report": {"queue": "reports"}}
REPORT_SOFT_TIME_LIMIT = env.int("REPORT_SOFT_TIME_LIMIT", default=300)
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] < REPORT_SOFT_TIME_LIMIT + 120:
    # Redis would deliver a running build to a second worker (celery#5935).
    raise ImproperlyConfigured("REPORT_SOFT_TIME_LIMIT must stay well under the broker's visibility timeout")
CELERY_BEAT_SCHEDULE = {
    "housekeeping": {"task": "ght_portal.tasks.housekeeping", "schedule": timedelta(hours=6)},
    # Checkpoint reminders and the Monday digest: the task works out what is due (Europe/Paris) and
    # claims each mail once, so the period only bounds the delay and a restarted beat duplicates nothing.
    "governance-reminders": {
        "task": "governance.tasks.send_due_reminders",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 14 * 60},  # a backlog of stale ticks after an outage is dropped, not replayed
    },
}

# --- Accounts, sessions, login throttling ----------------------------------------------------
AUTH_USER_MODEL = "ght_portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
INVITATION_VALIDITY = timedelta(days=env.int("INVITATION_VALIDITY_DAYS", default=7))

# Idle timeout: the cookie's age is renewed on each request. Absolute timeout: middleware.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: lock the (account, IP address) pair, never the account alone, and only for a while,
# so that nobody can lock a director out by typing wrong passwords in their name.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login form field, not USERNAME_FIELD (email)
AXES_USERNAME_CALLABLE = "ght_portal.auth.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Behind N trusted reverse proxies, the client address is read from X-Forwarded-For (ipware);
# with none, only REMOTE_ADDR counts, so a forged header cannot dodge the lockout.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

GUARDIAN_ANONYMOUS_USER_NAME = None  # no anonymous object permissions: everything needs a login

# --- Mail --------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="GHT Portal <ne-pas-repondre@ght-portal.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Language, time ----------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"  # every date and time shown or put in a file name is of this zone
# The project's French date and number formats (ght_portal/formats/fr/formats.py), read before Django's;
# Python code writes them through ght_portal.formats.
FORMAT_MODULE_PATH = ["ght_portal.formats"]
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and uploaded files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"  # never served directly: tenant files go through views that check membership
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded and generated files (logos, report PDFs) on local disk, or in any S3-compatible object
# store (AWS, Scaleway, OVHcloud, MinIO…) when S3_BUCKET is set; private objects, read through views.
if env.str("S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("S3_PREFIX", default=""),
            "default_acl": "private",
            "file_overwrite": False,
        },
    }
WHITENOISE_USE_FINDERS = not PRODUCTION
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
LOGO_MAX_BYTES = 1024 * 1024

# --- Security headers ----------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- API (Django REST framework, under /api/v1/; ght_portal/api/) ---------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ght_portal.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["ght_portal.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "ght_portal.api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "ght_portal.api.filters.GHTFilterBackend",
        "ght_portal.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "ght_portal.api.schema.ApiAutoSchema",
    "DEFAULT_METADATA_CLASS": None,  # no OPTIONS self-description: the OpenAPI schema documents the API
    "EXCEPTION_HANDLER": "ght_portal.api.errors.exception_handler",
    "ORDERING_PARAM": "sort",  # the web list's name for it
    "NON_FIELD_ERRORS_KEY": "non_field_errors",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Requests per token (or per signed-in person) and per minute; "" switches throttling off.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="600/minute") or None
SPECTACULAR_SETTINGS = {
    "TITLE": "GHT Portal — API",
    "VERSION": "1.0.0",
    "DESCRIPTION": API_DESCRIPTION,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set in the schema (several models have a "status", a "role" or a "kind").
    "ENUM_NAME_OVERRIDES": {
        "ActionStatusEnum": "actions.models.ActionStatus",
        "PlanStatusEnum": "actions.models.Plan.Status",
        "GovernanceStageEnum": "actions.models.Action.GovernanceStage",
        "ActionUpdateKindEnum": "actions.models.ActionUpdate.Kind",
        "MemberRoleEnum": "ght_portal.models.Role",
        "EstablishmentRoleEnum": "ght_portal.models.Establishment.Role",
        "EstablishmentKindEnum": "ght_portal.models.Establishment.Kind",
        "FiliereKindEnum": "filieres.models.Filiere.Kind",
        "InstanceKindEnum": "governance.models.Instance.Kind",
        "SeatRoleEnum": "governance.models.InstanceMember.SeatRole",
        "AttendanceStatusEnum": "governance.models.Attendance.Status",
        "DecisionKindEnum": "governance.models.Decision.Kind",
        "CampaignStatusEnum": "governance.models.Campaign.Status",
        "CheckpointUpdateStateEnum": "governance.models.CheckpointUpdate.State",
        "ReportKindEnum": "reports.models.Report.Kind",
        "ReportStatusEnum": "reports.models.Report.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
