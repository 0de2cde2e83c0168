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
    assert text.count("Bed sekretariatet for dit KKR om et personligt invitationslink") == 2


async def test_the_agenda_script_shows_proposals_approval_and_distribution() -> None:
    transcript: list[str] = []
    lines = (EXAMPLES / "agenda.demo").read_text(encoding="utf-8").splitlines()
    assert await play_script(lines, out=transcript.append) == 0
    text = "\n".join(transcript)
    assert "Tak — dit forslag Fælles busplan for Nordjylland er modtaget" in text
    assert "Kun formanden godkender dagsordenen." in text
    assert "⚠ Punkter uden bilag" in text
    assert "Dagsordenen (version 1) er på vej til 24 personer." in text
    assert "Dagsordenen er allerede udsendt (version 1)" in text
    assert "📎 dagsorden-" in text
    assert "maximum number of running instances" not in text


async def test_the_attendance_script_shows_absence_substitute_and_quorum() -> None:
    transcript: list[str] = []
    lines = (EXAMPLES / "attendance.demo").read_text(encoding="utf-8").splitlines()
    assert await play_script(lines, out=transcript.append) == 0
    text = "\n".join(transcript)
    assert "Begrundelse: sygdom" in text
    assert "Trine Ulrich er indkaldt" in text
    assert "Anne Rasmussen har forfald og beder dig som personlig stedfortræder" in text
    assert "• Anne Rasmussen → Trine Ulrich (deltager)" in text
    assert (
        "Trine Ulrich har fået besked om, at der ikke længere er brug for en stedfortræder." in text
    )
    assert "Traceback" not in text


async def test_the_term_script_shows_a_member_leaving_and_the_substitute_stepping_up() -> None:
    transcript: list[str] = []
    lines = (EXAMPLES / "term.demo").read_text(encoding="utf-8").splitlines()
    assert await play_script(lines, out=transcript.append) == 0
    text = "\n".join(transcript)
    assert "Udtræder Anne Rasmussen af rådet fra i dag?" in text
    assert "Den personlige stedfortræder, Trine Ulrich, bliver spurgt" in text
    assert "Som personlig stedfortræder indtræder du som medlem" in text
    assert "Forventet: 21 af 21 medlemmer" in text
    assert "Du er nu medlem af KKR Nordjylland" in text
    assert "Forventet: 22 af 22 medlemmer" in text
    assert "Møderne i 2027" in text
    assert "Traceback" not in text


async def test_the_dialogue_script_shows_a_cancelled_dialogue_and_a_confirmed_cancellation() -> (
    None
):
    transcript: list[str] = []
    lines = (EXAMPLES / "dialogues.demo").read_text(encoding="utf-8").splitlines()
    assert await play_script(lines, out=transcript.append) == 0
    text = "\n".join(transcript)
    assert "Annulleret — intet er sendt eller ændret." in text
    assert "Det forstod jeg ikke." in text  # "Tak for i dag" was no title
    assert "Hvorfor aflyses mødet" in text  # the reason is asked for first
    assert "får besked." in text and "[1] Aflys mødet  [2] Annullér" in text
    assert "→ Aflys mødet" in text and "Mødet er aflyst;" in text
    assert "Begrundelse: Ingen sager til behandling" in text
    assert "Traceback" not in text and "no button" not in text
