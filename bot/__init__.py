"""kkrbot's Telegram side: handlers, menus, the delivery worker, the CLI and the demo."""
