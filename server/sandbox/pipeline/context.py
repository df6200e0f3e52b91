"""Per-request context: who is calling and what the request has done so far."""

from dataclasses import dataclass, field

from .. import ids
from ..store import Store
from .versions import API_VERSION


@dataclass
class Context:
    store: Store
    api_key: str
    publishable: bool
    request_id: str = field(default_factory=ids.request_id)
    idempotency_key: str | None = None
    api_version: str = API_VERSION
    deliveries_queued: bool = False
    subscriptions: list | None = None  # the enabled webhook endpoints, read once per request (resources/events.py)
