"""Running the Alembic migrations from code (CLI, demo, tests)."""

from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    # Two branches: the core schema and the talent-box module (app/talentbox/migrations).
    locations = [ROOT / "migrations" / "versions", ROOT / "app" / "talentbox" / "migrations"]
    config.set_main_option("version_locations", ":".join(str(p) for p in locations))
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str | None = None, revision: str = "heads") -> None:
    command.upgrade(alembic_config(database_url), revision)
