"""An authoritative DNS server for tests: python3-dnslib on 127.0.0.1, UDP and TCP.

Zones are given as zone-file text (absolute names, e.g. "remote.test. 60 IN MX 10 mx.remote.test.").
Answers: the records of the asked name and type (AA set); a CNAME is returned and followed
inside the zone; a name that exists without that type gets NOERROR with no answer (nodata); any
other name gets NXDOMAIN. Names listed in `silent` are never answered (a resolver times out).
Keyword-only, for whole subtrees: `silent_domains` (a domain and every name below it is never
answered) and `servfail_domains` (... always gets SERVFAIL).

    with DnsServer(ZONE) as dns:
        config["dns"] = {"servers": [dns.address]}    # "127.0.0.1:PORT"

The C++ unit tests start it as `python3 tests/support dns-server` (see __main__.py).
"""
import threading

from dnslib import QTYPE, RCODE, RR, DNSError, DNSLabel
from dnslib.server import BaseResolver, DNSLogger, DNSServer

from .net import LOOPBACK


class ZoneResolver(BaseResolver):
    def __init__(self, zone_text, silent=(), *, silent_domains=(), servfail_domains=()):
        self.records = RR.fromZone(zone_text)
        self.silent = {DNSLabel(name) for name in silent}
        self.silent_domains = [DNSLabel(name) for name in silent_domains]
        self.servfail_domains = [DNSLabel(name) for name in servfail_domains]
        self.queries = []  # (name, type) in arrival order, for assertions
        self._lock = threading.Lock()

    def _lookup(self, name, qtype):
        return [rr for rr in self.records
                if rr.rname == name and (qtype == "ANY" or QTYPE[rr.rtype] == qtype)]

    def resolve(self, request, handler):
        q = request.q
        qtype = QTYPE[q.qtype]
        with self._lock:
            self.queries.append((str(q.qname).rstrip("."), qtype))
        if q.qname in self.silent or any(q.qname.matchSuffix(d) for d in self.silent_domains):
            # dnslib's handler catches DNSError and sends nothing: the client times out.
            raise DNSError(f"{q.qname} is silent")
        reply = request.reply()  # aa=1, ra=1
        if any(q.qname.matchSuffix(d) for d in self.servfail_domains):
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        name = q.qname
        for _ in range(8):  # CNAME chain bound
            answers = self._lookup(name, qtype)
            if answers:
                reply.add_answer(*answers)
                return reply
            cnames = self._lookup(name, "CNAME") if qtype != "CNAME" else []
            if not cnames:
                break
            reply.add_answer(*cnames)
            name = cnames[0].rdata.label
        if not any(rr.rname == name for rr in self.records) and not reply.rr:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


class _QuietLogger(DNSLogger):
    def __init__(self):
        super().__init__(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)


class DnsServer:
    def __init__(self, zone_text, silent=(), *, silent_domains=(), servfail_domains=()):
        self.resolver = ZoneResolver(zone_text, silent, silent_domains=silent_domains,
                                     servfail_domains=servfail_domains)
        self.port = None
        self._servers = []

    @property
    def address(self):
        return f"{LOOPBACK}:{self.port}"

    def _bind(self):
        """UDP on a port the OS picks, then TCP on the same number (retried when taken): no
        window in which another process can take the port between choosing and binding."""
        for _ in range(100):
            udp = DNSServer(self.resolver, address=LOOPBACK, port=0, logger=_QuietLogger())
            port = udp.server.server_address[1]
            try:
                tcp = DNSServer(self.resolver, address=LOOPBACK, port=port, tcp=True,
                                logger=_QuietLogger())
            except OSError:
                udp.server.server_close()
                continue
            return port, (udp, tcp)
        raise RuntimeError("no port free for both UDP and TCP")

    def start(self):
        self.port, servers = self._bind()
        for server in servers:
            # Our own thread with a short poll interval: shutdown() waits one interval.
            thread = threading.Thread(target=server.server.serve_forever,
                                      kwargs={"poll_interval": 0.05}, daemon=True)
            thread.start()
            self._servers.append(server)
        return self

    def stop(self):
        for server in self._servers:
            server.server.shutdown()
            server.server.server_close()
        self._servers = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
