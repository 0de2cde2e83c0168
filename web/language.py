"""The page's language: `?lang=` first, then the browser's Accept-Language, then Danish."""

from __future__ import annotations

from starlette.requests import Request

from templates.i18n import DEFAULT_LANGUAGE, LANGUAGES


def choose_language(request: Request, default: str = DEFAULT_LANGUAGE) -> str:
    """The language to answer in: one we speak, by the order of the person's wishes."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    for language in accepted(request.headers.get("accept-language", "")):
        if language in LANGUAGES:
            return language
    return default if default in LANGUAGES else DEFAULT_LANGUAGE


def accepted(header: str) -> list[str]:
    """'en-GB,en;q=0.8,da;q=0.9' -> ['en', 'da', 'en'] by quality (primary subtags)."""
    wishes = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            wishes.append((-quality, position, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(wishes)]
