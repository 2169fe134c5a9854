"""Test peers (a DNS server, an SMTP sink) as child processes that can run inside a netlab
host's network namespace and bind that host's address (tests/support/netlab.py starts them).

The in-process DnsServer and Sink bind 127.0.0.1 of the test's own namespace, which no other
namespace reaches; these children bind the address they are given, in the namespace they are
started in, and report what they see on stdout:

    /usr/bin/python3 -m support.netlab_peers dns --address A [--port P] --zone-file F
    /usr/bin/python3 -m support.netlab_peers sink --address A [--port P] [--cert C --key K]

Protocol (as fixture_cli.py): "PORT <n>" once the peer accepts, then one event per line,
`QUERY {"name":..., "type":...}` (dns) or `MESSAGE {"mail_from":..., "rcpt_tos":[...],
"data":"<latin-1>", "tls":bool, "connection":n, "peer":"<client ip>", "helo":"<EHLO name>"}`
(sink). The peer exits when its stdin reaches EOF, so it dies with the test that started it
even when that test is killed. Port 0 (the default) lets the peer choose a free port itself
(UDP and TCP on the same number for dns).

The parent side is PeerProcess: it reads those lines on a thread and lets a test await events
(a Condition, no sleeps): `dns.wait_for_queries(1)`, `sink.wait_for_messages(1)`.
"""
import argparse
import dataclasses
import json
import subprocess
import sys
import threading

START_TIMEOUT = 20


# ---------------------------------------------------------------------------------------------
# Parent side: a started peer and its events.

@dataclasses.dataclass
class SinkMessage:
    mail_from: str
    rcpt_tos: list
    data: bytes
    tls: bool
    connection: int  # 1-based number of the connection that carried it
    peer: str = ""   # the client's IP address as the sink saw it
    helo: str = ""   # the name the client gave in EHLO/HELO


class PeerProcess:
    """A running peer child: `host` (lab host name), `ip`, `port`, `address` ("ip:port"),
    `proc` (the Popen), and its events so far. Stop with stop() (closes stdin, waits)."""

    def __init__(self, kind, host, ip, proc, log_path):
        self.kind = kind
        self.host = host
        self.ip = ip
        self.proc = proc
        self.log_path = log_path
        self.port = None
        self.events = []  # (kind, dict) in arrival order
        self._cond = threading.Condition()
        self._eof = False
        self._reader = threading.Thread(target=self._read, daemon=True,
                                        name=f"netlab-{kind}-{host}")
        self._reader.start()

    @property
    def address(self):
        return f"{self.ip}:{self.port}"

    def _read(self):
        for line in self.proc.stdout:
            word, _, rest = line.rstrip("\n").partition(" ")
            with self._cond:
                if word == "PORT":
                    self.port = int(rest)
                elif word in ("QUERY", "MESSAGE"):
                    self.events.append((word, json.loads(rest)))
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _wait(self, ready, timeout, what):
        with self._cond:
            if not self._cond.wait_for(lambda: ready() or self._eof, timeout):
                raise TimeoutError(f"timed out after {timeout}s waiting for {what} "
                                   f"({self.kind} peer on {self.host})")
            if not ready():
                raise RuntimeError(f"{self.kind} peer on {self.host} exited while waiting for "
                                   f"{what}:\n{self.log_tail()}")

    def wait_started(self, timeout=START_TIMEOUT):
        self._wait(lambda: self.port is not None, timeout, "its PORT line")
        return self

    def _of_kind(self, kind):
        return [body for k, body in self.events if k == kind]

    # -- dns --
    @property
    def queries(self):
        """[(name without the final dot, type)] in arrival order."""
        with self._cond:
            return [(q["name"], q["type"]) for q in self._of_kind("QUERY")]

    def wait_for_queries(self, count, timeout=30):
        self._wait(lambda: len(self._of_kind("QUERY")) >= count, timeout,
                   f"{count} DNS quer(ies)")
        return self.queries

    # -- sink --
    @property
    def messages(self):
        return self.messages_from(0)

    def messages_from(self, start):
        """The messages from index `start` on (.messages converts every one, each call)."""
        with self._cond:
            return [SinkMessage(m["mail_from"], m["rcpt_tos"], m["data"].encode("latin-1"),
                                m["tls"], m["connection"], m.get("peer", ""),
                                m.get("helo", "")) for m in self._of_kind("MESSAGE")[start:]]

    def wait_for_message_count(self, count, timeout=30):
        """As wait_for_messages, but returns only how many there are (no conversion)."""
        self._wait(lambda: len(self._of_kind("MESSAGE")) >= count, timeout,
                   f"{count} message(s) at {self.address}")
        with self._cond:
            return len(self._of_kind("MESSAGE"))

    def wait_for_messages(self, count, timeout=30):
        self._wait(lambda: len(self._of_kind("MESSAGE")) >= count, timeout,
                   f"{count} message(s) at {self.address}")
        return self.messages

    # -- lifecycle --
    def running(self):
        return self.proc.poll() is None

    def stop(self, timeout=10):
        """Closes the peer's stdin (its signal to stop) and waits; kill -9 after `timeout`."""
        if self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout)
        self.proc.stdout.close()
        return self.proc.returncode

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


