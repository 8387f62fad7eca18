"""The database: a SQLite file for the demo, PostgreSQL in production."""

from .base import BASE_DIR, env

# DATABASE_URL selects the engine: a SQLite file for the demo, PostgreSQL in
# production (postgres://user@host:5432/name).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a worker writes; IMMEDIATE transactions
    # take the write lock up front instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation pays off for long analytical scans, not for pages: the results page's one-pass
    # aggregate spent ~60 ms of a ~230 ms request compiling (bench/results_bench.py). A DATABASE_URL
    # with ?options=... replaces this.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
