"""The client's address behind the reverse proxy: read from X-Forwarded-For only when
the peer is a trusted proxy, so the login throttle, the sign-up limits and the audit
see the client, and a client cannot name itself."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from jijie.core.middleware import ForwardedForMiddleware, forwarded_client

LOCAL = ["127.0.0.1"]


@pytest.mark.parametrize(
    ("peer", "header", "trusted", "client"),
    [
        # nginx on the same machine names the client
        ("127.0.0.1", "203.0.113.5", LOCAL, "203.0.113.5"),
        # a client that sends the header itself is not believed: nginx appends the peer
        ("127.0.0.1", "6.6.6.6, 203.0.113.5", LOCAL, "203.0.113.5"),
        # a peer that is no trusted proxy keeps its own address
        ("198.51.100.7", "6.6.6.6", LOCAL, None),
        # proxies in a trusted network are skipped, right to left
        ("10.0.0.2", "203.0.113.5, 10.0.0.9", ["10.0.0.0/8"], "203.0.113.5"),
        # every hop trusted: none left to name
        ("127.0.0.1", "127.0.0.1", LOCAL, None),
        # not an address
        ("127.0.0.1", "unknown", LOCAL, None),
        # every proxy trusted: the first hop
        ("192.0.2.1", "203.0.113.5, 192.0.2.9", ["*"], "203.0.113.5"),
        ("127.0.0.1", "2001:db8::1", LOCAL, "2001:db8::1"),
        ("127.0.0.1", "", LOCAL, None),
    ],
)
def test_the_client_behind_trusted_proxies(peer, header, trusted, client):
    assert forwarded_client(peer, header, trusted) == client


def test_the_middleware_sets_the_address_every_later_reader_sees(settings):
    settings.FORWARDED_ALLOW_IPS = LOCAL
    seen = []

    def view(request):
        seen.append(request.META["REMOTE_ADDR"])
        return HttpResponse()

    middleware = ForwardedForMiddleware(view)
    factory = RequestFactory()
    middleware(factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5"))
    middleware(factory.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="6.6.6.6"))
    assert seen == ["203.0.113.5", "198.51.100.7"]


def test_the_middleware_comes_first(settings):
    assert settings.MIDDLEWARE[0] == "jijie.core.middleware.ForwardedForMiddleware"
