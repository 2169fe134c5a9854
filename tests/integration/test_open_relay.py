"""The open-relay battery (issue 5): classic tricks that make a badly built MTA relay, sent
unauthenticated from an "external" client (trusted_networks: [] so 127.0.0.1 counts as the
internet) to a real edge: none may be accepted. The same addresses sent by an authenticated
user on the submission port are accepted and delivered (to the sink for remote domains, the
maildir for local ones). Even generous relay allow lists (relay.allow_hosts: [0.0.0.0/0] for
a second node) never let the trick addresses through."""
import smtplib
import unittest

from support.mail import connect, make_message, maildir_files
from support.net import wait_until
from support.testcase import PosternTestCase

LOCAL = "example.test"
REMOTE = "remote.test"

# (address as written on the wire, what a careless MTA would do with it)
TRICKS = [
    f"<user%{REMOTE}@{LOCAL}>",              # percent hack
    f"<\"user@{REMOTE}\"@{LOCAL}>",          # quoted local part with @
    f"<@{LOCAL}:user@{REMOTE}>",             # source route through us
    f"<{REMOTE}!user@{LOCAL}>",              # UUCP bang path
    "<user@[203.0.113.5]>",                  # address literal
    f"<user@{REMOTE.upper()}>",              # upper-case remote domain
    f"<user@{REMOTE}.>",                     # trailing-dot remote domain
    f"<\"user\\@{REMOTE}\"@{LOCAL}>",        # escaped @ in a quoted local part
    f"<user%40{REMOTE}@{LOCAL}>",            # encoded @
    f"<\"user%{REMOTE}\"@{LOCAL}>",          # quoted percent hack
    f"<user@{REMOTE}>",                      # the plain attempt
]
# Not even valid syntax (refused as such, 501, with or without AUTH).
SYNTAX = [f"<user@{REMOTE}@{LOCAL}>"]


class OpenRelay(PosternTestCase):
    def setUp(self):
        super().setUp()
        self.sink = self.start_sink()
        cfg = self.node_config()
        cfg.local_domains = [LOCAL]
        cfg.route([LOCAL], "box", self.maildir_dest())
        cfg.route(["*"], "remote", self.sink_dest(self.sink))
        cfg.user(f"alice@{LOCAL}", "alice-pw")
        cfg.data["edge"]["inbound"] = {"trusted_networks": [],
                                       "spf": {"enabled": False}, "dkim": {"enabled": False},
                                       "dmarc": {"enabled": False}}
        self.cfg = cfg
        self.node = self.start_postern("all", cfg)

    def rcpt_replies(self, client, addresses):
        code, _ = client.mail(f"<probe@{REMOTE}>")
        self.assertEqual(code, 250)
        out = {}
        for a in addresses:
            code, text = client.docmd("RCPT TO:" + a)
            out[a] = (code, text.decode(errors="replace"))
        return out

    def test_unauthenticated_tricks_never_relay(self):
        client = connect(self.node.port("mx"))
        try:
            replies = self.rcpt_replies(client, TRICKS[:8])
            # A fresh session for the rest: every refusal counts towards the error limit.
            client.close()
            client = connect(self.node.port("mx"))
            replies.update(self.rcpt_replies(client, TRICKS[8:] + SYNTAX))
        finally:
            client.close()
        for address, (code, text) in replies.items():
            with self.subTest(address=address):
                self.assertGreaterEqual(code, 500, text)
                if address in SYNTAX:
                    self.assertEqual(code, 501, text)
                else:
                    self.assertEqual((code, text), (554, "5.7.1 Relay access denied"))
        # A local recipient still works for the same external client.
        client = connect(self.node.port("mx"))
        try:
            client.mail(f"<probe@{REMOTE}>")
            self.assertEqual(client.rcpt(f"<bob@{LOCAL}>")[0], 250)
        finally:
            client.close()
        self.assertEqual(self.sink.messages, [])

    def test_authenticated_users_may_send_to_all_of_them(self):
        client = connect(self.node.port("submission"), tls="starttls", user=f"alice@{LOCAL}",
                         password="alice-pw")
        try:
            replies = self.rcpt_replies(client, TRICKS + SYNTAX)
            accepted = [a for a in TRICKS if replies[a][0] == 250]
            self.assertEqual(accepted, TRICKS, replies)
            self.assertEqual(replies[SYNTAX[0]][0], 501)
            data, _ = make_message(f"alice@{LOCAL}", f"bob@{REMOTE}")
            code, text = client.data(data)
            self.assertEqual(code, 250, text)
        finally:
            client.close()
        # Every remote recipient reaches the sink, the local ones the maildir.
        remote = {"user@[203.0.113.5]", f"user@{REMOTE}"}
        wait_until(lambda: {r.lower() for m in self.sink.messages for r in m.rcpt_tos} >= remote,
                   30, "remote recipients at the sink")
        wait_until(lambda: maildir_files(f"{self.workdir}/maildir"), 30, "local delivery")


class OpenRelayWithGenerousLists(PosternTestCase):
    def test_allow_lists_never_open_the_tricks(self):
        sink = self.start_sink()
        cfg = self.node_config()
        cfg.local_domains = [LOCAL]
        cfg.route([LOCAL], "box", self.maildir_dest())
        cfg.route(["*"], "remote", self.sink_dest(sink))
        cfg.data["edge"]["inbound"] = {
            "trusted_networks": [],
            "relay": {"allow_hosts": ["0.0.0.0/0"], "allow_domains": ["partner.test"]},
            "spf": {"enabled": False}, "dkim": {"enabled": False}, "dmarc": {"enabled": False}}
        node = self.start_postern("all", cfg)
        client = connect(node.port("mx"))
        try:
            client.mail(f"<probe@{REMOTE}>")
            # Tricks that name us as the domain (a source route is dropped by the parser and
            # leaves a plain remote address, which these lists do allow).
            for a in [TRICKS[0], TRICKS[1], TRICKS[3], TRICKS[4], TRICKS[7], TRICKS[8]]:
                with self.subTest(address=a):
                    code, text = client.docmd("RCPT TO:" + a)
                    self.assertEqual(code, 554, text)
            # The allowed host relays ordinary addresses.
            self.assertEqual(client.docmd("RCPT TO:<someone@partner.test>")[0], 250)
        finally:
            client.close()


if __name__ == "__main__":
    unittest.main()
