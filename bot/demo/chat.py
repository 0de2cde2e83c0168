"""The demo's terminal chat: act as any person of the demo council and see the bot's answers.

Lines: `as NAME` switches person, `press LABEL` (or a number) presses a button of the last message
with buttons, `people` lists who is who, `sweep` runs the scheduler now, `help`, `quit`; anything
else is sent to the bot as the current person, with `{invite}` replaced by their invitation token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.demo.terminal import show
from services.demo_seed import DemoCouncil, DemoPerson
from telegram_emulator.client import BotMessage, EmulatorClient, WaitTimeout

OUTSIDER = DemoPerson("Ukendt Udefra", "stranger", "not in the council, no invitation", "da", 99)
REPLY_TIMEOUT = 5.0  # how long to wait for the bot's first answer
SETTLE_TIMEOUT = 0.1  # and then for any further messages of the same answer
IN_FLIGHT_TIMEOUT = 30.0  # at most this long for notices already due to them (a PDF being rendered)

HELP = """\
  as NAME        act as a person of the council (a prefix of the name is enough)
  people         who is who: role, municipality, party, office
  press LABEL    press a button of the last message with buttons (or: press 2)
  sweep          let the scheduler look for due deadlines and reminders now
  quit           end the demo
  anything else  is sent to the bot; {invite} becomes the person's invitation token,
                 {meeting1} and {meeting2} the days of the two planned meetings"""


@dataclass
class DemoChat:
    sim: EmulatorClient
    council: DemoCouncil
    sweep: Callable[[], object]
    out: Callable[[str], None]
    # How many notices to a Telegram user are due or being sent, plus the updates the bot is still
    # handling: the answer is complete only when none is left (on a busy machine a PDF can take
    # seconds to render, and a second message can come after the settling pause).
    in_flight: Callable[[int], Awaitable[int]]
    colour: bool = False
    # Whether the outbox is still sending to this Telegram user (an agenda's PDF follows its
    # message once rendered): the transcript waits for it, as the person would.
    sending: Callable[[int], Awaitable[bool]] | None = None
    current: DemoPerson | None = None
    seen: dict[int, dict[int, int]] = field(default_factory=dict)  # chat -> message id -> edits
    people: list[DemoPerson] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Everyone of the council, and one outsider to show what a stranger gets.
        self.people = [*self.council.people, OUTSIDER]

    async def setup(self) -> None:
        for person in self.people:
            first, _, last = person.name.partition(" ")
            await self.sim.add_user(
                person.user_id, first, last_name=last or None, language_code=person.language
            )
            self.seen[person.user_id] = {}

    async def handle(self, line: str) -> bool:
        """Act on one line; False when the demo should end."""
        line = line.strip()
        command, _, rest = line.partition(" ")
        if not line or line.startswith("#"):
            return True
        if command in ("quit", "exit"):
            return False
        handlers = {
            "as": self._switch,
            "press": self._press,
            "people": self._people,
            "help": self._help,
        }
        if command in handlers:
            await handlers[command](rest.strip())
        elif command == "sweep":
            await self.sweep()  # type: ignore[misc]
            await self._collect(expect_reply=False)
        elif self.current is None:
            self.out("  (choose a person first: as NAME — `people` lists them)")
        else:
            await self._say(self._filled(line))
        return True

    def _filled(self, line: str) -> str:
        """{invite}: the person's invitation token; {meeting1}, {meeting2}: the meetings' days."""
        assert self.current is not None
        line = line.replace("{invite}", self.council.invites.get(self.current.name, ""))
        for number, day in enumerate(self.council.meeting_days, start=1):
            line = line.replace(f"{{meeting{number}}}", day)
        return line

    async def _switch(self, name: str) -> None:
        matches = (
            [p for p in self.people if p.name.lower().startswith(name.lower())] if name else []
        )
        if len(matches) != 1:
            names = ", ".join(p.name for p in matches) or "nobody"
            self.out(f"  (`as {name}` matches {names}; give more of the name)")
            return
        self.current = matches[0]
        self.out(f"  — you are now {self.current.name} ({self.current.role}) —")
        await self._collect(expect_reply=False)  # what reached them while you were someone else

    async def _people(self, _rest: str) -> None:
        for person in self.people:
            self.out(f"  {person.name:<22} {person.role:<12} {person.detail}")

    async def _help(self, _rest: str) -> None:
        self.out(HELP)

    async def _say(self, text: str) -> None:
        assert self.current is not None
        await self.sim.send(self.current.user_id, text)
        await self._collect(expect_reply=True)

    async def _press(self, label: str) -> None:
        if self.current is None:
            self.out("  (choose a person first: as NAME)")
            return
        with_buttons = [m for m in await self.sim.messages(self.current.user_id) if m.labels]
        if not with_buttons:
            self.out("  (no message with buttons in this chat)")
            return
        message = with_buttons[-1]
        chosen = _button(message, label)
        if chosen is None:
            self.out(f"  (no button {label!r}; the buttons are: {', '.join(message.labels)})")
            return
        query = await self.sim.press(
            self.current.user_id, message.chat_id, message.message_id, label=chosen
        )
        answer = await self.sim.wait_for_answer(query, timeout=REPLY_TIMEOUT)
        if answer.text:
            self.out(f"  bot (notice): {answer.text}")
        await self._collect(expect_reply=False)

    async def _collect(self, *, expect_reply: bool) -> None:
        """Print what the bot sent or edited in the current person's chat since last time."""
        if self.current is None:
            return
        chat = self.current.user_id
        known = self.seen.setdefault(chat, {})
        if expect_reply:
            try:
                await self.sim.wait_for_messages(chat, len(known) + 1, timeout=REPLY_TIMEOUT)
            except WaitTimeout:
                self.out("  (no answer from the bot)")
        await self._settle(chat)
        for message in await self.sim.messages(chat):
            self._print_if_new(message, known)
        await self._mention_others()

    async def _settle(self, chat: int) -> None:
        """Wait until the answer is complete: no new message for a moment, and nothing still due."""
        waited = 0.0
        while True:  # the same answer may come as several messages
            try:
                await self.sim.wait_for_messages(
                    chat, len(await self.sim.messages(chat)) + 1, timeout=SETTLE_TIMEOUT
                )
            except WaitTimeout:
                waited += SETTLE_TIMEOUT
                if waited >= IN_FLIGHT_TIMEOUT or not await self.in_flight(chat):
                    break

    async def _mention_others(self) -> None:
        """Say who else got messages, so notices to the chair or the secretariat are not missed."""
        counts = {chat["id"]: chat["bot_messages"] for chat in await self.sim.chats()}
        waiting = [
            f"{person.name} ({unseen})"
            for person in self.people
            if person is not self.current
            and (unseen := counts.get(person.user_id, 0) - len(self.seen.get(person.user_id, {})))
            > 0
        ]
        if waiting:
            self.out(f"  (new messages for: {', '.join(waiting)} — `as NAME` to read them)")

    def _print_if_new(self, message: BotMessage, known: dict[int, int]) -> None:
        edits = known.get(message.message_id)
        if edits is None or message.edit_count > edits:
            self.out(show(message, edited=edits is not None, colour=self.colour))
        known[message.message_id] = message.edit_count


def _button(message: BotMessage, label: str) -> str | None:
    if label.isdigit() and 1 <= int(label) <= len(message.labels):
        return message.labels[int(label) - 1]
    exact = [b for b in message.labels if b.lower() == label.lower()]
    loose = [b for b in message.labels if b.lower().startswith(label.lower())]
    candidates = exact or loose
    return candidates[0] if candidates else None
