"""Text entities as Telegram computes them: the HTML parse mode and auto-detected entities.

Offsets and lengths are in UTF-16 code units, as in the Bot API. The HTML parser follows the
behaviour of Telegram's own (tdlib's ``parse_html``): only Telegram's tags, balanced, the four named
entities plus numeric ones, anything else after ``&`` kept literally, and the same error texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "pre",
        "code",
        "tg-spoiler",
        "span",
        "tg-emoji",
        "blockquote",
    }
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SPACE = b" \t\r\n\f\v"


class EntityParseError(ValueError):
    """The text does not parse; the message is Telegram's (without the "can't parse" prefix)."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int
    attributes: dict[str, str] = field(default_factory=dict)


def _decode_entity(text: bytes, pos: int) -> tuple[str, int] | None:
    """Decode an HTML entity at ``pos`` (which holds ``&``); return (character, next position)."""
    end = pos + 1
    if text[end : end + 1] == b"#":
        end += 1
        value = 0
        if text[end : end + 1] == b"x":
            end += 1
            while end < len(text) and chr(text[end]) in "0123456789abcdefABCDEF":
                value = value * 16 + int(chr(text[end]), 16)
                end += 1
        else:
            while end < len(text) and 48 <= text[end] <= 57:
                value = value * 10 + text[end] - 48
                end += 1
        if value == 0 or value >= 0x10FFFF or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < len(text) and chr(text[end]).isascii() and chr(text[end]).isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if text[end : end + 1] == b";":
        end += 1
    return char, end


