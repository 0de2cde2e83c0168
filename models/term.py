"""The term's tables: the election's composition, the municipalities' leaders, vacancies,
alliances (R-C1, R-C2, R-S2, R-S6, R-K1–R-K3). Knows tables and columns, no rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Date, Float, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime


def _when() -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=True)


class Term(SQLModel, table=True):
    """A council's four years, from one municipal election to the next; archived when over."""

    __table_args__ = (UniqueConstraint("council_id", "election_day"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    election_day: date = Field(sa_type=Date)
    starts_on: date = Field(sa_type=Date)
    ends_on: date | None = Field(default=None, sa_type=Date)
    archived_at: datetime | None = _when()  # read-only from then on
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # R-K1/R-K2: the constituent meeting, once called, and when it elected the chair.
    constituent_meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    constituted_at: datetime | None = _when()


class TermParty(SQLModel, table=True):
    """R-C1/R-C2: one party's votes in the region, its mayors and the seats computed for it."""

    __tablename__ = "term_party"
    __table_args__ = (UniqueConstraint("term_id", "party"),)

    id: int | None = Field(default=None, primary_key=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    party: str = Field(sa_type=String(40))
    votes: float = Field(sa_type=Float)
    mayors: int = 0
    seats: int = 0
    qualifies: bool = False  # at least 2 % of the votes in the region (R-C1)


class MunicipalLeaders(SQLModel, table=True):
    """R-S2/R-K1: a municipality's mayor and deputy mayors, as the municipalities import gives them."""

    __tablename__ = "municipal_leaders"

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", unique=True)
    mayor: str = Field(sa_type=String(200))
    party: str | None = Field(default=None, sa_type=String(40))
    mayor_since: date | None = Field(default=None, sa_type=Date)
    born: date | None = Field(default=None, sa_type=Date)
    first_deputy: str | None = Field(default=None, sa_type=String(200))
    second_deputy: str | None = Field(default=None, sa_type=String(200))
    # R-S2: the person the municipal council chose when both deputies are members.
    chosen_substitute: str | None = Field(default=None, sa_type=String(200))


class Vacancy(SQLModel, table=True):
    """R-S6: a seat a party must fill (a member or a substitute), and the substitute asked first."""

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    kind: str = Field(sa_type=String(20))  # "member" or "substitute"
    party: str | None = Field(default=None, sa_type=String(40))
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    left_id: int | None = Field(default=None, foreign_key="person.id")  # who left the seat
    for_member_id: int | None = Field(default=None, foreign_key="person.id")  # a substitute's
    # The substitute asked to become member (R-S6), and who stays substitute for the new member.
    offered_to_id: int | None = Field(default=None, foreign_key="person.id")
    offer_answer: str | None = Field(default=None, sa_type=String(20))
    offered_at: datetime | None = _when()
    answered_at: datetime | None = _when()
    substitute_id: int | None = Field(default=None, foreign_key="person.id")
    over_cap: bool = False  # R-S6: a mayor changed party; the cap (R-C2) may be exceeded
    office: str | None = Field(default=None, sa_type=String(20))  # R-K3: the office vacated
    opened_on: date = Field(sa_type=Date)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    filled_by_id: int | None = Field(default=None, foreign_key="person.id")
    filled_at: datetime | None = _when()


class Alliance(SQLModel, table=True):
    """R-K2: parties that count their votes together for the chair and vice chair."""

    id: int | None = Field(default=None, primary_key=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    parties: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notified_on: date = Field(sa_type=Date)
    notified_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class OfficeRecord(SQLModel, table=True):
    """R-K2/R-K3: who held the chair or vice chair, from when, and how they got it."""

    __tablename__ = "office_record"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    office: str = Field(sa_type=String(20))
    person_id: int = Field(foreign_key="person.id")
    group_name: str = Field(sa_type=String(200))  # the party or alliance whose seat it is
    how: str = Field(sa_type=String(20))  # "elected" (R-K2) or "successor" (R-K3)
    started_on: date = Field(sa_type=Date)
    until: date | None = Field(default=None, sa_type=Date)  # R-K3: for a period of absence
    ended_on: date | None = Field(default=None, sa_type=Date)
    note: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
