"""Django settings. Everything an operator sets comes from SWINGVISION_* environment variables."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SWINGVISION_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


# "development" (the default: the embedded database, DEBUG on) or "production".
ENVIRONMENT = os.environ.get("SWINGVISION_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = _env_bool("SWINGVISION_DEBUG", not PRODUCTION)

SECRET_KEY = os.environ.get("SWINGVISION_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SWINGVISION_SECRET_KEY must be set in production")
    SECRET_KEY = "dev-only-insecure-key-change-me-" + "x" * 32

ALLOWED_HOSTS = os.environ.get("SWINGVISION_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("SWINGVISION_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

# The domain database: sqlite:///path (embedded default) or crate://host:4200[?schema=...]
SWINGVISION_DB = os.environ.get(
    "SWINGVISION_DB", f"sqlite:///{(VAR_DIR / 'swingvision.db').resolve()}"
)
# CrateDB: copies of each table's shards, set by every `migrate_db` (shard counts are per table in
# the migrations). CrateDB's default 0-1: none on one node, one as soon as there is a second.
SWINGVISION_CRATE_REPLICAS = os.environ.get("SWINGVISION_CRATE_REPLICAS", "0-1").strip()

# Video blobs: a local folder (default) or s3://bucket/prefix.
SWINGVISION_STORAGE = os.environ.get("SWINGVISION_STORAGE", f"file://{VAR_DIR / 'videos'}")
SWINGVISION_S3_ENDPOINT_URL = os.environ.get("SWINGVISION_S3_ENDPOINT_URL") or None
SWINGVISION_S3_REGION = os.environ.get("SWINGVISION_S3_REGION", "us-east-1")
# The S3 endpoint as browsers reach it, for the presigned playback URLs they follow (default: the
# endpoint URL, or AWS's own). Its origin joins the CSP's media-src when it is plain http.
SWINGVISION_S3_PUBLIC_URL = os.environ.get("SWINGVISION_S3_PUBLIC_URL") or None
SWINGVISION_RAW_VIDEO_DAYS = int(os.environ.get("SWINGVISION_RAW_VIDEO_DAYS", "30"))
SWINGVISION_MAX_UPLOAD_MB = int(os.environ.get("SWINGVISION_MAX_UPLOAD_MB", "500"))
# All the files of one upload request together (the upload form can send several videos at once;
# the page's script sends one per request). Checked while the body streams in.
SWINGVISION_MAX_REQUEST_MB = int(os.environ.get("SWINGVISION_MAX_REQUEST_MB", "1024"))
SWINGVISION_MAX_VIDEO_SECONDS = float(os.environ.get("SWINGVISION_MAX_VIDEO_SECONDS", "60"))
# Recorded lessons (issue #17): 10 minutes at the recorder's 2.5 Mbit/s is about 190 MB.
SWINGVISION_MAX_LESSON_MB = int(os.environ.get("SWINGVISION_MAX_LESSON_MB", "400"))
SWINGVISION_MAX_LESSON_SECONDS = float(os.environ.get("SWINGVISION_MAX_LESSON_SECONDS", "600"))
# The worker's decode budget per video, frames x pixels in millions (default: 60 s of 1080p at
# 30 fps). Uploads over it are refused; the worker refuses older rows over it before decoding.
SWINGVISION_MAX_MEGAPIXEL_FRAMES = float(os.environ.get("SWINGVISION_MAX_MEGAPIXEL_FRAMES", "4000"))
SWINGVISION_BACKUP_LOCATION = os.environ.get(
    "SWINGVISION_BACKUP_LOCATION", f"file://{VAR_DIR / 'backups'}"
)
# `backup --prune` without --keep keeps this many backups.
SWINGVISION_BACKUP_KEEP = int(os.environ.get("SWINGVISION_BACKUP_KEEP", "48"))
# CrateDB snapshots: the repository (created by `manage.py backup` if missing) and where it
# lives: a path in every node's path.repo (fs) or s3://bucket/base_path. Empty: the backup
# location's S3 bucket under <prefix>/cratedb (a file:// backup location needs this set).
SWINGVISION_CRATE_REPOSITORY = os.environ.get("SWINGVISION_CRATE_REPOSITORY", "swingvision")
SWINGVISION_CRATE_REPOSITORY_LOCATION = os.environ.get("SWINGVISION_CRATE_REPOSITORY_LOCATION", "")
# The S3 endpoint as the CrateDB nodes reach it (default: SWINGVISION_S3_ENDPOINT_URL) and keys
# for the repository (empty: the nodes' IAM role).
SWINGVISION_CRATE_REPOSITORY_ENDPOINT = os.environ.get("SWINGVISION_CRATE_REPOSITORY_ENDPOINT", "")
SWINGVISION_CRATE_REPOSITORY_ACCESS_KEY = os.environ.get(
    "SWINGVISION_CRATE_REPOSITORY_ACCESS_KEY", ""
)
SWINGVISION_CRATE_REPOSITORY_SECRET_KEY = os.environ.get(
    "SWINGVISION_CRATE_REPOSITORY_SECRET_KEY", ""
)
# Logical replication (`manage.py replication`, run in the subscriber's region): the primary
# cluster's transport address(es) and the user the subscriber connects as.
SWINGVISION_REPLICATION_PRIMARY = os.environ.get("SWINGVISION_REPLICATION_PRIMARY", "")
SWINGVISION_REPLICATION_USER = os.environ.get("SWINGVISION_REPLICATION_USER", "")
SWINGVISION_REPLICATION_PASSWORD = os.environ.get("SWINGVISION_REPLICATION_PASSWORD", "")
# Run the processing worker in a thread of the dev server (embedded default only).
SWINGVISION_INLINE_WORKER = _env_bool("SWINGVISION_INLINE_WORKER", not PRODUCTION)

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "django.contrib.messages",
    "django_htmx",
    "template_partials",
    "swingvision",
    "swingvision.accounts",
    "swingvision.players",
    "swingvision.videos",
    "swingvision.admin_data",
    "swingvision.ops",
    "swingvision.coaching",
    "swingvision.lessons",
    "analysis",
    "progress",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "swingvision.middleware.PrivateResponsesMiddleware",
    "swingvision.middleware.DatabaseUnavailableMiddleware",
    "swingvision.middleware.StorageUnavailableMiddleware",
    "swingvision.accounts.middleware.SessionMiddleware",  # Django's, 503 on a database outage
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "swingvision.accounts.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "swingvision.middleware.BadRequestMiddleware",
    "swingvision.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "swingvision.urls"
WSGI_APPLICATION = "swingvision.wsgi.application"
ASGI_APPLICATION = "swingvision.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "swingvision.accounts.context.current_user",
            ],
        },
    },
]

# Domain data never goes through the ORM; Django needs no database of its own.
DATABASES: dict = {}

SESSION_ENGINE = "swingvision.accounts.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("SWINGVISION_SESSION_SECONDS", str(14 * 24 * 3600)))
SESSION_COOKIE_HTTPONLY = True
# Sessions also end after this long without a request (SESSION_COOKIE_AGE caps them from login).
SWINGVISION_SESSION_IDLE_SECONDS = int(
    os.environ.get("SWINGVISION_SESSION_IDLE_SECONDS", str(3 * 24 * 3600))
)
# Proxies in front of the app that append to X-Forwarded-For (login throttling per client).
SWINGVISION_TRUSTED_PROXIES = int(os.environ.get("SWINGVISION_TRUSTED_PROXIES", "0"))
CSRF_COOKIE_HTTPONLY = True  # the token reaches htmx through the page, never through JS cookies
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused CSRF token answers JSON to a JSON request (middleware.csrf_failure), a page to the rest.
CSRF_FAILURE_VIEW = "swingvision.middleware.csrf_failure"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
LOGIN_URL = "/login/"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Tests use a fast hasher (see tests/conftest.py); production keeps PBKDF2's default work factor.

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("SWINGVISION_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = os.environ.get("SWINGVISION_UPLOAD_TMP") or None
if FILE_UPLOAD_TEMP_DIR:
    # A relative folder is under the working directory; made here, as Django would not.
    FILE_UPLOAD_TEMP_DIR = os.path.abspath(FILE_UPLOAD_TEMP_DIR)
    os.makedirs(FILE_UPLOAD_TEMP_DIR, exist_ok=True)

# The debug page and error reports mask credentials in URL-valued settings (SWINGVISION_DB, ...).
DEFAULT_EXCEPTION_REPORTER_FILTER = "swingvision.debug.CredentialsFilter"

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are refused by browsers unless Secure, host-only and path=/.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = _env_bool("SWINGVISION_SSL_REDIRECT", True)
    # Load balancers ask each instance for /healthz over plain HTTP: answer, don't redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SWINGVISION_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SWINGVISION_LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "swingvision.staticfinders.VendorFinder",
]
