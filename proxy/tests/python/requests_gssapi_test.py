#!/usr/bin/env python3
"""A live client test: Python `requests` with `requests-gssapi` (MIT's GSS-API underneath)
against krb-proxy, with mutual authentication REQUIRED.

usage: requests_gssapi_test.py URL [--resolve HOST:PORT:ADDR] [--cacert FILE]
                               [--expect-user PRINCIPAL] [--channel-bindings]

Run by proxy/tests/live_kerberos.rs with the environment of a live test realm (KRB5_CONFIG and
KRB5CCNAME holding a ticket). Checks that:
- the response is 200 after the Negotiate exchange;
- the upstream (krb-proxy's test echo upstream, which answers with the request it saw as JSON)
  received `X-Remote-User: PRINCIPAL` (default alice@EXAMPLE.TEST) and no Authorization header;
- the 200 carried `WWW-Authenticate: Negotiate <AP-REP>` and MIT's gss_init_sec_context accepted
  it: requests-gssapi with REQUIRED raises MutualAuthenticationError otherwise, and the security
  context is then complete;
- with --channel-bindings, the token carries RFC 5929 tls-server-end-point bindings of the
  proxy's certificate (requests-gssapi computes them with `cryptography`), which the proxy checks.

Prints one JSON line of facts on success; exits 1 with a message on stderr on failure, 3 when
requests-gssapi is not installed (run scripts/install-deps.sh), 2 on a usage error.
"""

import argparse
import json
import socket
import sys
from urllib.parse import urlparse


def fail(message):
    print(f"requests_gssapi_test: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument(
        "--resolve",
        metavar="HOST:PORT:ADDR",
        help="connect to ADDR for HOST:PORT, like curl --resolve (no /etc/hosts needed)",
    )
    parser.add_argument("--cacert", help="PEM file of the CA that signed the proxy's certificate")
    parser.add_argument("--expect-user", default="alice@EXAMPLE.TEST")
    parser.add_argument(
        "--channel-bindings",
        action="store_true",
        help="bind the token to the TLS certificate (RFC 5929 tls-server-end-point; HTTPS only)",
    )
    args = parser.parse_args()

    try:
        import requests
        import requests_gssapi
    except ImportError as e:
        print(
            f"requests_gssapi_test: {e}: requests-gssapi is not installed; "
            "run scripts/install-deps.sh",
            file=sys.stderr,
        )
        sys.exit(3)

    if args.resolve:
        host, port, addr = args.resolve.split(":", 2)
        real_getaddrinfo = socket.getaddrinfo

        def getaddrinfo(h, p, *rest, **kw):
            if h == host and str(p) == port:
                return real_getaddrinfo(addr, p, *rest, **kw)
            return real_getaddrinfo(h, p, *rest, **kw)

        socket.getaddrinfo = getaddrinfo

    auth = requests_gssapi.HTTPSPNEGOAuth(
        mutual_authentication=requests_gssapi.REQUIRED,
        channel_bindings="tls-server-end-point" if args.channel_bindings else None,
    )
    session = requests.Session()
    # No proxies or netrc from the environment: talk to krb-proxy directly.
    session.trust_env = False
    try:
        response = session.get(
            args.url,
            auth=auth,
            verify=args.cacert if args.cacert else True,
            timeout=20,
        )
    except requests_gssapi.MutualAuthenticationError as e:
        fail(f"mutual authentication failed (the proxy's AP-REP did not verify): {e}")
    except requests_gssapi.SPNEGOExchangeError as e:
        fail(f"the GSS-API exchange failed (is there a ticket in KRB5CCNAME?): {e}")
    except requests.RequestException as e:
        fail(f"request to {args.url} failed: {e}")

    if response.status_code != 200:
        fail(f"status {response.status_code}, expected 200: {response.text[:500]}")

    negotiate = response.headers.get("WWW-Authenticate", "")
    if not negotiate.startswith("Negotiate "):
        fail(f"the 200 has no `WWW-Authenticate: Negotiate <token>` (got {negotiate!r})")

    host = urlparse(args.url).hostname
    context = auth.context.get(host)
    if context is None:
        fail(f"requests-gssapi made no security context for {host}")
    if not context.complete:
        fail("the security context is not complete after the 200 (mutual authentication)")

    try:
        seen = response.json()
    except ValueError:
        fail(f"the upstream's answer is not JSON: {response.text[:500]}")
    headers = seen.get("headers", {})
    if headers.get("x-remote-user") != [args.expect_user]:
        fail(f"the upstream saw X-Remote-User {headers.get('x-remote-user')!r}, "
             f"expected [{args.expect_user!r}]")
    if "authorization" in headers:
        fail("the client's Authorization header reached the upstream")

    print(
        json.dumps(
            {
                "status": response.status_code,
                "x_remote_user": headers["x-remote-user"][0],
                "mutual": True,
                "context_complete": context.complete,
                "target": str(context.target_name) if context.target_name else None,
                "channel_bindings": args.channel_bindings,
            }
        )
    )


if __name__ == "__main__":
    main()
