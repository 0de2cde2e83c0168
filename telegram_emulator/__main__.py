"""``python -m telegram_emulator --port 8081``: the local Bot API emulator, until Ctrl-C."""

from __future__ import annotations

import argparse

import uvicorn

from telegram_emulator.faults import RateLimitConfig
from telegram_emulator.server import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m telegram_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", help="the default bot's token (else: the first bot to call)")
    parser.add_argument("--username", help="the default bot's username")
    parser.add_argument(
        "--rate-limits", action="store_true", help="enforce Telegram's flood limits (429)"
    )
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    app = create_app(
        bot_token=args.token,
        bot_username=args.username,
        rate_limits=RateLimitConfig(enabled=args.rate_limits),
    )
    base = f"http://{args.host}:{args.port}"
    print(f"Bot API:        {base}/bot   (KKRBOT_TELEGRAM_BASE_URL)")
    print(f"Files:          {base}/file/bot")
    print(f"Simulation API: {base}/sim   (see telegram_emulator/README.md)")
    # Connections kept open longer than a client's idle pool (httpx: 5 s), as in server.py: with
    # uvicorn's 5 s both ends let go at once, and a request sent on a connection the server is
    # closing fails with a network error (a bench's reply lost).
    uvicorn.run(
        app, host=args.host, port=args.port, log_level=args.log_level, timeout_keep_alive=30
    )


if __name__ == "__main__":
    main()
