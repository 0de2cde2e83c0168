"""The agenda's and the minutes' PDFs as the bot makes them (issue 15): every language at once, by
a short-lived worker process (templates.documents.render_pdfs_apart), so WeasyPrint never stays in
the bot's memory.

A render already under way is shared: the renderer started at distribution and the delivery
worker asking for the same version wait for the one worker process. What was rendered is kept
for some minutes, until whoever needs it has stored it (at most a few versions); a draft of the
minutes, never stored, is rendered again when its content changed or it was asked for again later.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

from templates.documents import render_pdfs_apart
from templates.i18n import LANGUAGES

Key = tuple[str, int, int, str]  # the document's kind, meeting id, version, the snapshot's digest

_RUNNING: dict[Key, asyncio.Task[dict[str, bytes]]] = {}
_RENDERED: dict[Key, dict[str, bytes]] = {}
_KEPT = 8
# Long enough for the deliveries that start while a render runs to store it (or, for a draft, to
# send it); after that the PDFs are read from the database, and no copy stays in memory.
KEPT_SECONDS = 600.0


async def rendered_pdfs(
    kind: str, meeting_id: int, version: int, snapshot: dict[str, Any]
) -> dict[str, bytes]:
    """The version's PDF (`kind`: templates.documents.AGENDA or MINUTES) in every language: kept,
    being rendered (then awaited), or rendered now in the worker process, off the event loop."""
    digest = hashlib.sha256(json.dumps(snapshot, sort_keys=True, default=str).encode()).hexdigest()
    key = (kind, meeting_id, version, digest)
    kept = _RENDERED.get(key)
    if kept is not None:
        return kept
    loop = asyncio.get_running_loop()
    task = _RUNNING.get(key)
    if task is None or task.get_loop() is not loop:
        task = _RUNNING[key] = loop.create_task(_render(key, snapshot))
    return await asyncio.shield(task)  # a waiter cancelled does not cancel the others' render


async def _render(key: Key, snapshot: dict[str, Any]) -> dict[str, bytes]:
    try:
        pdfs = await asyncio.to_thread(render_pdfs_apart, key[0], snapshot, LANGUAGES)
        _RENDERED[key] = pdfs
        while len(_RENDERED) > _KEPT:
            _RENDERED.pop(next(iter(_RENDERED)))
        asyncio.get_running_loop().call_later(KEPT_SECONDS, _forget, key, pdfs)
        return pdfs
    finally:
        _RUNNING.pop(key, None)


def _forget(key: Key, pdfs: dict[str, bytes]) -> None:
    if _RENDERED.get(key) is pdfs:  # not a later render of the same version
        del _RENDERED[key]
