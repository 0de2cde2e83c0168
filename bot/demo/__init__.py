"""`kkrbot demo`: the real bot against the local emulator, with a seeded demo council."""
