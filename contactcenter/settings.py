"""Sportello settings: every environment differs by environment variables only.

With nothing set you get the embedded default: a SQLite file next to the code and
Celery tasks run eagerly in-process. Set DATABASE_URL and CELERY_BROKER_URL for
PostgreSQL and Redis with real workers.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEV_SECRET_KEY = "django-insecure-sportello-development-only"  # noqa: S105 - refused below when DEBUG is off
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default=DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before the admin to patch its forms.
    "modeltranslation",
    "operators.apps.SportelloAdminConfig",  # django.contrib.admin for supervisors only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "phonenumber_field",
    "django_countries",
    "tickets",
    "operators",
    "channels_app",
    "faq",
    "reports",
    "api",
    "privacy",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    # Outermost, so that it sees every answer, the status page's replays and the login redirects too.
    "privacy.caching.NoStoreForPersonalDataMiddleware",
    # First: the citizen's status page, replayed while the ticket is unchanged (faq.pagecache).
    "faq.pagecache.StatusPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "contactcenter.middleware.BadInputMiddleware",
    "contactcenter.middleware.SitePolicyCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "privacy.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tickets.middleware.DomainErrorMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "contactcenter.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "faq.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "contactcenter.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'sportello.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves a few operators at once: wait for the write lock
    # instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if env("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")}
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "contactcenter.cache.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions are read on every desk request: from Redis, written through to the database (so a
    # Redis restart logs nobody out). Not with the per-process locmem cache, whose copies would
    # outlive a logout done in another process.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered portal pages, per process: validated by the ticket version or the FAQ generation
# (kept in "default"), so a stale copy is never served; no network round trip on a hit.
CACHES["portal"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "portal-pages",
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# AxesStandaloneBackend first: it refuses a locked-out user before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LANGUAGE_CODES = [code for code, _name in LANGUAGES]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True
MODELTRANSLATION_DEFAULT_LANGUAGE = "it"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("it",)

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Attachments are personal data: MEDIA_ROOT is never served by the web server,
# only through permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# Development and tests serve static files straight from the finders; production from collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 40 * 1024 * 1024

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Sportello <sportello@localhost>")

# Celery: without a broker, tasks run eagerly in the web process (embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE["stats-refresh-recent"] = {"task": "reports.tasks.refresh_recent_stats", "schedule": 300}
CELERY_BEAT_SCHEDULE["board-snapshot"] = {"task": "reports.tasks.refresh_board_snapshot", "schedule": 5}
CELERY_BEAT_SCHEDULE["privacy-retention"] = {"task": "privacy.tasks.anonymize_expired", "schedule": 24 * 3600}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# A worker outlives a lost broker (docs/reliability.md): it retries for as long as the broker is away,
# at start too (compose starts it with Redis), instead of exiting after 100 attempts (~50 min) ...
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# ... its consumer survives the reconnection (Celery 5.7.0 would exit: contactcenter/consumer.py) ...
CELERY_WORKER_CONSUMER = "contactcenter.consumer:Consumer"
# ... and a task running meanwhile finishes rather than being killed halfway (an e-mail sent, not yet
# marked sent, would go twice); its acknowledgement is lost with the connection, and a redelivery
# finds the work done.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.schema.SportelloAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.IsStaffOperator", "api.permissions.TokenScope"],
    # The per-IP throttle runs before authentication (api.views.IpThrottleFirst).
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per minute: per token (an integration) and per client IP (everyone, browsers included).
SPORTELLO_API_THROTTLE_RATES = {
    "token": env("API_THROTTLE_TOKEN", default="600/minute"),
    "ip": env("API_THROTTLE_IP", default="300/minute"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sportello API",
    "DESCRIPTION": "Multichannel contact center for public administration",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "tickets.models.Channel",
        "LanguageEnum": LANGUAGE_CODES,
        "CitizenKindEnum": "tickets.models.Citizen.Kind",
        "EventKindEnum": "tickets.models.TicketEvent.Kind",
    },
}

PHONENUMBER_DEFAULT_REGION = env("PHONENUMBER_DEFAULT_REGION", default="IT")
PHONENUMBER_DEFAULT_FORMAT = "E164"

# Ticket references: IST-2026-0001234.
SPORTELLO_REFERENCE_PREFIX = env("SPORTELLO_REFERENCE_PREFIX", default="IST")
SPORTELLO_PUBLIC_URL = env("SPORTELLO_PUBLIC_URL", default="http://127.0.0.1:8000")
# Portal header and footer (faq.context_processors.portal); operator names stay hidden from citizens.
SPORTELLO_ADMINISTRATION_NAME = env("SPORTELLO_ADMINISTRATION_NAME", default="")
SPORTELLO_ADMINISTRATION_URL = env("SPORTELLO_ADMINISTRATION_URL", default="")
SPORTELLO_CONTACT_PHONE = env("SPORTELLO_CONTACT_PHONE", default="")
SPORTELLO_CONTACT_EMAIL = env("SPORTELLO_CONTACT_EMAIL", default="")
SPORTELLO_CONTACT_ADDRESS = env("SPORTELLO_CONTACT_ADDRESS", default="")
SPORTELLO_CONTACT_PEC = env("SPORTELLO_CONTACT_PEC", default="")
SPORTELLO_PORTAL_SHOW_OPERATOR_NAMES = env.bool("SPORTELLO_PORTAL_SHOW_OPERATOR_NAMES", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Channel adapters: an explicit registry (channel -> dotted path), swapped by configuration in tests.
SPORTELLO_CHANNEL_ADAPTERS = {
    "email": "channels_app.adapters.email.EmailAdapter",
    "voicemail": "channels_app.adapters.voicemail.VoicemailAdapter",
    "whatsapp": "channels_app.adapters.whatsapp.WhatsAppAdapter",
    "web": "channels_app.adapters.webform.WebFormAdapter",
    "phone": "channels_app.adapters.cti.CtiAdapter",
}

# Webhooks and the WhatsApp Cloud API (empty values refuse every webhook call: 403).
WHATSAPP_VERIFY_TOKEN = env("WHATSAPP_VERIFY_TOKEN", default="")
WHATSAPP_APP_SECRET = env("WHATSAPP_APP_SECRET", default="")
WHATSAPP_ACCESS_TOKEN = env("WHATSAPP_ACCESS_TOKEN", default="")
WHATSAPP_PHONE_NUMBER_ID = env("WHATSAPP_PHONE_NUMBER_ID", default="")
WHATSAPP_GRAPH_URL = env("WHATSAPP_GRAPH_URL", default="https://graph.facebook.com/v21.0").rstrip("/")
WHATSAPP_REPLY_TEMPLATE = env("WHATSAPP_REPLY_TEMPLATE", default="sportello_reply")
WHATSAPP_HTTP_TIMEOUT = env.float("WHATSAPP_HTTP_TIMEOUT", default=15)
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_API_URL = env("TWILIO_API_URL", default="https://api.twilio.com")  # recordings are fetched from here
CTI_TOKEN = env("CTI_TOKEN", default="")
SPORTELLO_MAX_ATTACHMENT_BYTES = env.int("SPORTELLO_MAX_ATTACHMENT_BYTES", default=25 * 1024 * 1024)

# E-mail channel. Mailboxes to poll, as a JSON list of {"url", "channel", "name"}; the URL is
# imaps://user:pass@host:993/INBOX (TLS), imap+starttls://… or imap://… (plain, local only).
# IMAP_URL and VOICEMAIL_IMAP_URL are shorthands for one e-mail and one voicemail mailbox.
SPORTELLO_MAILBOXES = env.json("SPORTELLO_MAILBOXES", default=[])
if env("IMAP_URL", default=""):
    SPORTELLO_MAILBOXES.append({"url": env("IMAP_URL"), "channel": "email", "name": "email"})
if env("VOICEMAIL_IMAP_URL", default=""):
    SPORTELLO_MAILBOXES.append({"url": env("VOICEMAIL_IMAP_URL"), "channel": "voicemail", "name": "voicemail"})
SPORTELLO_MAILBOX_POLL_SECONDS = env.float("SPORTELLO_MAILBOX_POLL_SECONDS", default=30)
CELERY_BEAT_SCHEDULE["poll-mailboxes"] = {
    "task": "channels_app.tasks.poll_mailboxes",
    "schedule": SPORTELLO_MAILBOX_POLL_SECONDS,
    "options": {"expires": SPORTELLO_MAILBOX_POLL_SECONDS},
}
# Inputs stored but never processed (a crash between commit and enqueue) go back to the workers.
CELERY_BEAT_SCHEDULE["requeue-received-inputs"] = {"task": "channels_app.tasks.requeue_received", "schedule": 300}
# Inputs whose workers were not told (the broker away while it was stored) and no reconnection handed back.
CELERY_BEAT_SCHEDULE["wake-for-waiting-inputs"] = {
    "task": "channels_app.tasks.wake_drainer_for_waiting_inputs",
    "schedule": 10,
    "options": {"expires": 10},
}
# Where citizens' replies should go (the polled mailbox) when it differs from DEFAULT_FROM_EMAIL.
SPORTELLO_REPLY_TO = env("SPORTELLO_REPLY_TO", default="")
# Mail from these addresses is our own coming back (a loop), never a citizen's request.
SPORTELLO_OWN_ADDRESSES = env.list("SPORTELLO_OWN_ADDRESSES", default=[])
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Acknowledge every new request (reference, expected date, tracking link) in the citizen's language.
SPORTELLO_SEND_ACKNOWLEDGEMENTS = env.bool("SPORTELLO_SEND_ACKNOWLEDGEMENTS", default=True)


# ----------------------------------------------------------------------------- security (issue 8)
# Login lockout (django-axes): 5 failures per user name and IP lock for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
# Sessions: 8 hours at most, and 30 minutes without activity (privacy.middleware.StaffSessionMiddleware).
# Flash messages travel in their own cookie, so operators.pagecache sees one is waiting without
# loading the session (it then lets the request through instead of replaying the page).
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
MESSAGE_COOKIE_NAME = "messages"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SPORTELLO_SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Supervisors and administrators must pass TOTP (django-otp) before these pages.
SPORTELLO_TWO_FACTOR_PROTECTED_PREFIXES = ["/desk/", "/dashboard/", "/admin/", "/api/v1/"]
SPORTELLO_TWO_FACTOR_ENFORCED = env.bool("TWO_FACTOR_ENFORCED", default=True)
OTP_TOTP_ISSUER = "Sportello"
# HTTPS: secure by default when DEBUG is off; each can be turned off by env for a local HTTP run.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz)$"]  # probes of compose and load balancers speak plain HTTP
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): no inline scripts or styles anywhere; the API docs page relaxes
# style-src for itself only (api/docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
