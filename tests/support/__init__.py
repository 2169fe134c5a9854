"""Shared helpers for Postern's integration tests and benchmarks.

Everything here runs real peers on 127.0.0.1 only: a DNS server (dns_server), SMTP sinks
(sinks), the postern processes (postern), and small waiting/port utilities (net). Run under
/usr/bin/python3: Debian's aiosmtpd, dnslib and yaml modules import only there.
"""
