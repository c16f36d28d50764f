"""Where the registry's own requests may go: public addresses only, unless the deployment says so.

An administrator sets where watchlist notifications go, and the deployment where the monthly
exchange batches go.  Neither may turn the registry against itself or its
neighbours: a destination whose host resolves to a loopback, private, link-local (169.254.0.0/16,
where clouds answer metadata requests), shared (100.64.0.0/10, carrier-grade NAT, where Alibaba
Cloud's metadata service 100.100.100.200 lives), multicast, reserved or otherwise non-public
address is refused, unless a network of the configuration's ``OUTBOUND_ALLOWED_NETWORKS``
holds it.  The allow-list is configuration, not an admin setting: the administrator is one of
those the rule is about.

The rule holds for every address a name resolves to, when an endpoint is set (a clear refusal at
the field) and again for each connection (``Destinations.create_connection``): a name that
resolved to a public address when it was saved may resolve to an internal one later (DNS
rebinding), so the connection is made to the address just checked, never to a second
resolution.  IPv6 forms that carry an IPv4 address (mapped, 6to4, Teredo, NAT64) are judged by it.
Redirects are not followed (``http.client`` never follows them; ``open_url`` refuses them), and
no proxy is used, so the checked address is the one connected to.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from dataclasses import dataclass
from functools import partial

from flask import current_app

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # RFC 6598
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052

# Why an address is not public, in the order the checks run (English: the scheduler's error log
# has no language; the form's refusal translates them, ``watch.operations``).
REASONS = ("loopback", "link-local", "unspecified", "multicast", "private", "shared", "reserved", "site-local",
           "non-public")


class RefusedDestination(OSError):
    """A destination the registry does not send to: ``reason`` is one of ``REASONS``, or
    ``unresolvable`` when the host name has no address."""

    def __init__(self, host: str, address: str | None, reason: str):
        self.host, self.address, self.reason = host, address, reason
        if address is None:
            text = f"refused destination: {host} does not resolve to any address"
        else:
            text = (f"refused destination: {host} resolves to {address}, a {reason} address "
                    "(not sent there unless OUTBOUND_ALLOWED_NETWORKS names its network)")
        super().__init__(text)


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    if address.version == 4:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client's address
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def why_not_public(address: Address) -> str | None:
    """None for a public (globally routable unicast) address, else the reason it is not one."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return why_not_public(embedded)
    for reason, test in (("loopback", address.is_loopback), ("link-local", address.is_link_local),
                         ("unspecified", address.is_unspecified), ("multicast", address.is_multicast),
                         ("private", address.is_private), ("shared", address.version == 4 and address in _SHARED),
                         ("reserved", address.is_reserved), ("site-local", getattr(address, "is_site_local", False)),
                         ("non-public", not address.is_global)):
        if test:
            return reason
    return None


def lookup(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, as the system resolver gives them (tests replace this)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def parse_networks(entries) -> tuple:
    """The allow-list's networks (``ValueError`` naming a bad entry)."""
    networks = []
    for entry in entries or ():
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            raise ValueError(f"OUTBOUND_ALLOWED_NETWORKS: {entry!r} is not a network (e.g. 10.20.0.0/16)") from None
    return tuple(networks)


@dataclass(frozen=True)
class Destinations:
    """The rule for one process: public addresses, and those of the allowed networks."""

    allowed: tuple = ()

    def check(self, host: str, address: Address) -> None:
        reason = why_not_public(address)
        if reason is not None and not any(address.version == net.version and address in net for net in self.allowed):
            mapped = getattr(address, "ipv4_mapped", None)  # shown as ::ffff:127.0.0.1, not ::ffff:7f00:1
            raise RefusedDestination(host, f"::ffff:{mapped}" if mapped else str(address), reason)

    def resolve(self, host: str, port: int) -> list[Address]:
        """Every address of ``host``, each checked (one refused address refuses the host)."""
        try:
            found = lookup(host, port)
        except (socket.gaierror, UnicodeError):
            raise RefusedDestination(host, None, "unresolvable") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(text.split("%", 1)[0]) for text in found))
        if not addresses:
            raise RefusedDestination(host, None, "unresolvable")
        for address in addresses:
            self.check(host, address)
        return addresses

    def create_connection(self, target: tuple, timeout, source_address=None) -> socket.socket:
        """``socket.create_connection`` to the checked addresses of ``target``'s host, in turn."""
        host, port = target
        error: OSError | None = None
        for address in self.resolve(host, port):
            try:
                return socket.create_connection((str(address), port), timeout, source_address)
            except OSError as failed:
                error = failed
        raise error  # resolve() returned at least one address


def destinations() -> Destinations:
    """The rule of the current application (its ``OUTBOUND_ALLOWED_NETWORKS``)."""
    return Destinations(parse_networks(current_app.config.get("OUTBOUND_ALLOWED_NETWORKS")))


# ---------------------------------------------------------------------------------------------
# Connections that keep to the rule


class GuardedHTTPConnection(http.client.HTTPConnection):
    """An ``HTTPConnection`` that connects only through ``Destinations.create_connection``."""

    def __init__(self, *args, destinations: Destinations, **kwargs):
        super().__init__(*args, **kwargs)
        # http.client opens its socket through this attribute (set in __init__ for that purpose)
        self._create_connection = destinations.create_connection


class GuardedHTTPSConnection(http.client.HTTPSConnection):
    """The same for HTTPS: the TLS handshake still names and verifies the host, not the address."""

    def __init__(self, *args, destinations: Destinations, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = destinations.create_connection


def connection(scheme: str, host: str, port: int | None, timeout: float, rule: Destinations):
    """A kept-alive-capable connection to ``host`` that keeps to ``rule``."""
    factory = GuardedHTTPSConnection if scheme == "https" else GuardedHTTPConnection
    return factory(host, port, timeout=timeout, destinations=rule)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx answer itself is then the outcome (urllib raises it as an HTTPError)


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, rule: Destinations):
        super().__init__()
        self.rule = rule

    def http_open(self, req):
        return self.do_open(partial(GuardedHTTPConnection, destinations=self.rule), req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, rule: Destinations):
        super().__init__()
        self.rule = rule

    def https_open(self, req):
        return self.do_open(partial(GuardedHTTPSConnection, destinations=self.rule), req,
                            context=self._context)


def open_url(request: urllib.request.Request, timeout: float, rule: Destinations | None = None):
    """``urllib.request.urlopen`` keeping to the rule: checked addresses, no redirects, no proxy.

    A refused destination is a ``urllib.error.URLError`` whose reason is the ``RefusedDestination``.
    """
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects(),
                                         _GuardedHTTPHandler(rule or destinations()),
                                         _GuardedHTTPSHandler(rule or destinations()))
    return opener.open(request, timeout=timeout)
