"""The constituent meeting (R-K1, R-K2) and replacing the chair or vice chair (R-K3).

The convener is the longest-serving mayor (ties: the oldest), from the municipalities import; the
meeting is held by 31 January after the election; alliances reach the secretariat until three
working days before it (the council's closed days count as closed); the chair and vice chair are
elected by d'Hondt on the parties' votes with alliances counted together, and the offices are set
from the result. Then the previous term is archived (read-only).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MeetingKind, MeetingStatus, MembershipRole, Office
from models.tables import Council, Meeting, Membership, Person
from models.term import Alliance, OfficeRecord, Term
from procedure.constitution import constituent_convener, group_of, whole_votes
from procedure.deadlines import alliance_notice_deadline, constituent_meeting_deadline
from procedure.elections import ALLIANCE_JOINER, dhondt_order, merge_alliances
from procedure.errors import ProcedureError
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.annual_plan import closed_days
from services.errors import Refused
from services.meetings import add_meeting
from services.municipalities import leaders_by_municipality
from services.outbox import enqueue
from services.term import current_term, term_parties

SUBJECT = "Konstituerende møde"  # the meeting's subject, as the council's papers call it


@dataclass(frozen=True)
class Convener:
    """R-K1: who calls the constituent meeting, and by when it must be held."""

    name: str
    person_id: int | None  # None when the mayor is not (yet) a member in the bot
    deadline: date


async def convener(session: AsyncSession, council: Council) -> Convener:
    """R-K1: the longest-serving mayor (ties: the oldest), from the municipalities import."""
    term = await current_term(session, council.id or 0)
    leaders = await leaders_by_municipality(session, council)
    since = {lead.mayor: lead.mayor_since for lead in leaders.values() if lead.mayor_since}
    born = {lead.mayor: lead.born for lead in leaders.values() if lead.born}
    if not since:
        raise Refused(
            "invalid_input", "the municipalities import gives no mayor_since dates (R-K1)"
        )
    try:
        name = constituent_convener(
            {m: d for m, d in since.items() if d is not None},
            {m: d for m, d in born.items() if d is not None},
        )
    except ProcedureError as error:
        raise Refused("invalid_input", str(error)) from error
    person = (
        await session.exec(
            select(Person).where(Person.council_id == council.id, Person.name == name)
        )
    ).first()
    return Convener(
        name, person.id if person else None, constituent_meeting_deadline(term.election_day)
    )


async def check_call(
    session: AsyncSession, *, actor: Actor, starts_at: datetime
) -> tuple[Council, Term, Convener]:
    """R-K1: whether the actor may call the constituent meeting for `starts_at` (naive: local):
    the convener, or the secretariat on their behalf; by 31 January; once per term."""
    council = await _council(session, actor.council_id)
    term = await current_term(session, council.id or 0)
    who = await convener(session, council)
    if actor.person_id != who.person_id:
        actor.require(Action.MANAGE_MEMBERS)  # the secretariat may call it on the convener's behalf
    if term.constituted_at is not None:
        raise Refused("already_constituted")
    called = await session.get(Meeting, term.constituent_meeting_id or 0)
    if called is not None and called.status != MeetingStatus.CANCELLED:
        raise Refused("constituent_called_already", when=called.starts_at)
    tz = ZoneInfo(council.timezone)
    local = starts_at if starts_at.tzinfo else starts_at.replace(tzinfo=tz)
    if local.astimezone(tz).date() > who.deadline:
        raise Refused("constituent_too_late", deadline=who.deadline.isoformat())
    return council, term, who


async def call_constituent_meeting(
    session: AsyncSession,
    *,
    actor: Actor,
    starts_at: datetime,
    place: str,
    now: datetime,
) -> Meeting:
    """R-K1: the convener (or the secretariat on their behalf) calls the constituent meeting, no
    later than 31 January after the election; everyone is told, with the alliances' deadline."""
    council, term, who = await check_call(session, actor=actor, starts_at=starts_at)
    tz = ZoneInfo(council.timezone)
    local = starts_at if starts_at.tzinfo else starts_at.replace(tzinfo=tz)
    meeting = await add_meeting(
        session,
        council=council,
        starts_at=starts_at,
        place=place,
        now=now,
        kind=MeetingKind.EXTRAORDINARY,
        subject=SUBJECT,
        actor=actor,
        summoned_by_caller=True,  # everyone is told below, with the alliances' deadline
    )
    term.constituent_meeting_id = meeting.id
    session.add(term)
    deadline = alliance_notice_deadline(local.astimezone(tz).date(), closed_days(council))
    people = await session.exec(
        select(Membership.person_id).where(
            Membership.council_id == council.id, Membership.current()
        )
    )
    for person_id in people.all():
        await enqueue(
            session,
            person_id=person_id,
            kind="constituent_called",
            dedupe_key=f"constituent:{meeting.id}:{person_id}",
            now=now,
            payload={
                "council": council.name,
                "starts_at": meeting.starts_at.astimezone(tz).isoformat(),
                "place": meeting.place,
                "convener": who.name,
                "alliance_deadline": deadline.isoformat(),
            },
            council_id=council.id,
        )
    audit.record(
        session,
        now=now,
        action="term.call_constituent",
        council_id=council.id,
        actor_id=actor.person_id,
        subject=f"meeting:{meeting.id}",
    )
    return meeting


