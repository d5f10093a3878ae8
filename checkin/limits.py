"""Rate limits per person, not per address.

A hall of 500 phones shares one address behind the venue's NAT, and one person can
hop between 50 addresses; so a limit counts against *who* asks: the signed-in account,
the invitation or unit link in the URL, the paired gate device, the invitation a phone
holds for self check-in — and only failing that the client's address.

Guessing is limited separately, per address, counting only refusals
(:func:`limit_guesses`): unknown links cost an address its budget, valid ones do not.

The address is ``request.remote_addr``: the forwarded one only from a proxy the
configuration trusts (:class:`TrustedProxyFix`). Counters live in
``RATELIMIT_STORAGE_URI`` (Redis when several processes serve).
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import limiter

#: Cookies that name a party: the paired gate device, the invitation a phone opened.
GATE_COOKIE = "gate_device"
INVITATION_COOKIE = "invitation"
#: Scans of codes that are no invitation a gate device may send per minute.
FORGED_SCANS_PER_DEVICE = "60 per minute"
#: Refused requests (unknown link, expired code) an address may make per minute.
GUESSES_PER_ADDRESS = "120 per minute"


def _digest(secret: str) -> str:
    # Counter keys may be visible in Redis; never store the working token itself.
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def client_address() -> str:
    return request.remote_addr or "unknown"


def party_key() -> str:
    """Who is asking, for rate limits: account, link, device, invitation, else address."""
    from flask_login import current_user

    args = request.view_args or {}
    token = args.get("token")
    if isinstance(token, str) and token:
        return f"link:{_digest(token)}"
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    header = request.headers.get("Authorization", "")
    device = header[7:].strip() if header.lower().startswith("bearer ") else None
    device = device or request.cookies.get(GATE_COOKIE)
    if device:
        return f"device:{_digest(device)}"
    invitation = request.cookies.get(INVITATION_COOKIE)
    if invitation:
        return f"invitation:{_digest(invitation)}"
    return f"addr:{client_address()}"


def _refused(response) -> bool:
    return response.status_code in (403, 404)  # not 410: an expired code is no guess


def limit_guesses(view: Callable) -> Callable:
    """At most :data:`GUESSES_PER_ADDRESS` refused requests per address (link guessing)."""
    return limiter.limit(GUESSES_PER_ADDRESS, key_func=lambda: f"guess:{client_address()}",
                         deduct_when=_refused, scope="guesses")(view)


def allow(key: str, limit: str, *, count: bool = True) -> bool:
    """Whether ``key`` is still within ``limit`` ("30 per minute"), counting this hit
    unless ``count`` is False. For what is not a route (Socket.IO events)."""
    from limits import parse

    if not limiter.enabled:
        return True
    item = parse(limit)
    if not count:
        return limiter.limiter.test(item, "socket", key)
    return limiter.limiter.hit(item, "socket", key)


class TrustedProxyFix:
    """:class:`ProxyFix`, applied only to requests that come from a trusted proxy.

    From any other peer the ``X-Forwarded-*`` headers are removed, so a client that
    reaches the application directly cannot choose its own address.
    """

    def __init__(self, app, trusted: list[str], hops: int = 1) -> None:
        self.app = app
        self.networks = [ipaddress.ip_network(t.strip(), strict=False)
                         for t in trusted if t.strip()]
        self.fixed = ProxyFix(app, x_for=hops, x_proto=hops, x_host=0, x_port=0,
                              x_prefix=0)

    def _trusted(self, peer: str | None) -> bool:
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __call__(self, environ, start_response):
        if self.networks and self._trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        for name in [k for k in environ if k.startswith("HTTP_X_FORWARDED_")]:
            del environ[name]
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    """Wrap the whole application (Socket.IO included) in :class:`TrustedProxyFix`."""
    app.wsgi_app = TrustedProxyFix(app.wsgi_app, app.config["TRUSTED_PROXIES"],
                                   hops=app.config["PROXY_FIX_X_FOR"])