def parse_html(source: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram HTML into plain text and entities, or raise EntityParseError."""
    text = source.encode("utf-8")
    out: list[str] = []
    utf16 = 0
    stack: list[_Open] = []
    entities: list[JSONDict] = []
    n = len(text)
    i = 0

    def at(k: int) -> int:
        return text[k] if k < n else 0

    while i < n:
        c = text[i]
        if c == ord("&"):
            decoded = _decode_entity(text, i)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                utf16 += utf16_len(char)
                continue
        if c != ord("<"):
            # copy one UTF-8 character
            j = i + 1
            while j < n and (text[j] & 0xC0) == 0x80:
                j += 1
            char = text[i:j].decode("utf-8", "replace")
            out.append(char)
            utf16 += utf16_len(char)
            i = j
            continue
        begin = i
        i += 1
        if at(i) != ord("/"):
            while i < n and text[i] not in _SPACE and text[i] != ord(">"):
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            tag = text[begin + 1 : i].decode("utf-8", "replace").lower()
            if tag not in SUPPORTED_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            attributes: dict[str, str] = {}
            while at(i) != ord(">"):
                while i < n and text[i] in _SPACE:
                    i += 1
                if at(i) == ord(">"):
                    break
                name_begin = i
                while (
                    i < n and text[i] not in _SPACE and text[i] != ord("=") and text[i] != ord(">")
                ):
                    i += 1
                name = text[name_begin:i].decode("utf-8", "replace").lower()
                if not name:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while i < n and text[i] in _SPACE:
                    i += 1
                if at(i) != ord("="):
                    if tag == "blockquote" and name == "expandable":
                        attributes[name] = ""
                        continue
                    raise EntityParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {begin}'
                    )
                i += 1
                while i < n and text[i] in _SPACE:
                    i += 1
                if i >= n:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                value_chars: list[str] = []
                if at(i) not in (ord("'"), ord('"')):
                    token_begin = i
                    while i < n and (chr(text[i]).isalnum() or text[i] in b".-"):
                        i += 1
                    value_chars.append(text[token_begin:i].decode("utf-8", "replace").lower())
                    if at(i) not in _SPACE and at(i) != ord(">"):
                        raise EntityParseError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    quote = text[i]
                    i += 1
                    raw_begin = i
                    while i < n and text[i] != quote:
                        if text[i] == ord("&"):
                            decoded = _decode_entity(text, i)
                            if decoded is not None:
                                value_chars.append(text[raw_begin:i].decode("utf-8", "replace"))
                                value_chars.append(decoded[0])
                                i = raw_begin = decoded[1]
                                continue
                        i += 1
                    value_chars.append(text[raw_begin:i].decode("utf-8", "replace"))
                    if at(i) == quote:
                        i += 1
                if i >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
                attributes[name] = "".join(value_chars)
            i += 1  # past ">"
            argument = ""
            if tag == "a":
                argument = attributes.get("href", "")
            elif tag == "code":
                css = attributes.get("class", "")
                argument = css[len("language-") :] if css.startswith("language-") else ""
            elif tag == "span":
                if attributes.get("class") != "tg-spoiler":
                    raise EntityParseError(
                        f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                    )
            elif tag == "tg-emoji":
                argument = attributes.get("emoji-id", "")
                if not argument.isdigit():
                    raise EntityParseError(
                        f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {begin}'
                    )
            elif tag == "blockquote" and "expandable" in attributes:
                argument = "expandable"
            stack.append(_Open(tag, argument, utf16, attributes))
            continue
        # an end tag
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        i += 1
        name_begin = i
        while i < n and text[i] not in _SPACE and text[i] != ord(">"):
            i += 1
        end_name = text[name_begin:i].decode("utf-8", "replace").lower()
        while i < n and text[i] in _SPACE:
            i += 1
        if at(i) != ord(">"):
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        i += 1
        opened = stack.pop()
        if end_name and end_name != opened.tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{opened.tag}>", '
                f'found "</{end_name}>"'
            )
        length = utf16 - opened.offset
        if length > 0:
            entity = _entity_for(opened, length, "".join(out), entities)
            if entity is not None:
                entities.append(entity)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), finish_entities(entities)


def _entity_for(
    opened: _Open, length: int, text_so_far: str, entities: list[JSONDict]
) -> JSONDict | None:
    base: JSONDict = {"offset": opened.offset, "length": length}
    tag = opened.tag
    if tag in _SIMPLE_TYPES:
        return {"type": _SIMPLE_TYPES[tag], **base}
    if tag == "a":
        url = opened.argument or _tail_utf16(text_so_far, length)
        match = re.fullmatch(r"tg://user\?id=(\d+)", url)
        if match:
            return {"type": "text_mention", **base, "user": {"id": int(match.group(1))}}
        if not re.match(r"^(https?|tg|ftp)://\S+$|^[\w.-]+\.[a-z]{2,}(/\S*)?$", url, re.I):
            return None  # Telegram silently drops a link it cannot use
        return {"type": "text_link", **base, "url": url}
    if tag == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "pre"
            and last["offset"] == opened.offset
            and last["length"] == length
        ):
            if opened.argument:
                last["language"] = opened.argument
            return None
        return {"type": "code", **base, "_language": opened.argument}
    if tag == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == opened.offset
            and last["length"] == length
        ):
            language = last.pop("_language", "")
            last["type"] = "pre"
            if language:
                last["language"] = language
            return None
        return {"type": "pre", **base}
    if tag == "tg-emoji":
        return {"type": "custom_emoji", **base, "custom_emoji_id": opened.argument}
    if tag == "blockquote":
        kind = "expandable_blockquote" if opened.argument == "expandable" else "blockquote"
        return {"type": kind, **base}
    return None


def _tail_utf16(text: str, length: int) -> str:
    encoded = text.encode("utf-16-le")
    return encoded[len(encoded) - 2 * length :].decode("utf-16-le", "replace")


def finish_entities(entities: list[JSONDict]) -> list[JSONDict]:
    """Drop the parser's private keys."""
    for entity in entities:
        entity.pop("_language", None)
    return entities


_AUTO_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "bot_command",
        re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])"),
    ),
    ("mention", re.compile(r"(?<!\w)@[A-Za-z0-9_]{2,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*(?![\w#])")),
    ("email", re.compile(r"(?<![\w.@])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("url", re.compile(r"(?<![\w@/])(?:https?://)?(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?:/[^\s]*)?")),
)


def detect_entities(text: str) -> list[JSONDict]:
    """Entities Telegram adds by itself to a message text: commands, mentions, hashtags, links."""
    found: list[JSONDict] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            if kind == "url" and "." not in match.group(0):
                continue
            taken.append((start, end))
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[:start]),
                    "length": utf16_len(match.group(0)),
                }
            )
    found.sort(key=lambda e: (e["offset"], -e["length"]))
    return found
