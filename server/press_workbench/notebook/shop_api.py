"""A small JSON client for the shop's HTTP API, used as any other client would use it.

The notebook talks to the shop over HTTP even when the shop runs in the same
kernel, so a lesson shows exactly what a browser or a script would get.  It keeps
the shop's session cookie, as a browser does: the shop scopes ``Idempotency-Key``s
to a session (or to the operator token, which it also sends), as Stripe scopes them
to an API key.  Behind a Jupyter server's proxy it also sends the proxy token.
"""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar

from press_workbench.sandbox import proxy_headers

from .display import Card, CardView
from .errors import WorkbenchError


@dataclass(repr=False)
class Answer(CardView):
    """One HTTP answer from the shop: its status and decoded JSON body."""

    method: str
    path: str
    status: int
    body: object

    @property
    def ok(self):
        """Whether the shop accepted the request (2xx)."""
        return 200 <= self.status < 300

    def card(self):
        """The answer as a card: the status, then the shop's error or the body, as a client would see them."""
        error = self.body.get("error") if isinstance(self.body, dict) else None
        rows = [(error["code"], error["message"])] if error else [("body", json.dumps(self.body, sort_keys=True))]
        return Card(f"{self.method} {self.path}", f"HTTP {self.status}", rows, tone="ok" if self.ok else "bad")


class ShopAPI:
    """The shop's JSON API over HTTP, with the operator token when the notebook has one (for refunds)."""

    def __init__(self, base_url, timeout=10, operator_token=None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        # Operator routes (refunds) need the shop's operator token as a bearer (press_workbench/shop/security.py).
        self.auth = {"Authorization": f"Bearer {operator_token}"} if operator_token else {}
        self.auth.update(proxy_headers())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def request(self, method, path, body=None, headers=None, data=None):
        """Send one request; every HTTP status is an ``Answer`` (only an unreachable shop raises).

        ``body`` is sent as JSON; ``data`` as the exact bytes given (a webhook delivery, whose
        signature covers them).
        """
        data = data if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if data else {}),
                **self.auth,
                **(headers or {}),
            },
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except OSError as exc:
            raise WorkbenchError(f"The shop at {self.base_url} does not answer ({exc}). Is it still running?") from None
        try:
            decoded = json.loads(raw)
        except ValueError:
            decoded = {"error": {"code": "not_json", "message": raw[:200].decode(errors="replace")}}
        return Answer(method, path, status, decoded)

    def get(self, path):
        """GET a route and return its JSON; a refusal raises with the shop's own message."""
        return self._expect_ok(self.request("GET", path))

    def post(self, path, body=None, headers=None):
        """POST JSON to a route and return its JSON; a refusal raises with the shop's own message."""
        return self._expect_ok(self.request("POST", path, body or {}, headers))

    def _expect_ok(self, answer):
        """The JSON body of a successful answer; the shop's ``{"error": …}`` becomes a ``WorkbenchError``."""
        if answer.ok:
            return answer.body
        error = answer.body.get("error", {}) if isinstance(answer.body, dict) else {}
        raise WorkbenchError(
            f"The shop refused {answer.method} {answer.path}: {error.get('message')} "
            f"({error.get('code')}, HTTP {answer.status})"
        )
