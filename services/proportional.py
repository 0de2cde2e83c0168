"""R-E2 at the meeting: a proportional election of several to one body (forholdstalsvalg).

Members declare groups before the seats are shared — a party group, or an alliance of several
("valgforbund") — each with its spokesperson; the seats go by d'Hondt on the groups' member counts
(procedure.elections, equal quotients by a lot whose seed and witness are recorded); each group is
told how many seats it has; its spokesperson renounces seats (they pass to the others by the same
quotients) and names who takes the rest (R-E3 checked), each recorded in the register (R-E4).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.meeting_room import (
    Appointment,
    Body,
    ChosenHow,
    Election,
    ElectionGroup,
    ElectionGroupMember,
    ElectionKind,
    ElectionStatus,
)
from procedure.elections import dhondt_order, dhondt_quotients
from procedure.errors import ProcedureError
from procedure.permissions import Action
from services.actors import Actor
from services.appointments import appoint
from services.councillors import eligible
from services.elections import (
    WitnessedRandom,
    audit_election,
    election_and_room,
    require_kind,
)
from services.errors import Refused
from services.meeting_room import Room, require_quorum
from services.seats import tell


@dataclass(frozen=True)
class SeatAward:
    """R-E2: one seat in the d'Hondt order, the group that takes it and its quotient."""

    seat: int
    group: str
    quotient: str


async def declare_group(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    election_id: int,
    name: str,
    members: list[str],
    parties: list[str] | None = None,
    spokesperson: str | None = None,
) -> ElectionGroup:
    """R-E2: members declare that they vote together (a party group, or an alliance of several
    parties); the one declaring is the spokesperson unless the secretariat names one."""
    election, room = await election_and_room(
        session, actor, now, election_id, Action.VOTE, lead=True
    )
    require_kind(election, ElectionKind.PROPORTIONAL)
    if election.result is not None:
        raise Refused("seats_shared_already")
    groups = await _groups(session, election_id)
    if any(g.name.casefold() == name.strip().casefold() for g in groups):
        raise Refused("group_name_taken", name=name.strip())
    ids = [_member_id(room, member) for member in members]
    speaker = _member_id(room, spokesperson) if spokesperson else actor.person_id
    if speaker not in room.seats.members:
        raise Refused("not_a_member", name=room.seats.name(speaker))
    group = ElectionGroup(
        election_id=election_id,
        name=name.strip(),
        parties=parties or [name.strip()],
        spokesperson_id=speaker,
        declared_at=now,
    )
    session.add(group)
    await session.flush()
    taken = {
        m.member_id
        for m in (
            await session.exec(
                select(ElectionGroupMember).where(ElectionGroupMember.election_id == election_id)
            )
        ).all()
    }
    for member_id in dict.fromkeys(ids):
        if member_id in taken:
            raise Refused("in_another_group", name=room.seats.name(member_id))
        session.add(
            ElectionGroupMember(
                election_id=election_id, group_id=group.id or 0, member_id=member_id
            )
        )
    audit_election(session, actor, now, "election.group", election, room, group=group.name)
    await session.flush()
    return group


async def share_seats(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    election_id: int,
    witness: str | None = None,
    seed: str | None = None,
) -> list[SeatAward]:
    """R-E2: share the seats by d'Hondt among the groups' member counts; ties by recorded lot."""
    election, room = await election_and_room(session, actor, now, election_id, Action.LEAD_MEETING)
    require_kind(election, ElectionKind.PROPORTIONAL)
    if election.result is not None:
        raise Refused("seats_shared_already")
    require_quorum(room)
    if not await _groups(session, election_id):
        raise Refused("groups_needed")
    election.lot_seed = seed or secrets.token_hex(8)
    awards = await _award(session, election, witness, now)
    audit_election(session, actor, now, "election.shared", election, room, seed=election.lot_seed)
    await _tell_spokespersons(session, room, election, await _groups(session, election_id), now)
    return awards


async def renounce_seats(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    election_id: int,
    count: int,
    group_name: str | None = None,
    witness: str | None = None,
) -> list[SeatAward]:
    """R-E2: a group renounces seats it won; they pass to the others by the same quotients."""
    election, room = await election_and_room(
        session, actor, now, election_id, Action.VOTE, lead=True
    )
    if election.result is None:
        raise Refused("seats_not_shared")
    group = await _speaking_for(session, actor, room, election_id, group_name)
    named = await _named(session, election_id, group.id or 0)
    left = (group.seats_won or 0) - named
    if not 1 <= count <= left:
        raise Refused("renounce_too_many", seats=left)
    before = {g.id: g.seats_won for g in await _groups(session, election_id)}
    group.seats_renounced += count
    group.renounced_at = now
    session.add(group)
    election.result = None
    awards = await _award(session, election, witness or election.lot_witness, now)
    audit_election(
        session, actor, now, "election.renounce", election, room, group=group.name, count=count
    )
    # Each group whose seats changed is told its new number (the one renouncing too).
    changed = [g for g in await _groups(session, election_id) if before.get(g.id) != g.seats_won]
    await _tell_spokespersons(session, room, election, changed, now)
    return awards


