"""kkrbot's Telegram side: handlers, menus, the delivery worker, the CLI, the demo and the emulator."""
