#!/usr/bin/python3
"""A tiny authoritative DNS server for tests (python3-dnslib), on 127.0.0.1 only.

Usage: dns_fixture.py [--zone-file FILE]...
Serves UDP and TCP on one free port, prints "PORT <n>" on stdout when ready, and runs until
its stdin reaches EOF (so it dies with the test that started it).

Semantics, unlike dnslib's ZoneResolver:
  * a name with no records at all -> NXDOMAIN; a name with records of other types -> NOERROR
    with an empty answer (NODATA);
  * CNAMEs are followed inside the zone and returned with the target's records;
  * any name under silent.test never gets an answer (for client timeouts);
  * any name under servfail.test gets SERVFAIL.
The built-in zone below is what tests/unit/common/dns expects; --zone-file adds records.
Reusable by integration tests: only the standard library and dnslib are needed.
"""
import argparse
import sys

from dnslib import QTYPE, RCODE, RR, DNSLabel
from dnslib.dns import DNSError
from dnslib.server import BaseResolver, DNSLogger, DNSServer

BUILTIN_ZONE = """
$TTL 300
multi.test.        IN MX 10 mx-b.multi.test.
multi.test.        IN MX 10 mx-a.multi.test.
multi.test.        IN MX 5  mx-first.multi.test.
nullmx.test.       IN MX 0  .
host.test.         IN A     192.0.2.1
host.test.         IN A     192.0.2.2
host.test.         IN AAAA  2001:db8::1
alias.test.        IN CNAME host.test.
txt.test.          IN TXT   "v=spf1 " "ip4:192.0.2.0/24 " "-all"
txt.test.          IN TXT   "second record"
1.2.0.192.in-addr.arpa. IN PTR host.test.
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. IN PTR host6.test.
nodata.test.       IN A     192.0.2.9
"""

SILENT = DNSLabel("silent.test.")
SERVFAIL = DNSLabel("servfail.test.")


class TestResolver(BaseResolver):
    def __init__(self, zone_text):
        self.records = list(RR.fromZone(zone_text))

    def _by_name(self, name):
        return [rr for rr in self.records if rr.rname == name]

    def resolve(self, request, handler):
        qname = request.q.qname
        qtype = request.q.qtype
        if qname.matchSuffix(SILENT):
            raise DNSError("silent name: no answer on purpose")
        reply = request.reply()
        if qname.matchSuffix(SERVFAIL):
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        name = qname
        for _ in range(8):  # CNAME chain limit
            rrs = self._by_name(name)
            if not rrs:
                if name == qname:
                    reply.header.rcode = RCODE.NXDOMAIN
                return reply
            cname = [rr for rr in rrs if rr.rtype == QTYPE.CNAME]
            if cname and qtype != QTYPE.CNAME:
                reply.add_answer(cname[0])
                name = cname[0].rdata.label
                continue
            for rr in rrs:
                if rr.rtype == qtype or qtype == QTYPE.ANY:
                    reply.add_answer(rr)
            return reply
        return reply


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zone-file", action="append", default=[])
    args = parser.parse_args()
    zone = BUILTIN_ZONE
    for path in args.zone_file:
        with open(path, encoding="utf-8") as f:
            zone += "\n" + f.read()
    resolver = TestResolver(zone)
    logger = DNSLogger(logf=lambda s: None)

    udp = tcp = None
    for _ in range(50):
        udp = DNSServer(resolver, port=0, address="127.0.0.1", logger=logger)
        port = udp.server.server_address[1]
        try:
            tcp = DNSServer(resolver, port=port, address="127.0.0.1", tcp=True, logger=logger)
            break
        except OSError:
            udp.server.server_close()
    if tcp is None:
        sys.exit("no free port for UDP and TCP")
    udp.start_thread()
    tcp.start_thread()
    print(f"PORT {port}", flush=True)
    sys.stdin.read()  # until the test closes our stdin
    udp.stop()
    tcp.stop()


if __name__ == "__main__":
    main()
