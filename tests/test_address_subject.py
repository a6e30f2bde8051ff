"""Per-address limits count a client as one subscriber holds addresses: an IPv6 client by its
/64, so rotating through the addresses of one's own /64 buys no fresh budget."""

from __future__ import annotations

import pytest

from helpdesk.ratelimit import address_subject


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        (None, "unknown"),
        ("", "unknown"),
        ("not-an-address", "not-an-address"),
    ],
)
def test_a_client_address_is_counted_by_its_subscriber(address, counted_as):
    assert address_subject(address) == counted_as


def test_two_addresses_of_one_ipv6_64_share_a_budget_and_another_64_does_not():
    assert address_subject("2001:db8:0:1::a") == address_subject("2001:db8:0:1:dead:beef::1")
    assert address_subject("2001:db8:0:1::a") != address_subject("2001:db8:0:2::a")
