"""Atom and RSS feeds coming in: each entry one item, read by ``feedparser``.

An entry's text is its title, then its content (or summary) with HTML taken out; its
date the one it was published (or updated); its ``external_id`` "atom:<feed>#<entry>",
the feed's own id (or link, or the name it was read under) and the entry's id (or link),
so an entry seen again in a later pull, or in a copy of the feed, is recognised. A TLP
mark and a "REL TO …" line in the entry's text are its handling, as in a text report.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, cast

import feedparser
import lxml.html
from lxml.etree import ParserError

from tearline.errors import MalformedDocument
from tearline.intake.document import Document, Refused, find_tlp
from tearline.markings import find_markings

# The root element is a feed (after the XML declaration, processing instructions and
# comments): an HTML page that merely holds "<feed" is not one.
_ROOT = re.compile(rb"^\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*<(?:feed|rss|rdf:RDF)\b", re.DOTALL)


def _plain(value: str) -> str:
    if "<" not in value:
        return value.strip()
    try:
        element = lxml.html.fromstring(value)
        return str(cast(lxml.html.HtmlElement, element).text_content()).strip()
    except (ParserError, ValueError):
        return value.strip()


def _field(entry: dict[str, Any], key: str) -> Any:
    # The entry's own field, without feedparser's fallback from "updated" to "published"
    # (deprecated: it warns, and would date an entry by the wrong field).
    return dict.get(entry, key)


def _date(entry: dict[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        parsed = _field(entry, key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    return None


def _body(entry: Mapping[str, Any]) -> str:
    contents = entry.get("content") or []
    if contents:
        return "\n\n".join(_plain(str(c.get("value", ""))) for c in contents)
    return _plain(str(entry.get("summary", "")))


class FeedReader:
    """Atom and RSS feeds (``.atom``, ``.rss``, or XML whose root is a feed)."""

    name: ClassVar[str] = "feed"
    suffixes: ClassVar[tuple[str, ...]] = (".atom", ".rss")

    def sniff(self, raw: bytes) -> bool:
        return _ROOT.match(raw[:4096].removeprefix(b"\xef\xbb\xbf")) is not None

    def read_items(self, raw: bytes, filename: str) -> Iterator[Document | Refused]:
        parsed = feedparser.parse(raw, sanitize_html=False, resolve_relative_uris=False)
        if not parsed.entries and (parsed.bozo or not parsed.get("version")):
            problem = parsed.get("bozo_exception") or "no feed and no entries"
            raise MalformedDocument(f"{filename}: not an Atom or RSS feed ({problem})")
        feed = parsed.feed
        feed_key = str(feed.get("id") or feed.get("link") or filename)
        language = feed.get("language")
        for n, entry in enumerate(parsed.entries, 1):
            key = str(entry.get("id") or entry.get("link") or "")
            if not key:
                yield Refused(f"entry {n}", "the entry has neither an id nor a link")
                continue
            title = _plain(str(entry.get("title", ""))) or key
            text = "\n\n".join(p for p in (title, _body(entry)) if p)
            record = {k: _field(entry, k) for k in ("id", "link", "title", "published", "updated")}
            record["text"] = text
            yield Document(
                filename,
                "application/atom+xml",
                title[:200],
                text,
                json.dumps(record, sort_keys=True, ensure_ascii=False).encode(),
                document_date=_date(entry),
                source_hint=str(feed.get("title") or "") or None,
                tlp=find_tlp(text),
                markings=find_markings(text),
                external_id=f"atom:{feed_key}#{key}"[:300],
                language=str(entry.get("language") or language or "") or None,
            )
