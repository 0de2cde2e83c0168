"""R-X1, R-P6 in a real browser: headless Chromium (Debian's chromium and chromium-driver, driven
by Selenium) loads the council's page, follows a meeting to its agenda and minutes, finds nothing
of an unpublished meeting or a closed item, saves a screenshot, and runs axe-core's accessibility
rules on each page when axe-core is installed (.ci/run installs it with npm)."""

from __future__ import annotations

import os
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.minutes import approve_minutes
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, Council_, MinutesMeeting
from tests.integration.record_helpers import BUDGET, PERSONNEL
from web.server import WebServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("KKRBOT_AXE_JS", ROOT / ".ci/node/node_modules/axe-core/axe.min.js"))
SLUG = "kkr-nordjylland"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1000,1400",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="chromium and chromium-driver are not installed (.ci/run installs them)",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _served(database_url: str) -> Iterator[str]:
    port = _free_port()
    server = WebServer(database_url, "127.0.0.1", port)
    server.start()
    root = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # the thread binds the port a moment after starting
            try:
                httpx.get(f"{root}/", timeout=2)
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        yield root
    finally:
        server.stop()


@contextmanager
def _browser(profile: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "da,en"})  # a Danish reader
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def _axe_violations(driver: Any) -> list[str]:
    """axe-core's WCAG A/AA rules on the loaded page; its script is run by WebDriver, not the
    page (the page's policy allows no script at all)."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']}).then(done);"
    )
    return [f"{v['id']}: {v['help']}" for v in result["violations"]]


async def test_a_browser_follows_a_meeting_and_sees_nothing_confidential(
    kkr: Council_, minutes_meeting: MinutesMeeting, database_url: str, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    await kkr.run(
        approve_minutes,
        actor=await kkr.actor(CHAIR),
        meeting_id=kkr.meetings[0],
        now=NOW + timedelta(days=30),
    )
    screenshot = tmp_path / "meeting.png"
    violations: dict[str, list[str]] = {}
    with _served(database_url) as root, _browser(tmp_path / "profile") as driver:
        driver.get(f"{root}/{SLUG}/")
        assert driver.find_element(By.TAG_NAME, "h1").text == "KKR Nordjylland"
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "da"
        if AXE.is_file():
            violations["plan"] = _axe_violations(driver)
        links = driver.find_elements(By.CSS_SELECTOR, "a[href*='/moede/']")
        targets = {link.get_attribute("href") for link in links}
        assert targets == {f"{root}/{SLUG}/moede/{kkr.meetings[0]}/"}  # not the unpublished one
        links[0].click()
        assert driver.current_url == f"{root}/{SLUG}/moede/{kkr.meetings[0]}/"
        main = driver.find_element(By.TAG_NAME, "main").text
        assert "Referat" in main and "Dagsorden" in main and BUDGET in main
        assert "Lukket punkt" in main and PERSONNEL not in driver.page_source
        assert "Direktøren ansættes." not in driver.page_source
        if AXE.is_file():
            violations["meeting"] = _axe_violations(driver)
        driver.save_screenshot(str(screenshot))
        for name in ("Dagsorden som PDF", "Referat som PDF"):
            href = driver.find_element(By.LINK_TEXT, name).get_attribute("href")
            pdf = httpx.get(href, timeout=30)
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        driver.get(f"{root}/{SLUG}/moede/{kkr.meetings[1]}/")  # planned, nothing published
        assert driver.find_element(By.TAG_NAME, "h1").text == "Ikke fundet"
        driver.get(f"{root}/{SLUG}/?lang=en")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert screenshot.read_bytes().startswith(b"\x89PNG") and screenshot.stat().st_size > 10_000
    assert set(violations) == ({"plan", "meeting"} if AXE.is_file() else set())
    assert violations == {k: [] for k in violations}, violations
