"""The child-process protocol of the C++ unit tests' fixtures (tests/unit/common/dns/
child_process.h), over this package's DnsServer and Sink.

Protocol: the peer listens on 127.0.0.1 only, prints "PORT <n>" on stdout once it accepts,
then one line per event, and exits when its stdin reaches EOF, so it dies with the test that
started it even when that test crashes. Events (smtp-sink only):
  MESSAGE {"mail_from":..., "rcpt_tos":[...], "mail_options":[...], "data":"<latin-1 text>",
           "tls":bool, "auth":"<login>"|null, "peer_port":n}

dns-server: serves the zone files given with --zone-file; --silent-domain D never answers D or
any name below it (client timeouts); --servfail-domain D answers SERVFAIL for them.

smtp-sink: aiosmtpd on a fresh port. --cert/--key enable TLS (STARTTLS, or implicit TLS with
--implicit-tls); --require-starttls; --auth USER:PASS (AUTH PLAIN and LOGIN, or LOGIN only with
--auth-login-only; with --require-auth nothing is accepted before AUTH); --no-pipelining (by
default PIPELINING and ENHANCEDSTATUSCODES are advertised); --no-ehlo (EHLO answered 502:
clients must fall back to HELO); --max-size N (SIZE announced and enforced).
Scripted refusals by local part: MAIL FROM reject-mail@ -> 550 5.7.1; RCPT TO tempfail@ ->
451 4.2.0; RCPT TO reject@ -> 550 5.1.1; a message containing "X-Fixture: reject-data" ->
554 5.6.0.
"""
import argparse
import json
import sys

from .dns_server import DnsServer
from .sinks import Sink


def _serve_until_stdin_closes(server, port):
    print(f"PORT {port}", flush=True)
    try:
        sys.stdin.read()  # until the test closes our stdin
    finally:
        server.stop()
    return 0


def dns_server(argv):
    p = argparse.ArgumentParser(prog="dns-server")
    p.add_argument("--zone-file", action="append", default=[])
    p.add_argument("--silent-domain", action="append", default=[])
    p.add_argument("--servfail-domain", action="append", default=[])
    args = p.parse_args(argv)
    zone = ""
    for path in args.zone_file:
        with open(path, encoding="utf-8") as f:
            zone += f.read() + "\n"
    server = DnsServer(zone, silent_domains=args.silent_domain,
                       servfail_domains=args.servfail_domain).start()
    return _serve_until_stdin_closes(server, server.port)


def _local_part(address):
    return address.split("@", 1)[0].lower()


def _mail_reply(address):
    if _local_part(address) == "reject-mail":
        return "550 5.7.1 Sender refused by fixture"
    return None


def _rcpt_reply(address):
    local = _local_part(address)
    if local == "tempfail":
        return "451 4.2.0 Mailbox busy, try later"
    if local == "reject":
        return "550 5.1.1 No such user here"
    return None


def _data_reply(data):
    if b"X-Fixture: reject-data" in data:
        return "554 5.6.0 Content refused by fixture"
    return None


def _print_message(msg):
    record = {
        "mail_from": msg.mail_from,
        "rcpt_tos": msg.rcpt_tos,
        "mail_options": msg.mail_options,
        "data": msg.data.decode("latin-1"),
        "tls": msg.tls,
        "auth": msg.auth_user or None,
        "peer_port": msg.peer_port,
    }
    print("MESSAGE " + json.dumps(record), flush=True)


def smtp_sink(argv):
    p = argparse.ArgumentParser(prog="smtp-sink")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--auth")
    p.add_argument("--require-auth", action="store_true")
    p.add_argument("--auth-login-only", action="store_true")
    p.add_argument("--no-pipelining", action="store_true")
    p.add_argument("--no-ehlo", action="store_true")
    p.add_argument("--max-size", type=int, default=33554432)
    args = p.parse_args(argv)
    if args.implicit_tls and not args.cert:
        p.error("--implicit-tls needs --cert and --key")
    auth = None
    if args.auth:
        user, password = args.auth.split(":", 1)
        auth = {user: password}
    extensions = ([] if args.no_pipelining else ["PIPELINING"]) + ["ENHANCEDSTATUSCODES"]
    sink = Sink(tls=(args.cert, args.key) if args.cert else None, auth=auth,
                implicit_tls=args.implicit_tls, ident="fixture",
                mail_reply=_mail_reply, rcpt_reply=_rcpt_reply, data_reply=_data_reply,
                ehlo=not args.no_ehlo, extensions=extensions,
                require_starttls=args.require_starttls, require_auth=args.require_auth,
                exclude_auth=["PLAIN"] if args.auth_login_only else [],
                max_size=args.max_size, server_name="fixture.test",
                on_message=_print_message).start()
    return _serve_until_stdin_closes(sink, sink.port)


def main(argv):
    commands = {"dns-server": dns_server, "smtp-sink": smtp_sink}
    if not argv or argv[0] not in commands:
        print(f"usage: tests/support {{{'|'.join(commands)}}} [options]", file=sys.stderr)
        return 2
    return commands[argv[0]](argv[1:])
