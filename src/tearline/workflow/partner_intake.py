"""Partner intake: every item of a container (a STIX bundle, a CAP alert, a feed) stored as
its own report, each in its own transaction, so one bad item never loses the others and
nothing is half-stored.

An item already held is recognised by the partner's own id (``Document.external_id``)
or by its bytes, and not stored twice; an item that repeats an earlier report in other
words is stored and named an echo of it, as any report is (``workflow.origins``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from sqlalchemy.exc import IntegrityError

from tearline.errors import InputError
from tearline.extract import LANGUAGES as EXTRACTION_LANGUAGES
from tearline.extract import extract, langid
from tearline.intake import (
    ITEM_READERS,
    Document,
    ItemReader,
    Refused,
    language_code,
    read_items,
)
from tearline.intake.cap import CapReader
from tearline.workflow.app import App
from tearline.workflow.partner_keys import cap_signature_check
from tearline.workflow.reports import Ingested, Provenance, given_language, store_document


@dataclass(frozen=True)
class ItemRefused:
    """An item (or a whole file) that was not stored, and why."""

    filename: str
    item: str
    reason: str

    def __str__(self) -> str:
        where = (
            self.filename if self.item in ("", self.filename) else f"{self.filename} {self.item}"
        )
        return f"{where}: {self.reason}"


@dataclass
class IntakeSummary:
    """What one intake run did: what a person reads at the end of it."""

    stored: list[Ingested] = field(default_factory=list)
    duplicates: list[Ingested] = field(default_factory=list)
    refused: list[ItemRefused] = field(default_factory=list)

    @property
    def items(self) -> int:
        return len(self.stored) + len(self.duplicates) + len(self.refused)

    def extend(self, other: IntakeSummary) -> None:
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.refused += other.refused

    def line(self) -> str:
        """ "12 items: 9 stored, 2 already held, 1 refused" """
        return (
            f"{self.items} item{'s' if self.items != 1 else ''}: {len(self.stored)} stored, "
            f"{len(self.duplicates)} already held, {len(self.refused)} refused"
        )


# Told about each item as it is done: the item's outcome (the stored or duplicate
# report, or why it was refused). A progress bar advances on it.
OnItem = Callable[[Ingested | ItemRefused], None]
# Told how many items a file holds, once it is read and before any is stored.
OnFile = Callable[[str, int], None]


def item_readers(app: App) -> list[ItemReader]:
    """The registered item readers, the CAP reader checking signatures against the partner
    keys this deployment trusts (``TEARLINE_PARTNER_KEYS_DIR``)."""
    check = cap_signature_check(app.settings.partner_keys_dir, app.settings.home_path)
    return [CapReader(check) if isinstance(r, CapReader) else r for r in ITEM_READERS]


def _stated_language(doc: Document) -> str | None:
    try:
        code = language_code(doc.language)
    except InputError:
        return None
    return code if code in EXTRACTION_LANGUAGES else None


def store_item(app: App, doc: Document, prov: Provenance, actor: str) -> Ingested:
    """Extract and store one item in its own transaction (InputError: nothing stored).

    The language the item states is the one it is read in when extraction reads it and
    none was given at intake; otherwise it is identified from the text."""
    stated = _stated_language(doc)
    if prov.language is None and stated is not None:
        prov = replace(prov, language=stated)
    given = given_language(prov)
    date = prov.document_date or doc.document_date or app.clock.now()
    identified = None if given else (langid.identify(doc.text) or None)
    events = extract(doc.text, date, lang=given)
    try:
        return store_document(app, doc, events, prov, actor, language=identified)
    except IntegrityError:
        # Another process stored the same item between our look and our insert: it is
        # held now, and this run says so.
        return store_document(app, doc, events, prov, actor, language=identified)


def ingest_items(
    app: App,
    raw: bytes,
    filename: str,
    prov: Provenance,
    actor: str,
    *,
    on_file: OnFile | None = None,
    on_item: OnItem | None = None,
    readers: Iterable[ItemReader] | None = None,
) -> IntakeSummary:
    """Read a file (a container of items, or one document) and store each item."""
    summary = IntakeSummary()
    given_language(prov)  # a language extraction cannot read refuses the run, not each item
    try:
        items = list(
            read_items(
                raw,
                filename,
                max_bytes=app.settings.max_document_bytes,
                readers=list(readers) if readers is not None else item_readers(app),
            )
        )
    except InputError as exc:
        refused = ItemRefused(filename, "", str(exc).removeprefix(f"{filename}: "))
        summary.refused.append(refused)
        if on_file:
            on_file(filename, 1)
        if on_item:
            on_item(refused)
        return summary
    if on_file:
        on_file(filename, len(items))
    for n, item in enumerate(items, 1):
        outcome: Ingested | ItemRefused
        if isinstance(item, Refused):
            outcome = ItemRefused(filename, item.item, item.reason)
        else:
            try:
                outcome = store_item(app, item, prov, actor)
            except InputError as exc:
                # by the partner's id or place, never the title (error text: see read_items)
                outcome = ItemRefused(filename, item.external_id or f"item {n}", str(exc))
        if isinstance(outcome, ItemRefused):
            summary.refused.append(outcome)
        elif outcome.duplicate:
            summary.duplicates.append(outcome)
        else:
            summary.stored.append(outcome)
        if on_item:
            on_item(outcome)
    return summary
