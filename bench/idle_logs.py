"""Benchmark (issue 16): how many log bytes an idle bot writes per hour at INFO.

`kkrbot run` in a process of its own against the emulator in another, on a fresh SQLite file with
the demo council; nobody writes. The start-up's lines are left out: the bytes written between
`--settle` seconds after start and the end, extrapolated to an hour. Target: 0 (nothing at INFO
when nothing happens; the sweep, the delivery worker and the long poll run all along).

    .venv/bin/python bench/idle_logs.py [--seconds 120] [--settle 20] [--webhook]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.db import make_engine, make_session_factory  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from services.demo_seed import seed_demo  # noqa: E402

TOKEN = "4848:IDLE"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def seed(url: str) -> None:
    engine = make_engine(url)
    await upgrade(engine)
    await seed_demo(make_session_factory(engine), datetime.now(UTC))
    await engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--settle", type=float, default=20.0)
    parser.add_argument("--webhook", action="store_true", help="webhook mode instead of polling")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kkrbot-idle-"))
    url = f"sqlite+aiosqlite:///{work / 'idle.db'}"
    asyncio.run(seed(url))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KKRBOT_")}
    env["PYTHONPATH"] = str(ROOT)
    emu_port, web_port = free_port(), free_port()
    emulator = subprocess.Popen(
        [sys.executable, "-m", "telegram_emulator", "--port", str(emu_port), "--token", TOKEN,
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    env.update(
        KKRBOT_TELEGRAM_TOKEN=TOKEN,
        KKRBOT_TELEGRAM_BASE_URL=f"http://127.0.0.1:{emu_port}/bot",
        KKRBOT_DATABASE_URL=url,
        KKRBOT_WEB_PORT=str(web_port),
        KKRBOT_LOG_LEVEL="INFO",
        KKRBOT_SWEEP_INTERVAL="60",  # production's intervals
        KKRBOT_DELIVERY_INTERVAL="1",
    )
    command = [sys.executable, "-c", "from bot.cli import main; main()", "run"]
    if args.webhook:
        command += ["--webhook", f"http://127.0.0.1:{web_port}/telegram"]
    log = work / "bot.log"
    time.sleep(2)  # the emulator's start
    with log.open("wb") as out:
        bot = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        try:
            time.sleep(args.settle)
            settled = log.stat().st_size
            time.sleep(args.seconds)
            idle = log.stat().st_size - settled
        finally:
            bot.terminate()
            bot.wait(60)
            emulator.terminate()
            emulator.wait(10)
    per_hour = idle * 3600 / args.seconds
    mode = "webhook" if args.webhook else "long polling"
    print(
        f"idle bot ({mode}, INFO): {idle} bytes in {args.seconds:.0f} s -> {per_hour:.0f} bytes/hour"
    )
    print(f"start-up wrote {settled} bytes; whole log: {log}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