async def alliance_deadline(session: AsyncSession, council: Council, term: Term) -> date:
    """R-K2: the last day alliances can be notified (three working days before the meeting)."""
    meeting = await session.get(Meeting, term.constituent_meeting_id or 0)
    if meeting is None:
        raise Refused("no_constituent_meeting")
    tz = ZoneInfo(council.timezone)
    return alliance_notice_deadline(meeting.starts_at.astimezone(tz).date(), closed_days(council))


async def notify_alliance(
    session: AsyncSession, *, actor: Actor, parties: list[str], now: datetime
) -> Alliance:
    """R-K2: parties notify the secretariat that they count their votes together; on time means
    by the end of the third working day before the constituent meeting (council's local date)."""
    actor.require(Action.NOTIFY_ALLIANCE)
    council = await _council(session, actor.council_id)
    term = await current_term(session, council.id or 0)
    if term.archived_at is not None:
        raise Refused("term_archived")
    if term.constituted_at is not None:
        raise Refused("already_constituted")
    deadline = await alliance_deadline(session, council, term)
    today = now.astimezone(ZoneInfo(council.timezone)).date()
    if today > deadline:
        raise Refused("alliance_too_late", deadline=deadline.isoformat())
    parties = list(dict.fromkeys(p.strip() for p in parties if p.strip()))
    if len(parties) < 2:
        raise Refused("alliance_too_small")
    known = {p.party for p in await term_parties(session, term) if p.votes > 0}
    for party in parties:
        if party not in known:
            raise Refused("alliance_unknown_party", party=party)
    for alliance in await _alliances(session, term):
        overlap = set(alliance.parties) & set(parties)
        if overlap:
            raise Refused("alliance_overlap", party=sorted(overlap)[0])
    alliance = Alliance(
        term_id=term.id or 0,
        parties=parties,
        notified_on=today,
        notified_by_id=actor.person_id,
        created_at=now,
    )
    session.add(alliance)
    await session.flush()
    audit.record(
        session,
        now=now,
        action="term.alliance",
        council_id=council.id,
        actor_id=actor.person_id,
        subject=f"alliance:{alliance.id}",
        parties=parties,
    )
    return alliance


@dataclass(frozen=True)
class Constitution:
    """R-K2: the groups that took the chair and the vice chair, and who holds them."""

    groups: dict[str, int]  # the groups' whole votes, alliances merged
    chair_group: str
    vice_group: str
    chair: str
    vice_chair: str


