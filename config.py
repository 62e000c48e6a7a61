"""Configuration classes; environment variables override the defaults."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

DEV_SECRET_KEY = "dev-only-not-secret"


def _rate(text: str) -> tuple[int, int] | None:
    """ "10/60" → (10, 60): ten per sixty seconds; "off" → None."""
    if text == "off":
        return None
    count, seconds = text.split("/")
    return int(count), int(seconds)


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'forum.db'}"
    )
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    # Origins allowed to open a socket, comma-separated; none set means the forum's own only.
    SOCKETIO_CORS_ORIGINS = [
        origin.strip()
        for origin in os.environ.get("SOCKETIO_CORS_ORIGINS", "").split(",")
        if origin.strip()
    ] or None
    # Engine.IO's heartbeat: a ping every interval; no pong within the timeout closes the link.
    SOCKETIO_PING_INTERVAL = float(os.environ.get("SOCKETIO_PING_INTERVAL", "25"))
    SOCKETIO_PING_TIMEOUT = float(os.environ.get("SOCKETIO_PING_TIMEOUT", "20"))
    # Seconds between presence updates of one channel; between typing signals of one person.
    PRESENCE_INTERVAL = 1.0
    TYPING_INTERVAL = 3.0
    # Live events stay in the log this long for clients that reconnect; older ones reload.
    EVENT_LOG_RETENTION_DAYS = float(os.environ.get("EVENT_LOG_RETENTION_DAYS", "7"))
    # "eventlet" in production (run.py); "threading" works with the same code.
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")

    BABEL_DEFAULT_LOCALE = "pl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Warsaw"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("pl", "en")

    # A request body larger than this is refused with 413 before any parsing.
    MAX_CONTENT_LENGTH = 64 * 1024
    # werkzeug's scrypt: deliberately slow; tests use cheaper parameters.
    PASSWORD_HASH_METHOD = "scrypt"

    # (posts, seconds) one person may write; None turns the limit off.
    POST_RATE_LIMIT = _rate(os.environ.get("POST_RATE_LIMIT", "10/60"))
    THREADS_PER_PAGE = 20
    MAX_REPLY_DEPTH = 6
    TITLE_MAX_LENGTH = 150
    # A post is rendered on the one event loop, so the longest body bounds how long one request can
    # hold everyone: markdown-it-py and bleach cost up to ~20-30 µs of CPU per character (a table of
    # hundreds of rows; bench/render.py), so 1,500 characters take at most ~45 ms (20,000 allowed
    # 0.7 s). 1,500 characters (about 220 words) is half as much again as Decidim, the
    # participatory-budget platform many cities run, allows a comment by default (1,000): room for
    # an argued opening post.
    BODY_MAX_LENGTH = 1_500

    # make run starts with demo accounts and threads; production never does.
    SEED_DEMO_DATA = os.environ.get("SEED_DEMO_DATA", "1") == "1"
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_SAMESITE = "Lax"


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    POST_RATE_LIMIT = None  # tests that need it turn it on
    PRESENCE_INTERVAL = 0.01
    SEED_DEMO_DATA = False


class ProductionConfig(Config):
    SEED_DEMO_DATA = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls):
        if cls.SECRET_KEY == DEV_SECRET_KEY:
            raise RuntimeError("Set SECRET_KEY: production refuses the development key.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
