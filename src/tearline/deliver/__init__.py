"""Deliver: channels that carry a signed warning out, the retry schedule, rate limits,
reply links, the Atom feed, and the spatial index that finds whom a threat concerns."""

from tearline.deliver.channels import (
    Channel,
    HttpPool,
    LiaisonNoteChannel,
    Outbound,
    PermanentFailure,
    PublicFeedChannel,
    Receipt,
    TemporaryFailure,
    WebhookChannel,
)
from tearline.deliver.email import EmailChannel, SmtpConfig, SmtpPool
from tearline.deliver.ratelimit import TokenBucket, parse_rate_limits
from tearline.deliver.schedule import next_delay, retry_delay
from tearline.deliver.sms import SmsChannel

# Every channel a contact point may name; each has a class above.
# taxii: the partner's collection on this server (workflow.taxii); taxii_push: its own server.
CHANNEL_NAMES = frozenset(
    {"liaison_note", "public_feed", "webhook", "email", "sms", "taxii", "taxii_push"}
)

__all__ = [
    "CHANNEL_NAMES",
    "Channel",
    "EmailChannel",
    "HttpPool",
    "LiaisonNoteChannel",
    "Outbound",
    "PermanentFailure",
    "PublicFeedChannel",
    "Receipt",
    "SmsChannel",
    "SmtpConfig",
    "SmtpPool",
    "TemporaryFailure",
    "TokenBucket",
    "WebhookChannel",
    "next_delay",
    "parse_rate_limits",
    "retry_delay",
]
