"""What people and the clock do: one function per use case, one transaction each."""

# Every session of every entry point refuses writes into an archived term (one check, at the flush).
from services import archive as _archive  # noqa: F401
