#!/usr/bin/python3
"""pyspf (python3-spf) as a second SPF reference for tests.

Usage: pyspf_check.py DNS_PORT IP MAIL_FROM HELO
Evaluates the MAIL FROM identity (postmaster@HELO for an empty MAIL FROM) with pyspf against
the DNS server on 127.0.0.1:DNS_PORT and prints "RESULT <result>" and "EXPLANATION <text>".
"""
import sys

import dns.resolver
import spf


def main():
    port, ip, sender, helo = sys.argv[1:5]
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = int(port)
    resolver.lifetime = 3
    dns.resolver.default_resolver = resolver
    result, explanation = spf.check2(i=ip, s=sender, h=helo, receiver="mx.receiver.test")
    print(f"RESULT {result}", flush=True)
    print(f"EXPLANATION {explanation}", flush=True)


if __name__ == "__main__":
    main()