async def name_to_seat(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    election_id: int,
    name: str,
    municipality: str | None = None,
    group_name: str | None = None,
) -> Appointment:
    """R-E2/R-E3/R-E4: the spokesperson names who takes the group's next seat; recorded in the
    register with the seat's quotient."""
    election, room = await election_and_room(
        session, actor, now, election_id, Action.VOTE, lead=True
    )
    if election.result is None:
        raise Refused("seats_not_shared")
    group = await _speaking_for(session, actor, room, election_id, group_name)
    named = await _named(session, election_id, group.id or 0)
    seats = [s for s in election.result if s["group_id"] == group.id]
    if named >= len(seats):
        raise Refused("no_seat_left")
    councillor = await eligible(session, actor.council_id, name, municipality)
    body = await body_named_by_id(session, election)
    appointment = await appoint(
        session,
        body=body,
        councillor=councillor,
        now=now,
        actor_id=actor.person_id,
        chosen_how=ChosenHow.PROPORTIONAL,
        election_id=election.id,
        group_id=group.id,
        quotient=seats[named]["quotient"],
    )
    if await _all_named(session, election):
        election.status, election.closed_at = ElectionStatus.CLOSED, now
        session.add(election)
    return appointment


async def body_named_by_id(session: AsyncSession, election: Election) -> Body:
    """The body the election appoints to."""
    body = await session.get(Body, election.body_id or 0)
    if body is None:
        raise Refused("body_unknown", name=election.title)
    return body


def _member_id(room: Room, name: str | None) -> int:
    wanted = (name or "").strip().casefold()
    found = next((m for m in room.seats.members if room.seats.name(m).casefold() == wanted), None)
    if found is None:
        raise Refused("not_a_member", name=(name or "").strip())
    return found


async def _groups(session: AsyncSession, election_id: int) -> list[ElectionGroup]:
    rows = await session.exec(
        select(ElectionGroup)
        .where(ElectionGroup.election_id == election_id)
        .order_by(col(ElectionGroup.id))
    )
    return list(rows.all())


async def _award(
    session: AsyncSession, election: Election, witness: str | None, now: datetime
) -> list[SeatAward]:
    """Share the seats again from the stored seed (so earlier lots replay), renunciations applied."""
    groups = await _groups(session, election.id or 0)
    members = (
        await session.exec(
            select(ElectionGroupMember).where(ElectionGroupMember.election_id == election.id)
        )
    ).all()
    sizes = {g.name: sum(1 for m in members if m.group_id == g.id) for g in groups}
    renounced = {g.name: g.seats_renounced for g in groups if g.seats_renounced}
    rng = WitnessedRandom(election.lot_seed)
    try:
        order = dhondt_order(sizes, election.seats, rng, renounced)
        quotients = dhondt_quotients(sizes, order)
    except ProcedureError as error:
        raise Refused("counts_invalid", str(error)) from None
    if rng.drawn:
        if not (witness and witness.strip()):
            raise Refused("lot_witness_needed")
        election.lot_witness = witness.strip()
        election.lot_drawn_at = election.lot_drawn_at or now
    by_name = {g.name: g for g in groups}
    election.result = [
        {"seat": n, "group_id": by_name[g].id, "group": g, "quotient": str(q)}
        for n, (g, q) in enumerate(zip(order, quotients, strict=True), start=1)
    ]
    for group in groups:
        group.seats_won = order.count(group.name)
        session.add(group)
    session.add(election)
    await session.flush()
    return [SeatAward(s["seat"], s["group"], s["quotient"]) for s in election.result]


async def _speaking_for(
    session: AsyncSession, actor: Actor, room: Room, election_id: int, group_name: str | None
) -> ElectionGroup:
    """The group the actor speaks for; the secretariat or the chair names it instead."""
    groups = await _groups(session, election_id)
    leads = (
        room.seats.acting_chair() == actor.person_id or actor.person_id in room.seats.secretariat
    )
    if group_name is not None and leads:
        wanted = group_name.strip().casefold()
        found = next((g for g in groups if g.name.casefold() == wanted), None)
        if found is None:
            raise Refused("not_spokesperson")
        return found
    mine = next((g for g in groups if g.spokesperson_id == actor.person_id), None)
    if mine is None:
        raise Refused("not_spokesperson")
    return mine


async def _named(session: AsyncSession, election_id: int, group_id: int) -> int:
    rows = await session.exec(
        select(Appointment.id).where(
            Appointment.election_id == election_id, Appointment.group_id == group_id
        )
    )
    return len(rows.all())


