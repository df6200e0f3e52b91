"""Per-request context: who is calling and what the request has done so far."""

from dataclasses import dataclass, field

from .. import ids
from ..store import Store
from .versions import API_VERSION


@dataclass
class Context:
    """What one ``/v1`` request knows about itself, passed to every resource function.

    The store, the caller's key type, the request and idempotency ids and the API version travel together, so a
    resource never reads Flask's request and the events it emits carry the ids Stripe would give them.
    """

    store: Store
    api_key: str
    publishable: bool
    request_id: str = field(default_factory=ids.request_id)
    idempotency_key: str | None = None
    api_version: str = API_VERSION
    deliveries_queued: bool = False
    subscriptions: list | None = None  # the enabled webhook endpoints, read once per request (resources/events.py)
