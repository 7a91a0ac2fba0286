"""Every setting as data: name, default, help — read from TEARLINE_* variables and a TOML file.

Precedence, highest first: an explicit override (a CLI flag), the environment variable,
the TOML file (``$TEARLINE_HOME/tearline.toml`` or ``TEARLINE_CONFIG``), the default.
A test checks that every setting here is documented in README.md.
"""

from __future__ import annotations

import os
import re
import socket
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import platformdirs

from tearline.errors import ConfigError

T = TypeVar("T")


@dataclass(frozen=True)
class Setting(Generic[T]):
    name: str  # lower-case key; the variable is TEARLINE_<NAME>, the TOML key is <name>
    default: T
    help: str
    parse: Callable[[str], T]

    @property
    def env(self) -> str:
        return f"TEARLINE_{self.name.upper()}"


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive whole number")
    return value


def _whole_number(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must be 0 or a positive whole number")
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if value <= 0:
        raise ValueError("must be a positive number")
    return value


def _victim_policy(raw: str) -> str:
    if raw not in ("direct", "via_protector"):
        raise ValueError("must be 'direct' or 'via_protector'")
    return raw


def _cookie_mode(raw: str) -> str:
    if raw not in ("auto", "always"):
        raise ValueError("must be 'auto' or 'always'")
    return raw


# How a CAP message may be signed (docs/formats.md): the deployment's choice, or a contact's.
CAP_SIGNATURES = ("ed25519", "rsa")


def _cap_signature(raw: str) -> str:
    if raw.strip().lower() not in CAP_SIGNATURES:
        raise ValueError("must be 'ed25519' or 'rsa'")
    return raw.strip().lower()


def _log_format(raw: str) -> str:
    if raw.strip().lower() not in ("text", "json"):
        raise ValueError("must be 'text' or 'json'")
    return raw.strip().lower()


def _on_off(raw: str) -> str:
    if raw.strip().lower() not in ("on", "off"):
        raise ValueError("must be 'on' or 'off'")
    return raw.strip().lower()


def _log_level(raw: str) -> str:
    if raw.strip().lower() not in ("debug", "info", "warning", "error"):
        raise ValueError("must be debug, info, warning or error")
    return raw.strip().lower()


SETTINGS: tuple[Setting[Any], ...] = (
    Setting(
        "home",
        "",
        "Data directory: the SQLite database, signing keys, liaison notes. "
        "Default: the per-user data directory (~/.local/share/tearline on Linux).",
        str,
    ),
    Setting(
        "database_url",
        "",
        "SQLAlchemy URL of the database. Default: sqlite:///$TEARLINE_HOME/tearline.db. "
        "For PostgreSQL: postgresql+psycopg://user:password@host/dbname.",
        str,
    ),
    Setting(
        "max_document_bytes",
        10 * 1024 * 1024,
        "Largest document accepted by intake, in bytes; larger files are refused.",
        _positive_int,
    ),
    Setting(
        "imminence_days",
        30,
        "A threat is 'impending' when its window starts within this many days.",
        _positive_int,
    ),
    Setting(
        "default_window_hours",
        48,
        "Validity of a warning when the threat's window gives no end, in hours.",
        _positive_int,
    ),
    Setting(
        "delivery_max_attempts",
        8,
        "Attempts per delivery before it is dead-lettered and the duty officer alerted.",
        _positive_int,
    ),
    Setting(
        "delivery_max_lost_claims",
        3,
        "A delivery whose worker died this many times while holding it (not counted as "
        "attempts) is dead-lettered and the duty officer alerted.",
        _positive_int,
    ),
    Setting(
        "delivery_backoff_seconds",
        30.0,
        "First retry delay; each later retry doubles it (with jitter).",
        _positive_float,
    ),
    Setting(
        "webhook_timeout_seconds",
        10.0,
        "Time limit for one webhook POST.",
        _positive_float,
    ),
    Setting(
        "ack_minutes_imminent",
        60,
        "Escalate when a warning about an imminent threat is not acknowledged "
        "within this many minutes.",
        _positive_int,
    ),
    Setting(
        "sender",
        "tearline.invalid",
        "The deployment's name, as it appears in signed warnings ('iss') and CAP 'sender'.",
        str,
    ),
    Setting(
        "cap_signature",
        "ed25519",
        "How CAP messages are signed: 'ed25519' (Tearline's XML Signature profile) or 'rsa' "
        "(RSA-SHA256 with the X.509 certificate, as alerting hubs and xmlsec1 expect). A "
        "recipient's contact point can ask for the other (docs/recipients.md).",
        _cap_signature,
    ),
    Setting(
        "delivery_concurrency",
        64,
        "How many deliveries one worker sends at the same time.",
        _positive_int,
    ),
    Setting(
        "delivery_batch",
        500,
        "How many deliveries a worker claims, and records, in one transaction.",
        _positive_int,
    ),
    Setting(
        "delivery_lease_seconds",
        300,
        "How long a claimed delivery stays with its worker before another may take it over.",
        _positive_int,
    ),
    Setting(
        "delivery_rate_limits",
        "",
        "Sends per second allowed per channel, e.g. 'sms=5, email=50'; empty: no limit.",
        str,
    ),
    Setting(
        "public_url",
        "http://127.0.0.1:8000",
        "Where recipients reach this deployment: reply links and the Atom feed use it.",
        str,
    ),
    Setting(
        "reply_link_days",
        30,
        "Reply links stay valid this many days after the warning's validity ends.",
        _positive_int,
    ),
    Setting(
        "smtp_url",
        "smtp://localhost:25",
        "Mail server: smtp://host:port, smtp+starttls://user:password@host:587 or smtps://host.",
        str,
    ),
    Setting(
        "mail_from",
        "Tearline <tearline@localhost>",
        "The From address of e-mailed warnings.",
        str,
    ),
    Setting(
        "sms_gateway_url",
        "",
        "The SMS gateway's HTTP endpoint; empty: SMS deliveries fail as not configured.",
        str,
    ),
    Setting(
        "sms_gateway_template",
        '{"to": $to, "text": $text, "reference": $reference}',
        "Body of the gateway request ($to, $text, $reference, $idempotency_key); "
        "JSON when it starts with '{', a form otherwise.",
        str,
    ),
    Setting(
        "sms_gateway_token",
        "",
        "Bearer token sent to the SMS gateway, if it needs one.",
        str,
    ),
    Setting(
        "sms_inbound_secret",
        "",
        "Shared secret that signs the gateway's callbacks with SMS replies; empty: off.",
        str,
    ),
    Setting(
        "validity_alarm_hours",
        6,
        "Alarm this many hours before a warning's validity ends while its threat is open.",
        _positive_int,
    ),
    Setting(
        "audit_checkpoint_minutes",
        60,
        "A running worker signs a checkpoint of the audit chain's head this often (when "
        "entries were added since the last one); releases and `tearline audit checkpoint` "
        "make one too. See docs/audit-threat-model.md.",
        _positive_int,
    ),
    Setting(
        "session_idle_minutes",
        30,
        "The desk signs a browser out after this many minutes without a request.",
        _positive_int,
    ),
    Setting(
        "session_max_hours",
        12,
        "The desk signs a browser out this many hours after sign-in, active or not.",
        _positive_int,
    ),
    Setting(
        "login_max_failures",
        5,
        "Failed sign-ins per user name (or 4x that per client address) within "
        "login_window_minutes before further attempts are refused.",
        _positive_int,
    ),
    Setting(
        "login_window_minutes",
        15,
        "The window, in minutes, over which failed sign-ins are counted for throttling.",
        _positive_int,
    ),
    Setting(
        "secure_cookies",
        "auto",
        "'auto': mark desk cookies Secure when the request came over https; 'always': "
        "always (behind a TLS proxy that does not forward the scheme).",
        _cookie_mode,
    ),
    Setting(
        "names_file",
        "",
        "TOML file with the deployment's own organisations, aliases and places, read by "
        "extraction without retraining (`tearline names`). Default: $TEARLINE_HOME/names.toml.",
        str,
    ),
    Setting(
        "venues_file",
        "",
        "TOML file with the deployment's own venues (name, city, country, lat, lon, source), "
        "added to the shipped venue gazetteer; the desk writes remembered corrections there. "
        "Default: $TEARLINE_HOME/venues.toml.",
        str,
    ),
    Setting(
        "phrases_dir",
        "",
        "Directory of the deployment's warning languages (<code>.toml, the shape of the "
        "shipped ones in tearline/data/phrases): a new language, or phrases laid over a "
        "shipped one; a bad file is skipped with a warning. Default: $TEARLINE_HOME/phrases.",
        str,
    ),
    Setting(
        "place_sizes",
        "",
        "TOML file tuning how big a place is by precision (the area warned about, the map "
        "circle, the circle a warning states); rows replace the shipped "
        "src/tearline/data/place_sizes.toml row by row. Default: the shipped table.",
        str,
    ),
    Setting(
        "communities",
        "",
        "TOML file with the deployment's own sharing communities for releasability "
        "markings (code, name, member nations); added to, or replacing by code, those of "
        "src/tearline/data/communities.toml. Default: the shipped communities.",
        str,
    ),
    Setting(
        "warn_victims",
        "direct",
        "How a named or located intended victim is warned: 'direct' (its own warning) or "
        "'via_protector' (on record as warned through the government that protects it).",
        _victim_policy,
    ),
    Setting(
        "group_alert_from",
        50,
        "How many people of the public tier at risk in a determination make one public "
        "alert per language, delivered to each person's contact points, instead of one "
        "warning each.",
        _positive_int,
    ),
    Setting(
        "release_policy",
        "",
        "TOML file with the releasability policy per recipient tier (docs/releasability.md). "
        "Default: $TEARLINE_HOME/release-policy.toml if it exists, else the built-in policy.",
        str,
    ),
    Setting(
        "release_workers",
        os.cpu_count() or 1,
        "Processes that render, sign and leak-check a release of 32 warnings or more side "
        "by side (1: all in the proposing or approving process).",
        _positive_int,
    ),
    Setting(
        "web_threads",
        4,
        "Requests each web process works on at once (its database work runs in this many "
        "threads); more wait their turn in arrival order. Few keeps every answer quick under "
        "load; raise it when slow requests (PDF reviews, large ingests) are common.",
        _positive_int,
    ),
    Setting(
        "list_cache_mb",
        32,
        "Megabytes each web process may keep of the inbox and triage-queue pages it last "
        "answered, each with the versions of the tables it was built from; answered again "
        "while the versions are the same (any change shows on the next request). 0: build "
        "every page afresh.",
        _whole_number,
    ),
    Setting(
        "access_log",
        "off",
        "'on': each web process logs a line per request — method, the route's pattern "
        "(never the path's own values: a reply link holds a secret), status, milliseconds "
        "and bytes — at INFO on the 'tearline.access' logger, JSON fields with "
        "TEARLINE_LOG_FORMAT=json.",
        _on_off,
    ),
    Setting(
        "log_format",
        "text",
        "How log lines on standard error look: 'text' (time level logger: message) or "
        "'json' (one JSON object a line: time, level, logger, message and fields).",
        _log_format,
    ),
    Setting(
        "log_level",
        "info",
        "The least important log lines written: debug, info, warning or error.",
        _log_level,
    ),
    Setting(
        "partner_keys_dir",
        "",
        "Directory of partners' Ed25519 public keys (PEM, one file per key, named "
        "<KeyName>.pem) that signed CAP alerts coming in are checked against (docs/sharing.md). "
        "Default: $TEARLINE_HOME/partner-keys.",
        str,
    ),
    Setting(
        "mailbox_password",
        "",
        "Password for the IMAP mailboxes Tearline polls (tearline mailbox add); never logged.",
        str,
    ),
    Setting(
        "mailbox_password_file",
        "",
        "A file holding the IMAP mailbox password (its first line), instead of "
        "TEARLINE_MAILBOX_PASSWORD.",
        str,
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with :func:`load_settings`."""

    values: Mapping[str, Any]
    # The settings given by an option, a variable or the file (the rest are defaults).
    given: frozenset[str] = frozenset()

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def home_path(self) -> Path:
        return Path(self.values["home"])

    @property
    def database(self) -> str:
        url: str = self.values["database_url"]
        return url or f"sqlite:///{self.home_path / 'tearline.db'}"


def _coerce(setting: Setting[Any], raw: object, origin: str) -> Any:
    if isinstance(raw, str):
        try:
            return setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{origin}: {setting.name}={raw!r} is not valid: {exc}") from None
    if isinstance(raw, bool) or not isinstance(raw, type(setting.default)):
        expected = type(setting.default).__name__
        raise ConfigError(f"{origin}: {setting.name} must be a {expected}, got {raw!r}")
    return setting.parse(str(raw))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(_BY_NAME))
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}; see README.md")
    return data


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Resolve every setting. ``overrides`` wins (CLI flags); ``None`` values are ignored."""
    env = os.environ if environ is None else environ
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    home = str(given.get("home") or env.get("TEARLINE_HOME") or "")
    home = home or platformdirs.user_data_dir("tearline", appauthor=False)
    config = env.get("TEARLINE_CONFIG")
    toml_path = Path(config) if config else Path(home) / "tearline.toml"
    if config and not toml_path.is_file():
        raise ConfigError(f"TEARLINE_CONFIG points to {toml_path}, which does not exist")
    from_file = _read_toml(toml_path) if toml_path.is_file() else {}

    values: dict[str, Any] = {}
    for s in SETTINGS:
        if s.name in given:
            values[s.name] = _coerce(s, given[s.name], "option")
        elif s.env in env:
            values[s.name] = _coerce(s, env[s.env], s.env)
        elif s.name in from_file:
            values[s.name] = _coerce(s, from_file[s.name], str(toml_path))
        else:
            values[s.name] = s.default
    values["home"] = str(Path(home).expanduser().resolve())
    named = {s.name for s in SETTINGS if s.name in given or s.env in env or s.name in from_file}
    return Settings(values, frozenset(named))


def public_url_for(host: str, port: int) -> str:
    """The public URL a desk bound to ``host:port`` has when none is set: links then point
    where it really listens (every address: this machine's name)."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 (a name for it, not a binding)
        host = socket.gethostname()
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


# Names reserved never to be a real deployment's (RFC 2606, RFC 6761).
_PLACEHOLDER_HOSTS = re.compile(r"(^|\.)(invalid|example|example\.(com|net|org))$", re.IGNORECASE)


def placeholder_settings(settings: Settings) -> list[str]:
    """What still holds a placeholder that must not reach a recipient: each with the
    setting to change. Empty when the deployment may release."""
    problems = []
    sender = str(settings.sender).strip()
    if not sender or _PLACEHOLDER_HOSTS.search(sender.rpartition("@")[2]):
        problems.append(
            f"the sender is {sender!r}, a placeholder: set TEARLINE_SENDER (or sender in "
            "tearline.toml) to the name your recipients know you by"
        )
    host = urlsplit(str(settings.public_url)).hostname or ""
    if not host or _PLACEHOLDER_HOSTS.search(host):
        problems.append(
            f"the public URL is {settings.public_url!r}, a placeholder: set "
            "TEARLINE_PUBLIC_URL (or public_url in tearline.toml) to where recipients reach "
            "this desk"
        )
    return problems
