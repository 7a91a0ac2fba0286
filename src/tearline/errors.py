"""Every error a user can cause, as one hierarchy.

Each message says what was wrong and what to do. Errors from libraries underneath
(SQLAlchemy, lxml, aiohttp, joserfc) are converted to these at the boundary, so the CLI
and the web app can print one line and exit non-zero without a traceback.

    TearlineError
    ├── ConfigError            a setting has a bad value
    ├── InputError             a document or file cannot be read
    │   ├── EmptyDocument
    │   ├── BinaryDocument
    │   ├── EncodingError
    │   ├── DocumentTooLarge
    │   └── MalformedDocument  bad JSON, e-mail, HTML
    ├── NotFound               an ID that does not exist
    ├── AuthError              wrong password, unknown user, missing role
    │   └── TooManyAttempts    sign-in refused for a while after repeated failures
    ├── RuleViolation          the action breaks a rule of the domain
    │   ├── TwoPersonRule      the proposer tried to approve their own proposal
    │   └── InvalidState       e.g. releasing a threat with no warn determination
    ├── LeakDetected           a rendered warning contains a protected term
    ├── SignatureError         a warning's signature does not verify
    └── AuditChainBroken       a stored audit entry was altered, removed or reordered

Errors never carry protected text (source names, code words, collection methods) in
their messages, except :class:`LeakDetected`, whose message is shown only to the signed-in
officer who attempted the release (see release/leak_check.py).
"""

from __future__ import annotations


class TearlineError(Exception):
    """Base class: ``str(error)`` is a complete one-line message for the user."""

    exit_code = 1


class ConfigError(TearlineError):
    exit_code = 78  # EX_CONFIG


class InputError(TearlineError):
    exit_code = 65  # EX_DATAERR


class EmptyDocument(InputError):
    pass


class BinaryDocument(InputError):
    pass


class EncodingError(InputError):
    pass


class DocumentTooLarge(InputError):
    pass


class MalformedDocument(InputError):
    pass


class NotFound(TearlineError):
    exit_code = 66  # EX_NOINPUT


class AuthError(TearlineError):
    exit_code = 77  # EX_NOPERM


class RuleViolation(TearlineError):
    exit_code = 3


class TwoPersonRule(RuleViolation):
    pass


class InvalidState(RuleViolation):
    pass


class LeakDetected(TearlineError):
    exit_code = 4

    def __init__(self, message: str, *, term_id: str, artifact: str) -> None:
        super().__init__(message)
        self.term_id = term_id
        self.artifact = artifact


class SignatureError(TearlineError):
    exit_code = 5


class AuditChainBroken(TearlineError):
    exit_code = 6

    def __init__(self, message: str, *, seq: int) -> None:
        super().__init__(message)
        self.seq = seq


class TooManyAttempts(AuthError):
    """Sign-in refused without checking the password, after too many failures."""

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
