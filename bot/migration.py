"""`kkrbot run` brings the database up to date in a short-lived process of its own (issue 15):
Alembic, Mako and Pygments, some 10 MB of modules, are needed once at start and would otherwise
stay in the bot's memory for as long as it runs. The worker logs as the bot does, to the same
stderr. It is started before the bot's own modules load, so the two overlap; the bot connects to
nothing until the migration has succeeded."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings


class MigrationFailed(RuntimeError):
    """The worker could not migrate the database (its log says why)."""


@dataclass(frozen=True)
class Migration:
    """A migration under way in its worker process."""

    process: subprocess.Popen[bytes]

    def wait(self) -> None:
        """Until the database is up to date; raises MigrationFailed if it could not be."""
        status = self.process.wait()
        if status != 0:
            raise MigrationFailed(f"the database migration failed (exit status {status})")


def start_migration(settings: Settings) -> Migration:
    """Start `python -m bot.migration` (the database URL goes on its stdin, not its command line,
    which anyone on the machine may read)."""
    request = json.dumps(
        {"url": settings.database_url, "level": settings.log_level, "format": settings.log_format}
    )
    process = subprocess.Popen([sys.executable, "-m", "bot.migration"], stdin=subprocess.PIPE)
    assert process.stdin is not None
    with process.stdin:
        process.stdin.write(request.encode())
    return Migration(process)


async def migrate(database_url: str) -> None:
    """Bring the database up to date on an engine of its own."""
    from models.db import make_engine
    from models.migrate import upgrade

    engine = make_engine(database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def _worker() -> None:
    """The worker's side: the request as JSON on stdin."""
    import models.migrate  # noqa: F401  # Alembic's chatter while it loads ("setup plugin …") is not logged
    from bot.logs import configure_logging

    request = json.load(sys.stdin)
    configure_logging(request["level"], fmt=request["format"])
    asyncio.run(migrate(request["url"]))


if __name__ == "__main__":
    _worker()