async def _all_named(session: AsyncSession, election: Election) -> bool:
    rows = await session.exec(select(Appointment.id).where(Appointment.election_id == election.id))
    return len(rows.all()) >= len(election.result or [])


@dataclass(frozen=True)
class GroupLine:
    """R-E2: a declared group as the room sees it."""

    name: str
    members: list[str]
    spokesperson: str
    seats: int | None  # won, once the seats are shared (after renunciations)
    renounced: int
    named: int  # seats the spokesperson has named someone for


@dataclass(frozen=True)
class GroupsView:
    """R-E2: the election, its groups with their member counts and, once shared, the order."""

    election_id: int
    title: str
    seats: int
    groups: list[GroupLine]
    awards: list[SeatAward] | None  # None until the seats are shared
    lot_needed: bool = False  # in a preview: the order needs a lot (a witness must be named)


async def groups_view(
    session: AsyncSession, *, actor: Actor, now: datetime, election_id: int
) -> GroupsView:
    """R-E2: /valg grupper — each group's member count, spokesperson and seats."""
    election, room = await election_and_room(
        session, actor, now, election_id, Action.VIEW_QUORUM, lock=False
    )
    require_kind(election, ElectionKind.PROPORTIONAL)
    return await _view(session, election, room)


async def preview_shares(
    session: AsyncSession, *, actor: Actor, now: datetime, election_id: int
) -> GroupsView:
    """R-E2: what sharing the seats now would give (nothing is recorded), and whether a lot is
    needed, for the one leading the meeting to confirm."""
    election, room = await election_and_room(
        session, actor, now, election_id, Action.LEAD_MEETING, lock=False
    )
    require_kind(election, ElectionKind.PROPORTIONAL)
    if election.result is not None:
        raise Refused("seats_shared_already")
    require_quorum(room)
    groups = await _groups(session, election_id)
    if not groups:
        raise Refused("groups_needed")
    sizes = await _sizes(session, election, groups)
    rng = WitnessedRandom(secrets.token_hex(8))
    try:
        order = dhondt_order(sizes, election.seats, rng)
        quotients = dhondt_quotients(sizes, order)
    except ProcedureError as error:
        raise Refused("counts_invalid", str(error)) from None
    view = await _view(session, election, room)
    if rng.drawn:  # the order (and perhaps who gets a seat) waits for the lot: nothing to show
        lines = [GroupLine(g.name, g.members, g.spokesperson, None, 0, 0) for g in view.groups]
        return GroupsView(view.election_id, view.title, view.seats, lines, None, True)
    awards = [
        SeatAward(n, g, str(q))
        for n, (g, q) in enumerate(zip(order, quotients, strict=True), start=1)
    ]
    lines = [
        GroupLine(g.name, g.members, g.spokesperson, order.count(g.name), 0, 0) for g in view.groups
    ]
    return GroupsView(view.election_id, view.title, view.seats, lines, awards)


async def _view(session: AsyncSession, election: Election, room: Room) -> GroupsView:
    groups = await _groups(session, election.id or 0)
    members = (
        await session.exec(
            select(ElectionGroupMember)
            .where(ElectionGroupMember.election_id == election.id)
            .order_by(col(ElectionGroupMember.id))
        )
    ).all()
    lines = []
    for group in groups:
        lines.append(
            GroupLine(
                name=group.name,
                members=[room.seats.name(m.member_id) for m in members if m.group_id == group.id],
                spokesperson=room.seats.name(group.spokesperson_id),
                seats=group.seats_won,
                renounced=group.seats_renounced,
                named=await _named(session, election.id or 0, group.id or 0),
            )
        )
    awards = (
        [SeatAward(s["seat"], s["group"], s["quotient"]) for s in election.result]
        if election.result is not None
        else None
    )
    return GroupsView(election.id or 0, election.title, election.seats, lines, awards)


async def _sizes(
    session: AsyncSession, election: Election, groups: list[ElectionGroup]
) -> dict[str, int]:
    members = (
        await session.exec(
            select(ElectionGroupMember).where(ElectionGroupMember.election_id == election.id)
        )
    ).all()
    return {g.name: sum(1 for m in members if m.group_id == g.id) for g in groups}


async def _tell_spokespersons(
    session: AsyncSession,
    room: Room,
    election: Election,
    groups: list[ElectionGroup],
    now: datetime,
) -> None:
    """R-E2: each group's spokesperson learns how many seats the group has (again after a
    renunciation changed it), with buttons to name people or renounce."""
    version = sum(g.seats_renounced for g in await _groups(session, election.id or 0))
    for group in groups:
        await tell(
            session,
            room.seats,
            [group.spokesperson_id],
            kind="election_seats",
            key=f"election-seats:{election.id}:{group.id}:{version}",
            now=now,
            payload={
                "election_id": election.id,
                "title": election.title,
                "group": group.name,
                "seats": group.seats_won,
            },
        )
