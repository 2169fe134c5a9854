#!/usr/bin/python3
"""A receiving SMTP server for tests (python3-aiosmtpd), on 127.0.0.1 only.

Prints "PORT <n>" when listening, then one line per event:
  MESSAGE {"mail_from":..., "rcpt_tos":[...], "data":"<latin-1 text>", "tls":bool,
           "auth":"<login>"|null, "peer_port":n}
Runs until stdin reaches EOF (dies with the test that started it).

Options: --cert/--key enable TLS (STARTTLS, or implicit TLS with --implicit-tls);
--require-starttls; --auth USER:PASS (AUTH PLAIN and LOGIN, or LOGIN only with
--auth-login-only; with --require-auth nothing is accepted before AUTH); --no-pipelining; --no-ehlo (EHLO answered 502: clients must fall back
to HELO); --max-size N (SIZE announced and enforced).
Scripted refusals by local part: MAIL FROM reject-mail@ -> 550 5.7.1; RCPT TO tempfail@ ->
451 4.2.0; RCPT TO reject@ -> 550 5.1.1; a message containing "X-Fixture: reject-data" -> 554 5.6.0.
"""
import argparse
import asyncio
import json
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def local_part(address):
    return address.split("@", 1)[0].lower()


class Handler:
    def __init__(self, args):
        self.args = args

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.args.no_ehlo:
            return ["502 5.5.1 EHLO not implemented"]
        if not self.args.no_pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        responses.insert(len(responses) - 1, "250-ENHANCEDSTATUSCODES")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if local_part(address) == "reject-mail":
            return "550 5.7.1 Sender refused by fixture"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        lp = local_part(address)
        if lp == "tempfail":
            return "451 4.2.0 Mailbox busy, try later"
        if lp == "reject":
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        if b"X-Fixture: reject-data" in data:
            return "554 5.6.0 Content refused by fixture"
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "mail_options": envelope.mail_options,
            "data": data.decode("latin-1"),
            "tls": bool(session.ssl) or self.args.implicit_tls,
            "auth": session.auth_data.decode() if isinstance(session.auth_data, bytes) else None,
            "peer_port": session.peer[1],
        }
        print("MESSAGE " + json.dumps(record), flush=True)
        return "250 2.0.0 Queued by fixture"


def main():
    p = argparse.ArgumentParser()
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
    args = p.parse_args()

    tls = None
    if args.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)

    authenticator = None
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            return AuthResult(success=ok, handled=False,
                              auth_data=auth_data.login if ok else None)

    handler = Handler(args)

    def factory():
        return SMTP(handler, hostname="fixture.test", data_size_limit=args.max_size,
                    enable_SMTPUTF8=True,
                    tls_context=None if args.implicit_tls else tls,
                    require_starttls=args.require_starttls,
                    authenticator=authenticator, auth_required=args.require_auth,
                    auth_require_tls=not args.implicit_tls,
                    auth_exclude_mechanism=["PLAIN"] if args.auth_login_only else None)

    async def serve():
        server = await asyncio.get_running_loop().create_server(
            factory, host="127.0.0.1", port=0, ssl=tls if args.implicit_tls else None)
        print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        server.close()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
