"""Where the helpdesk may send requests that someone else chose (webhook URLs): never to this
machine, the private network or a cloud's metadata service.

A URL is checked when it is registered (`check_url`) and its host's addresses again at every
connection (`GuardedResolver`, for aiohttp): a name that resolved to a public address
yesterday and to 127.0.0.1 today is refused today. Only addresses that are globally routable
unicast are allowed; hosts named in `WEBHOOK_ALLOWED_HOSTS` (tests, a private network the
admin trusts) are allowed whatever they resolve to.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from django.conf import settings
from django.utils.translation import gettext as _

from helpdesk.errors import ServiceError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressNotAllowed(Exception):
    """The host resolved to an address the helpdesk does not send to."""


def not_allowed(reason: str) -> ServiceError:
    return ServiceError(
        "webhook_url_not_allowed",
        _("This address cannot receive webhooks: %(reason)s") % {"reason": reason},
    )


def host_is_trusted(host: str) -> bool:
    trusted = {name.lower().strip("[]") for name in settings.WEBHOOK_ALLOWED_HOSTS}
    return host.lower().strip("[]") in trusted


# IPv6 ranges that carry an IPv4 address (or reach one): refused whatever they carry.
EMBEDDING_IPV4 = [
    ipaddress.ip_network(net)
    for net in (
        "::/96",  # IPv4-compatible
        "::ffff:0:0/96",  # IPv4-mapped (judged as its IPv4 below)
        "::ffff:0:0:0/96",  # IPv4-translated
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",  # local NAT64
        "2002::/16",  # 6to4
        "2001::/32",  # Teredo
    )
]
GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")


def address_allowed(address: str) -> bool:
    """A globally routable unicast address: IPv4 that is global; IPv6 in the global unicast
    range that embeds no IPv4 (an IPv4-mapped one is judged as its IPv4)."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip not in GLOBAL_UNICAST_V6 or any(ip in net for net in EMBEDDING_IPV4):
            return False
    return ip.is_global and not ip.is_multicast


def literal_address(host: str) -> str | None:
    """The address a host names by itself (IPv6, or IPv4 in any form the C library takes:
    `127.1`, `2130706433`, `0x7f.1`), or None for a name."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    if host and all(part.isalnum() for part in host.split(".")) and host[0].isdigit():
        try:
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            return None
    return None


def url_host(url: str) -> tuple[str, int]:
    """The host and port of an http(s) URL; `ServiceError` for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise not_allowed(_("not a valid URL")) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise not_allowed(_("only http and https URLs with a host"))
    if parts.username or parts.password:
        raise not_allowed(_("credentials in the URL"))
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_url(url: str) -> None:
    """Refuse a URL whose host is, or resolves to, an address the helpdesk does not send to
    (400 `webhook_url_not_allowed`, naming why)."""
    host, port = url_host(url)
    if host_is_trusted(host):
        return
    literal = literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise not_allowed(_("its host name does not resolve")) from None
        addresses = [str(info[4][0]) for info in found]
    refused = [address for address in addresses if not address_allowed(address)]
    if refused:
        raise not_allowed(
            _("%(host)s is a private, loopback, link-local or multicast address (%(address)s)")
            % {"host": host, "address": refused[0]}
        )


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver, refusing a host any of whose addresses is not allowed (the
    connection then fails before it is opened). aiohttp does not resolve an IP address given
    as the host: the sender checks those with `check_url` before it connects."""

    def __init__(self) -> None:
        self._resolver = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._resolver.resolve(host, port, family)
        if host_is_trusted(host):
            return found
        refused = [entry["host"] for entry in found if not address_allowed(entry["host"])]
        if refused:
            raise AddressNotAllowed(f"{host} resolves to {refused[0]}, which is not allowed")
        return found

    async def close(self) -> None:
        await self._resolver.close()