# ---------------------------------------------------------------------------------------------
# Child side.

def _emit(word, body):
    sys.stdout.write(f"{word} {json.dumps(body)}\n")
    sys.stdout.flush()


def _serve_until_stdin_closes(port, stop):
    print(f"PORT {port}", flush=True)
    try:
        sys.stdin.read()
    finally:
        stop()
    return 0


def _dns(args):
    from dnslib import QTYPE
    from dnslib.server import DNSServer

    from .dns_server import ZoneResolver, _QuietLogger

    class ReportingResolver(ZoneResolver):
        def resolve(self, request, handler):
            _emit("QUERY", {"name": str(request.q.qname).rstrip("."),
                            "type": QTYPE[request.q.qtype]})
            return super().resolve(request, handler)

    zone = ""
    for path in args.zone_file:
        with open(path, encoding="utf-8") as f:
            zone += f.read() + "\n"
    resolver = ReportingResolver(zone)
    servers = None
    for _ in range(100):  # UDP first (port 0: the OS picks), then TCP on the same number
        udp = DNSServer(resolver, address=args.address, port=args.port, logger=_QuietLogger())
        port = udp.server.server_address[1]
        try:
            tcp = DNSServer(resolver, address=args.address, port=port, tcp=True,
                            logger=_QuietLogger())
        except OSError:
            udp.server.server_close()
            if args.port:
                raise
            continue
        servers = (udp, tcp)
        break
    if servers is None:
        raise RuntimeError(f"no port free for both UDP and TCP on {args.address}")
    for server in servers:
        threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def stop():
        for server in servers:
            server.server.shutdown()
            server.server.server_close()
    return _serve_until_stdin_closes(port, stop)


def _sink(args):
    from .recording_sink import RecordingSink

    tls = (args.cert, args.key) if args.cert else None
    sink = RecordingSink(host=args.address, port=args.port or None, starttls=tls,
                         ident="netlab-sink").start()

    def report():
        seen = 0
        while True:
            try:
                messages = sink.wait_for_messages(seen + 1, timeout=3600)
            except TimeoutError:
                continue
            for m in messages[seen:]:
                _emit("MESSAGE", {"mail_from": m.mail_from, "rcpt_tos": m.rcpt_tos,
                                  "data": m.data.decode("latin-1"), "tls": m.tls,
                                  "connection": m.connection, "peer": m.peer,
                                  "helo": m.helo})
            seen = len(messages)
    threading.Thread(target=report, daemon=True).start()
    return _serve_until_stdin_closes(sink.port, sink.stop)


def main(argv):
    p = argparse.ArgumentParser(prog="support.netlab_peers")
    sub = p.add_subparsers(dest="peer", required=True)
    dns = sub.add_parser("dns")
    dns.add_argument("--address", required=True)
    dns.add_argument("--port", type=int, default=0)
    dns.add_argument("--zone-file", action="append", default=[])
    sink = sub.add_parser("sink")
    sink.add_argument("--address", required=True)
    sink.add_argument("--port", type=int, default=0)
    sink.add_argument("--cert")
    sink.add_argument("--key")
    args = p.parse_args(argv)
    if args.peer == "sink" and bool(args.cert) != bool(args.key):
        p.error("--cert and --key go together")
    return _dns(args) if args.peer == "dns" else _sink(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
