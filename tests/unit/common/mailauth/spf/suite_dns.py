#!/usr/bin/python3
"""Serves the zone data of an openspf-format SPF test suite (rfc7208-tests.yml) over DNS.

Usage: suite_dns.py SUITE.yml
Each YAML document (a suite section) gets its own authoritative server (UDP and TCP) on a free
port of 127.0.0.1; the script prints "SECTION<i> <port>" for every section i (0-based, file
order), then "READY 0", and runs until its stdin reaches EOF (it dies with the test).

Zone semantics follow the suite's reference driver (pyspf's testspf.py), so results mean the
same as in the suite authors' runs:
  * names compare case-insensitively; a name absent from the section's zonedata -> NXDOMAIN,
    a present name without records of the asked type -> NOERROR with no answer (NODATA);
  * "SPF: x" records are also served as TXT, unless the name lists any "TXT" entry
    ("TXT: NONE" means: no TXT records at all); type 99 itself is never served, since RFC 7208
    evaluators query TXT only;
  * a "TIMEOUT" entry: a query for a type with no records listed before it is never answered
    (the client times out); records listed before it are answered normally;
  * CNAMEs are followed inside the section (at most 8 steps; a loop ends without an answer);
  * TXT strings are the UTF-8 bytes of the YAML text, cut into 255-byte character-strings;
    a list gives one character-string per item ([] is a TXT record with no strings).
"""
import sys

import yaml
from dnslib import AAAA, CNAME, MX, PTR, QTYPE, RCODE, RR, TXT, A, DNSLabel
from dnslib.dns import DNSError
from dnslib.server import BaseResolver, DNSLogger, DNSServer

TIMEOUT = object()


def key(name):
    """Case-insensitive lookup key from the raw labels (str(DNSLabel) escapes spaces etc.)."""
    label = name if isinstance(name, DNSLabel) else DNSLabel(str(name))
    return ".".join(part.decode("latin-1") for part in label.label).lower()


def txt_rdata(value):
    if isinstance(value, list):
        return TXT([str(v).encode("utf-8") for v in value])
    data = str(value).encode("utf-8")
    return TXT([data[i:i + 255] for i in range(0, len(data), 255)] or [b""])


def rdata_for(rtype, value):
    if rtype in ("TXT", "SPF"):
        return QTYPE.TXT, txt_rdata(value)
    if rtype == "A":
        return QTYPE.A, A(value)
    if rtype == "AAAA":
        return QTYPE.AAAA, AAAA(value)
    if rtype == "MX":
        pref, host = value
        return QTYPE.MX, MX(host if host else ".", int(pref))
    if rtype == "PTR":
        return QTYPE.PTR, PTR(value)
    if rtype == "CNAME":
        return QTYPE.CNAME, CNAME(value)
    raise ValueError(f"unsupported record type {rtype}")


def load_zone(zonedata):
    """{lowercase name: [(qtype, rdata) | TIMEOUT, ...]} in the listed order."""
    zone = {}
    for name, entries in (zonedata or {}).items():
        entries = entries or []
        has_txt = any(isinstance(e, dict) and "TXT" in e for e in entries)
        out, generated = [], []
        for entry in entries:
            if entry == "TIMEOUT":
                out.append(TIMEOUT)
                continue
            for rtype, value in entry.items():
                if value == "NONE":
                    continue
                if rtype == "SPF":
                    if not has_txt:
                        generated.append(rdata_for("TXT", value))
                    continue
                out.append(rdata_for(rtype, value))
        zone[key(name)] = out + generated
    return zone


class SectionResolver(BaseResolver):
    def __init__(self, zone):
        self.zone = zone

    def _records(self, name, qtype):
        """(records of qtype, timed_out) for one name, pyspf-style TIMEOUT semantics."""
        found = []
        for entry in self.zone.get(name, []):
            if entry is TIMEOUT:
                return found, not found
            rtype, rdata = entry
            if rtype == qtype:
                found.append(rdata)
        return found, False

    def resolve(self, request, handler):
        reply = request.reply()
        qtype = request.q.qtype
        label = request.q.qname
        name = key(label)
        if name not in self.zone:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        for _ in range(8):
            found, timed_out = self._records(name, qtype)
            if timed_out:
                raise DNSError("TIMEOUT entry: no answer on purpose")
            if found:
                for rdata in found:
                    reply.add_answer(RR(label, qtype, rdata=rdata, ttl=60))
                return reply
            cnames, _ = self._records(name, QTYPE.CNAME)
            if not cnames or qtype == QTYPE.CNAME:
                return reply
            reply.add_answer(RR(label, QTYPE.CNAME, rdata=cnames[0], ttl=60))
            label = cnames[0].label
            name = key(label)
            if name not in self.zone:
                return reply
        return reply


def serve(resolver, logger):
    for _ in range(50):
        udp = DNSServer(resolver, port=0, address="127.0.0.1", logger=logger)
        port = udp.server.server_address[1]
        try:
            tcp = DNSServer(resolver, port=port, address="127.0.0.1", tcp=True, logger=logger)
        except OSError:
            udp.server.server_close()
            continue
        udp.start_thread()
        tcp.start_thread()
        return port, (udp, tcp)
    sys.exit("no free port for UDP and TCP")


def main():
    with open(sys.argv[1], "rb") as f:
        documents = list(yaml.safe_load_all(f))
    logger = DNSLogger(logf=lambda s: None)
    servers = []
    for i, doc in enumerate(documents):
        port, pair = serve(SectionResolver(load_zone(doc.get("zonedata"))), logger)
        servers.extend(pair)
        print(f"SECTION{i} {port}", flush=True)
    print("READY 0", flush=True)
    sys.stdin.read()
    for server in servers:
        server.stop()


if __name__ == "__main__":
    main()
