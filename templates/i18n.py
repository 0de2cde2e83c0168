"""Translations (gettext catalogues read with Babel) and the Jinja2 environment per language.

The catalogues are kept as .po files in the package and compiled in memory when first used, so a
plain `pip install .` works without a build step and a stale .mo can never be served."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

DOMAIN = "kkrbot"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"


def supported(language: str | None) -> str:
    """The language if we speak it, else the default (Danish first)."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue of `language`; English is the source language and needs none."""
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def gettext(language: str, message: str, **params: Any) -> str:
    """`message` translated to `language`, with %(name)s parameters filled in."""
    text = translations(supported(language)).gettext(message)
    return text % params if params else text


def ngettext(language: str, singular: str, plural: str, count: int, **params: Any) -> str:
    """The singular or plural form for `count` in `language`; %(count)s is filled in."""
    text = translations(supported(language)).ngettext(singular, plural, count)
    return text % {"count": count, **params}


def month_name(month: int, language: str) -> str:
    """The name of a month in `language` ('februar', 'February')."""
    return format_date(date(2000, month, 1), "MMMM", locale=supported(language))


def _moment(value: datetime | str) -> datetime:
    # Notices carry their times as ISO strings in JSON payloads.
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _(message: str) -> str:
    """Marks a pattern for the catalogue (`make messages`); translated where it is used."""
    return message


def format_when(value: datetime | str, language: str) -> str:
    """A local date and time as people write it: 'onsdag den 10. marts 2027 kl. 10:00'."""
    return _formatted(value, _("EEEE d MMMM y 'at' HH:mm"), language)


def format_day(value: datetime | str, language: str) -> str:
    """A local date with its weekday: 'onsdag den 10. marts 2027'."""
    return _formatted(value, _("EEEE d MMMM y"), language)


def format_clock(value: datetime | str, language: str) -> str:
    """A local time of day as people write it: 'kl. 10.05' / 'at 10:05'."""
    return _formatted(value, _("'at' HH:mm"), language)


# Babel formats a date in some 100 µs, and a list shows the same few dates to everyone who asks
# (issue 15: 200 members' /meetings). Keyed by the wall time, its offset and its zone: two equal
# instants in different zones are different texts.
_FORMATTED: dict[tuple[str, str, str, str], str] = {}
_KEEP_FORMATTED = 4096


def _formatted(value: datetime | str, pattern: str, language: str) -> str:
    moment = _moment(value)
    key = (moment.isoformat(), str(moment.tzinfo), pattern, language)
    text = _FORMATTED.get(key)
    if text is None:
        if len(_FORMATTED) >= _KEEP_FORMATTED:
            _FORMATTED.clear()
        local_pattern = translations(supported(language)).gettext(pattern)
        text = _FORMATTED[key] = format_datetime(moment, local_pattern, locale=supported(language))
    return text


def format_relative(value: datetime | str, reference: datetime | str, language: str) -> str:
    """A local time named from `reference`'s day: 'i dag kl. 15.00', 'i morgen kl. 10.00', or
    'torsdag den 17. december kl. 10.00' (the weekday and date when further away)."""
    moment = _moment(value)
    seen_from = _moment(reference).astimezone(moment.tzinfo)
    time_of_day = format_datetime(moment, gettext(language, "HH:mm"), locale=supported(language))
    days = (moment.date() - seen_from.date()).days
    if days == 0:
        return gettext(language, "today at %(time)s", time=time_of_day)
    if days == 1:
        return gettext(language, "tomorrow at %(time)s", time=time_of_day)
    pattern = translations(supported(language)).gettext("EEEE d MMMM 'at' HH:mm")
    return format_datetime(moment, pattern, locale=supported(language))


@cache
def environment(language: str) -> Environment:
    """The Jinja2 environment for one language: Telegram HTML escaped, gettext installed."""
    env = Environment(
        loader=PackageLoader("templates", ""),
        autoescape=select_autoescape(["html", "html.j2"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # The templates ship with the code and do not change under a running bot: no stat of the
        # file on every render (issue 15).
        auto_reload=False,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["when"] = lambda value: format_when(value, language)
    env.filters["day"] = lambda value: format_day(value, language)
    env.filters["clock"] = lambda value: format_clock(value, language)
    env.filters["relative"] = lambda value, reference: format_relative(value, reference, language)
    return env


def render(template: str, language: str, /, **context: Any) -> str:
    """Render `template` (e.g. "chat/meetings.html.j2") in `language`."""
    language = supported(language)
    return environment(language).get_template(template).render(language=language, **context).strip()
