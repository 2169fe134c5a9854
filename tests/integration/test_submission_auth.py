"""Submission and the relay rule: 465 implicit TLS with AUTH, 587 STARTTLS with AUTH, AUTH
never before TLS, unauthenticated clients may send only to local domains (554 5.7.1),
authenticated users may relay."""
import smtplib
import unittest

from support.mail import connect, make_message, submit
from support.raw_smtp import RawSmtp
from support.testcase import PosternTestCase


class SubmissionAndRelayRule(PosternTestCase):
    def setUp(self):
        super().setUp()
        self.sink = self.start_sink()
        cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["*"], "outbound", self.sink_dest(self.sink))
        cfg.user("alice@example.test", "alice-pw")
        self.node = self.start_postern("all", cfg)

    def send_authenticated(self, listener, tls):
        data, msgid = make_message("alice@example.test", "bob@foreign.test")
        client = connect(self.node.port(listener), tls=tls, user="alice@example.test",
                         password="alice-pw")
        code, text = submit(client, "alice@example.test", ["bob@foreign.test"], data)
        client.quit()
        self.assertEqual(code, 250, text)
        [msg] = self.sink.wait_for_messages(1)
        self.assertEqual(msg.rcpt_tos, ["bob@foreign.test"])
        self.assertIn(msgid.encode(), msg.data)

    def test_implicit_tls_465_with_auth_relays(self):
        self.send_authenticated("submissions", "implicit")

    def test_starttls_587_with_auth_relays(self):
        self.send_authenticated("submission", "starttls")

    def test_unauthenticated_relay_is_refused_local_domain_accepted(self):
        client = connect(self.node.port("mx"))
        self.assertEqual(client.mail("someone@sender.test")[0], 250)
        code, text = client.rcpt("bob@foreign.test")
        self.assertEqual(code, 554, text)
        self.assertTrue(text.startswith(b"5.7.1"), text)
        # A source route through a local domain is stripped (RFC 5321 C): still a relay.
        code, text = client.rcpt("@example.test:bob@foreign.test")
        self.assertEqual(code, 554, text)
        code, text = client.rcpt("carol@example.test")
        self.assertEqual(code, 250, text)
        client.quit()

    def test_relay_refused_without_auth_even_over_tls(self):
        client = connect(self.node.port("mx"), tls="starttls")
        client.mail("someone@sender.test")
        code, text = client.rcpt("bob@foreign.test")
        self.assertEqual((code, text[:5]), (554, b"5.7.1"))
        client.quit()

    def test_submission_requires_auth_before_mail(self):
        client = connect(self.node.port("submission"), tls="starttls")
        code, text = client.mail("alice@example.test")
        self.assertEqual(code, 530, text)
        client.quit()

    def test_auth_is_neither_offered_nor_accepted_before_tls(self):
        raw = RawSmtp(self.node.port("submission"))
        self.assertEqual(raw.reply()[0], 220)
        code, lines = raw.cmd("EHLO client.test")
        self.assertEqual(code, 250)
        self.assertFalse(any(l.upper().startswith("AUTH") for l in lines), lines)
        self.assertTrue(any(l.upper().startswith("STARTTLS") for l in lines), lines)
        code, lines = raw.cmd("AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABhbGljZS1wdw==")
        self.assertIn(code, (530, 538), lines)
        raw.close()

    def test_wrong_password_is_535(self):
        with self.assertRaises(smtplib.SMTPAuthenticationError) as caught:
            connect(self.node.port("submission"), tls="starttls", user="alice@example.test",
                    password="not-her-password")
        self.assertEqual(caught.exception.smtp_code, 535)
        self.assertTrue(caught.exception.smtp_error.startswith(b"5.7.8"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
