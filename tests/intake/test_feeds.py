"""Atom and RSS feeds coming in: each entry one item with the feed's and the entry's ids,
its HTML taken out, its date and TLP; a file that is no feed is refused."""

from __future__ import annotations

import pytest

from tearline.errors import MalformedDocument
from tearline.intake import Document, Refused, read_items

RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Partner desk</title><link>https://partner.example/</link>
<language>fr-FR</language>
<item><guid>https://partner.example/w/1</guid><title>Menace sur Lyon</title>
<description>&lt;p&gt;TLP:GREEN &lt;b&gt;Des extr\xc3\xa9mistes&lt;/b&gt;
pr\xc3\xa9voient une attaque.&lt;/p&gt;</description>
<pubDate>Wed, 06 Mar 2024 09:00:00 GMT</pubDate></item>
<item><title>No id, no link</title><description>lost</description></item>
</channel></rss>"""


def test_an_rss_item_is_read_with_its_ids_date_language_and_tlp() -> None:
    first, second = read_items(RSS, "partner.rss", max_bytes=1_000_000)
    assert isinstance(first, Document)
    assert first.external_id == "atom:https://partner.example/#https://partner.example/w/1"
    assert first.title == "Menace sur Lyon"
    assert "Des extrémistes\nprévoient une attaque." in first.text
    assert "<b>" not in first.text
    assert first.tlp == "GREEN"
    assert first.language == "fr-FR"
    assert first.document_date is not None
    assert first.document_date.isoformat() == "2024-03-06T09:00:00+00:00"
    assert isinstance(second, Refused)
    assert second == Refused("entry 2", "the entry has neither an id nor a link")


def test_xml_that_is_no_feed_is_refused() -> None:
    with pytest.raises(MalformedDocument, match="not an Atom or RSS feed"):
        list(read_items(b"<feed><broken", "x.atom", max_bytes=1_000_000))


def test_a_feed_without_its_suffix_is_found_by_its_root_and_an_html_page_is_not() -> None:
    (first, _) = read_items(RSS, "download", max_bytes=1_000_000)
    assert isinstance(first, Document)
    assert first.external_id is not None
    page = b"<html><body><p>Our <feed> of warnings moved.</p></body></html>"
    (doc,) = read_items(page, "page", max_bytes=1_000_000)
    assert isinstance(doc, Document)
    assert doc.media_type == "text/html"


def test_a_rel_to_line_in_an_entry_is_its_marking() -> None:
    atom = (
        b"<feed xmlns='http://www.w3.org/2005/Atom'><id>urn:f</id><title>f</title>"
        b"<updated>2024-03-06T09:00:00Z</updated><entry><id>urn:e:1</id><title>Threat</title>"
        b"<updated>2024-03-06T09:00:00Z</updated><content type='text'>REL TO USA, GBR\n"
        b"A cell plans to bomb the station.</content></entry></feed>"
    )
    (doc,) = read_items(atom, "f.atom", max_bytes=1_000_000)
    assert isinstance(doc, Document)
    assert doc.markings == ("REL TO USA, GBR",)