async def election_groups(session: AsyncSession, term: Term) -> dict[str, int]:
    """R-K2: the groups' votes: every party with seats in the council, alliances counted together."""
    votes = {p.party: p.votes for p in await term_parties(session, term) if p.seats > 0}
    alliances = [a.parties for a in await _alliances(session, term)]
    return merge_alliances(whole_votes(votes), [[p for p in a if p in votes] for a in alliances])


async def constitute(
    session: AsyncSession,
    *,
    actor: Actor,
    chair: str,
    vice_chair: str,
    now: datetime,
    seed: int | None = None,
) -> Constitution:
    """R-K2: at the constituent meeting, the first d'Hondt seat is the chair's group's, the second
    the vice chair's; each group names its person (a current member of a party of the group).
    The offices are set from the result, and the previous term is archived."""
    actor.require(Action.MANAGE_MEMBERS)
    council = await _council(session, actor.council_id)
    term = await current_term(session, council.id or 0)
    if term.constituted_at is not None:
        raise Refused("already_constituted")
    if term.constituent_meeting_id is None:
        raise Refused("no_constituent_meeting")
    groups = await election_groups(session, term)
    # Equal quotients are settled by lot (R-E2); the seed is the term's, so a replay draws alike.
    chair_group, vice_group = dhondt_order(groups, 2, random.Random(seed or term.id))
    holders = {
        Office.CHAIR: await member_of_group(session, council, chair, chair_group),
        Office.VICE_CHAIR: await member_of_group(session, council, vice_chair, vice_group),
    }
    await install_officers(
        session,
        council=council,
        term=term,
        holders={
            Office.CHAIR: (holders[Office.CHAIR][0], chair_group),
            Office.VICE_CHAIR: (holders[Office.VICE_CHAIR][0], vice_group),
        },
        now=now,
    )
    audit.record(
        session,
        now=now,
        action="term.constitute",
        council_id=council.id,
        actor_id=actor.person_id,
        subject=f"term:{term.id}",
        chair=chair,
        vice_chair=vice_chair,
        chair_group=chair_group,
        vice_group=vice_group,
    )
    return Constitution(groups, chair_group, vice_group, chair, vice_chair)


async def install_officers(
    session: AsyncSession,
    *,
    council: Council,
    term: Term,
    holders: dict[str, tuple[Membership, str]],
    now: datetime,
) -> None:
    """R-K2: the offices set from the election ({office: (holder, their group)}); the term is
    constituted and the one before it archived (read-only, services/archive.py)."""
    await _clear_offices(session, council, now)
    for office, (membership, group) in holders.items():
        membership.office = office
        session.add(membership)
        session.add(
            OfficeRecord(
                council_id=council.id or 0,
                office=office,
                person_id=membership.person_id,
                group_name=group,
                how="elected",
                started_on=now.astimezone(ZoneInfo(council.timezone)).date(),
                created_at=now,
            )
        )
    term.constituted_at = now
    session.add(term)
    await _archive_previous(session, council, term, now)


async def name_successor(
    session: AsyncSession,
    *,
    actor: Actor,
    office: str,
    name: str,
    now: datetime,
    until: date | None = None,
) -> OfficeRecord:
    """R-K3: the group that elected the chair or vice chair names the successor, for good when the
    office is vacant, or for the period (`until`) the holder is prevented for at least 3 months."""
    actor.require(Action.MANAGE_MEMBERS)
    council = await _council(session, actor.council_id)
    if office not in (Office.CHAIR, Office.VICE_CHAIR):
        raise Refused("invalid_input", f"office must be chair or vice_chair, not {office!r}")
    record = (
        await session.exec(
            select(OfficeRecord)
            .where(
                OfficeRecord.council_id == council.id,
                OfficeRecord.office == office,
                col(OfficeRecord.ended_on).is_(None),
            )
            .order_by(col(OfficeRecord.id).desc())
        )
    ).first()
    holder = (
        await session.exec(
            select(Membership).where(
                Membership.council_id == council.id,
                Membership.current(),
                Membership.office == office,
            )
        )
    ).first()
    if holder is not None and until is None:
        raise Refused("no_vacant_office", office=office)
    today = now.astimezone(ZoneInfo(council.timezone)).date()
    if until is not None and until <= today:
        # R-K3: the period is the holder's expected absence; it ends by itself (services/offices).
        raise Refused("successor_until_past", day=until.isoformat())
    group = record.group_name if record else None
    membership, person = await member_of_group(session, council, name, group)
    if holder is not None:  # prevented for a period: the office passes for that period
        holder.office = None
        session.add(holder)
        await session.flush()
    if record is not None:
        record.ended_on = today
        session.add(record)
    membership.office = office
    session.add(membership)
    successor = OfficeRecord(
        council_id=council.id or 0,
        office=office,
        person_id=person.id or 0,
        group_name=group or (person.party or "?"),
        how="successor",
        started_on=today,
        until=until,
        created_at=now,
    )
    session.add(successor)
    await session.flush()
    audit.record(
        session,
        now=now,
        action="term.successor",
        council_id=council.id,
        actor_id=actor.person_id,
        subject=f"office:{office}",
        person=person.name,
        until=until.isoformat() if until else None,
    )
    return successor


