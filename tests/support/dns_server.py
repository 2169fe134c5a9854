"""An authoritative DNS server for tests: python3-dnslib on 127.0.0.1, UDP and TCP.

Zones are given as zone-file text (absolute names, e.g. "remote.test. 60 IN MX 10 mx.remote.test.").
Answers: the records of the asked name and type (AA set); a CNAME is returned and followed
inside the zone; a name that exists without that type gets NOERROR with no answer (nodata); any
other name gets NXDOMAIN. Names listed in `silent` are never answered (a resolver times out).

    with DnsServer(ZONE) as dns:
        config["dns"] = {"servers": [dns.address]}    # "127.0.0.1:PORT"
"""
import threading

from dnslib import QTYPE, RCODE, RR, DNSError, DNSLabel
from dnslib.server import BaseResolver, DNSLogger, DNSServer

from .net import LOOPBACK, free_port_udp_tcp


class ZoneResolver(BaseResolver):
    def __init__(self, zone_text, silent=()):
        self.records = RR.fromZone(zone_text)
        self.silent = {DNSLabel(name) for name in silent}
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
        if q.qname in self.silent:
            # dnslib's handler catches DNSError and sends nothing: the client times out.
            raise DNSError(f"{q.qname} is silent")
        reply = request.reply()  # aa=1, ra=1
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
    def __init__(self, zone_text, silent=()):
        self.resolver = ZoneResolver(zone_text, silent)
        self.port = None
        self._servers = []

    @property
    def address(self):
        return f"{LOOPBACK}:{self.port}"

    def start(self):
        self.port = free_port_udp_tcp()
        for tcp in (False, True):
            server = DNSServer(self.resolver, address=LOOPBACK, port=self.port, tcp=tcp,
                               logger=_QuietLogger())
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
