"""The exceptions of the rules of procedure: every refusal is a specific ProcedureError."""

from __future__ import annotations


class ProcedureError(ValueError):
    """Base class: the input breaks a rule of procedure or cannot be decided by the rules."""


class InvalidCount(ProcedureError):
    """A count (members, votes, seats, days, requests) is negative or out of its range."""


class NaiveDatetime(ProcedureError):
    """A moment without a time zone was given where an aware datetime is required."""


class NotQuorate(ProcedureError):
    """R-Q3: no decision can be recorded while the meeting is not quorate."""


class InvalidVote(ProcedureError):
    """R-Q3: a vote value other than yes, no, abstain or None, or one the tally contradicts."""


class AllianceConflict(ProcedureError):
    """R-E2/R-K2: a party declared in two alliances, twice in one, or unknown to the election."""


class ElectionError(ProcedureError):
    """R-E1/R-E2: an election that cannot be run as given (wrong round, too few candidates, ...)."""


class CompositionError(ProcedureError):
    """R-C1/R-C2: votes and mayors from which no composition can be computed."""


class UnknownAction(ProcedureError):
    """An action name that the permission table does not know."""