# --- helpers ------------------------------------------------------------------------------------


async def _council(session: AsyncSession, council_id: int) -> Council:
    council = await session.get(Council, council_id)
    if council is None:
        raise Refused("not_found", "no such council")
    return council


async def _alliances(session: AsyncSession, term: Term) -> list[Alliance]:
    rows = await session.exec(
        select(Alliance).where(Alliance.term_id == term.id).order_by(col(Alliance.id))
    )
    return list(rows.all())


async def member_of_group(
    session: AsyncSession, council: Council, name: str, group: str | None
) -> tuple[Membership, Person]:
    """A current mayor or member called `name` whose party counts in `group` (any, if None)."""
    row = (
        await session.exec(
            select(Membership, Person)
            .join(Person, col(Person.id) == col(Membership.person_id))
            .where(
                Membership.council_id == council.id,
                Membership.current(),
                col(Membership.role).in_([MembershipRole.MAYOR, MembershipRole.MEMBER]),
                Person.name == name.strip(),
            )
        )
    ).first()
    if row is None:
        raise Refused("officer_not_member", name=name)
    membership, person = row
    if group is not None and group_of(person.party or "", [group], ALLIANCE_JOINER) is None:
        raise Refused(
            "officer_wrong_group",
            f"{name} ({person.party}) is not of the group {group} that has the seat",
            name=person.name,
            party=person.party or "—",
            group=group,
        )
    return membership, person


async def _clear_offices(session: AsyncSession, council: Council, now: datetime) -> None:
    today = now.astimezone(ZoneInfo(council.timezone)).date()
    for membership in await session.exec(
        select(Membership).where(
            Membership.council_id == council.id, col(Membership.office).is_not(None)
        )
    ):
        if membership.ended_on is None:
            membership.office = None
            session.add(membership)
    for record in await session.exec(
        select(OfficeRecord).where(
            OfficeRecord.council_id == council.id, col(OfficeRecord.ended_on).is_(None)
        )
    ):
        record.ended_on = today
        session.add(record)
    await session.flush()


async def _archive_previous(
    session: AsyncSession, council: Council, term: Term, now: datetime
) -> None:
    """The term before this one ends and becomes read-only (its minutes, attendance stay). It ends
    when the new one begins, or at the constituent meeting if that is held earlier (a December
    meeting belongs to the new term, which must still close it and write its minutes)."""
    ends_on = term.starts_on
    meeting = await session.get(Meeting, term.constituent_meeting_id or 0)
    if meeting is not None:
        ends_on = min(ends_on, meeting.starts_at.astimezone(ZoneInfo(council.timezone)).date())
    for previous in await session.exec(
        select(Term).where(
            Term.council_id == council.id,
            Term.id != term.id,
            col(Term.archived_at).is_(None),
        )
    ):
        previous.archived_at = now
        previous.ends_on = ends_on
        session.add(previous)
