"""Deliver: channels that carry a signed warning out, and the retry schedule of the outbox."""

from tearline.deliver.channels import (
    Channel,
    LiaisonNoteChannel,
    Outbound,
    PermanentFailure,
    PublicFeedChannel,
    Receipt,
    TemporaryFailure,
    WebhookChannel,
)
from tearline.deliver.schedule import retry_delay

__all__ = [
    "Channel",
    "LiaisonNoteChannel",
    "Outbound",
    "PermanentFailure",
    "PublicFeedChannel",
    "Receipt",
    "TemporaryFailure",
    "WebhookChannel",
    "retry_delay",
]
