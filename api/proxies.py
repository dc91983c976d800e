"""The client's address: the peer's, unless the peer is a reverse proxy the deployment trusts.

`X-Forwarded-For` is a header anyone can send; believing it from any client lets a password
guesser rotate the per-address sign-in throttle. Only a peer listed in
`COFINANCE_TRUSTED_PROXIES` (addresses or networks, comma-separated) may say who its client is,
and then the client is the right-most address of the chain that is not itself a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """`"127.0.0.1, 10.0.0.0/8"` → networks; a bad entry is a start-up error naming it."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"COFINANCE_TRUSTED_PROXIES: not an address or network: {entry!r}"
            ) from None
    return tuple(networks)


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_from_chain(peer: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The client a request comes from, reading the forwarded chain only through trusted hops."""
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


class TrustedProxies:
    """ASGI middleware setting `scope["client"]` from `X-Forwarded-For` behind trusted proxies."""

    def __init__(self, app: ASGIApp, *, networks: tuple[Network, ...]) -> None:
        self.app = app
        self.networks = networks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.networks and scope.get("client"):
            peer, port = scope["client"]
            forwarded = b",".join(
                value for name, value in scope.get("headers", []) if name == b"x-forwarded-for"
            ).decode("latin-1")
            client = client_from_chain(peer, forwarded, self.networks)
            if client != peer:
                scope = {**scope, "client": (client, port)}
        await self.app(scope, receive, send)
