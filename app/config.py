"""One typed settings object, read from PROASN_* environment variables and `.env`."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOM_TIME_ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROASN_", env_file=".env", extra="ignore")

    # SQLite file in the working directory by default; PostgreSQL (psycopg 3) in production.
    database_url: str = "sqlite:///./proasn.db"
    # Request threads of one server worker, and so its database connections: one per thread
    # (a request never waits for a connection held by a request waiting for a thread, and no
    # connection is opened and closed per request), never more. A worker runs on one core;
    # more threads than it can keep busy only hold idle PostgreSQL connections (two workers
    # with 40 each starved a 100-connection cluster). Workers × nodes × this must fit
    # max_connections, or go through PgBouncer (docs/deploy.md).
    worker_threads: int = Field(default=16, ge=2, le=200)
    # Echo SQL for debugging only.
    database_echo: bool = False
    # The zone of the central agency's pages (talent box, parameter sets, audit log, tokens);
    # an event's own pages show its zone. Times are stored in UTC either way.
    default_time_zone: str = "Asia/Jakarta"
    # Access codes and room tokens: length and alphabet without look-alike characters.
    room_token_length: int = Field(default=6, ge=4, le=12)
    access_code_length: int = Field(default=12, ge=8, le=32)
    # argon2 cost for access codes (tests lower it; see kit/secrets_gen.py for why it is light).
    access_code_hash_time_cost: int = Field(default=2, ge=1)
    access_code_hash_memory_kib: int = Field(default=19456, ge=8)
    # Answers arriving this long after a deadline are still accepted (already on the wire).
    answer_grace_seconds: float = Field(default=3, ge=0, le=60)
    # After how long without a reply from the server the open test page reports that it is
    # alive and asks for news (pause, broadcast, extra time). The server's clock stops at a
    # pause at once and refuses saves while paused, so this only bounds how soon an idle page
    # shows it; 15 s keeps the board's 45-s "disconnected" at three missed beats. Each step
    # down costs capacity: with takers thinking long over an item, short beats become most
    # of the requests (figures: bench/README.md, "Figures behind the code").
    heartbeat_seconds: int = Field(default=15, ge=1, le=120)
    # The test page opens its signal stream (a proctor's pause or message pushed to it) this
    # many seconds after it loads, drawn per page load between half this and this: a room
    # pressing "Mulai tes" together would otherwise open a thousand streams (each costs more
    # server CPU than a heartbeat) in the seconds its first pages and batches need. Until
    # then the page hears of a pause from its saves and heartbeats, and the stream tells it
    # at once when it opens. 0: at once (tests). Only in a rush: when the worker built more
    # than `signal_delay_rush_pages` test pages in the last 10 s (a page loaded alone opens
    # its stream at once; 0: every page waits).
    signal_delay_seconds: float = Field(default=20, ge=0, le=300)
    signal_delay_rush_pages: int = Field(default=10, ge=0)
    # How often the background sweeper submits attempts whose time ran out.
    sweeper_seconds: float = Field(default=5, gt=0)
    # Staff passwords: argon2id (tests lower the cost).
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65536, ge=8)
    # Staff login sessions end after this much idleness, and in any case after `hours`.
    staff_idle_minutes: int = Field(default=60, ge=1)
    staff_session_hours: int = Field(default=12, ge=1)
    # Reverse proxies whose X-Forwarded-For names the client (comma-separated addresses or
    # networks, e.g. "10.0.0.2,10.1.0.0/16"; "*" trusts anyone and is for tests only). Empty:
    # the header is ignored and the connection's address counts, so a client cannot choose
    # the address its guesses are counted against (docs/deploy.md).
    trusted_proxies: str = ""
    # A taker's login ends this long after their test was submitted (the finished page and
    # their result, when shown, stay reachable until then), and at once when the session closes.
    taker_login_after_submit_minutes: int = Field(default=30, ge=1)
    # Request bodies over these sizes are refused (413) before anything parses them: every
    # JSON call and form, the talent box's file uploads (potency, SKP, profile records), and
    # a site's results file pushed to the centre (sized in docs/sites.md).
    max_body_kib: int = Field(default=64, ge=4)
    max_upload_mib: int = Field(default=20, ge=1)
    max_sync_mib: int = Field(default=64, ge=1)
    # A rotated room token keeps working this long, so takers typing it are not refused.
    token_overlap_minutes: int = Field(default=2, ge=0)
    # Live-server timer tests only: a file holding seconds to add to the server clock.
    clock_offset_file: str | None = None
    # The address takers' browsers use, e.g. "https://cat.bkn.go.id" (scheme, host, any path
    # prefix a proxy strips): Safe Exam Browser hashes the URL it asked for, which behind a
    # reverse proxy is not the one the server sees. Empty: the request's scheme and Host.
    public_base_url: str = ""
    # Set true behind HTTPS so session cookies are only sent over TLS.
    cookie_secure: bool = False
    # The key of the research export's pseudonyms (HMAC-SHA256 of the NIP; docs/privacy.md):
    # at least 32 characters, kept apart from the files it keys, the same for exports that
    # must link the same person. `--secret-file` overrides it.
    research_secret: str = Field(default="", repr=False)
    # This server's sync keys (Ed25519 + X25519, docs/sync.md): made by `proasn sync keys`,
    # mode 0600, never copied to another server.
    sync_key_file: Path = Path("./proasn-sync.key")
    # Where `proasn event import` writes freshly generated access codes (shown once only).
    access_code_dir: Path = Path(".")


@lru_cache
def get_settings() -> Settings:
    return Settings()
