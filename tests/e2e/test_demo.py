"""The demo plays its example script against the real bot and shows onboarding and the meetings."""

from __future__ import annotations

from pathlib import Path

from bot.demo.runner import play_script

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


async def test_the_onboarding_script_shows_a_member_linking_and_listing_meetings() -> None:
    transcript: list[str] = []
    lines = (EXAMPLES / "onboarding.demo").read_text(encoding="utf-8").splitlines()
    assert await play_script(lines, out=transcript.append) == 0
    text = "\n".join(transcript)
    assert "Velkommen, Anne Rasmussen!" in text
    assert "Forslag til dagsordenen: senest" in text
    assert "[1] Dansk  [2] English" in text
    assert "Good — I will speak English with you from now on." in text
    assert text.count("Bed dit KKR's sekretariat om et personligt invitationslink") == 2
