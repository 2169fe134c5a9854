"""SMTPUTF8 (RFC 6531) and 8BITMIME end to end: a message with UTF-8 addresses and a UTF-8
body goes in over a raw socket and reaches a real SMTP sink (aiosmtpd, which advertises both)
with the MAIL parameters SMTPUTF8 and BODY=8BITMIME, the UTF-8 envelope and the body bytes
unchanged. A remote without SMTPUTF8 never gets the UTF-8 envelope: the sender gets a DSN
(RFC 6531 3.5: 553 5.6.7) instead."""
import unittest

from support.mail import parse, wait_for_maildir
from support.raw_smtp import RawSmtp
from support.recording_sink import RecordingSink
from support.testcase import PosternTestCase

SENDER = "jörg@sender.test"
RCPT = "zoë.ñandú@example.test"
BODY = ("Subject: =?utf-8?q?gr=C3=BC=C3=9Fe?=\r\n"
        "From: Jörg <jörg@sender.test>\r\n"
        "To: Zoë <zoë.ñandú@example.test>\r\n"
        "Message-ID: <utf8@tests.postern.test>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "Grüße aus Köln — 日本語のテキスト, ελληνικά.\r\n").encode("utf-8")


class SmtpUtf8(PosternTestCase):
    def start_node(self, sink):
        cfg = self.node_config()
        cfg.local_domains = ["example.test", "sender.test"]
        cfg.route(["sender.test"], "senders", self.maildir_dest("senders"))
        cfg.route(["example.test"], "store", self.sink_dest(sink))
        return self.start_postern("all", cfg)

    def send_utf8(self, node, sender=SENDER):
        raw = RawSmtp(node.port("mx"))
        self.addCleanup(raw.close)
        self.assertEqual(raw.reply()[0], 220)
        code, lines = raw.cmd("EHLO client.test")
        self.assertIn("SMTPUTF8", lines)
        self.assertIn("8BITMIME", lines)
        code, lines = raw.cmd(f"MAIL FROM:<{sender}> SMTPUTF8 BODY=8BITMIME")
        self.assertEqual(code, 250, lines)
        code, lines = raw.cmd(f"RCPT TO:<{RCPT}>")
        self.assertEqual(code, 250, lines)
        self.assertEqual(raw.cmd("DATA")[0], 354)
        raw.send(BODY + b".\r\n")
        code, lines = raw.reply()
        self.assertEqual(code, 250, lines)
        raw.cmd("QUIT")

    def test_utf8_envelope_and_8bit_body_are_relayed_with_smtputf8(self):
        sink = RecordingSink().start()
        self.addCleanup(sink.stop)
        node = self.start_node(sink)
        self.send_utf8(node)

        [msg] = sink.wait_for_messages(1)
        self.assertEqual(msg.mail_from, SENDER)
        self.assertEqual(msg.rcpt_tos, [RCPT])
        options = [o.upper() for o in msg.mail_options]
        self.assertIn("SMTPUTF8", options)
        self.assertIn("BODY=8BITMIME", options)
        self.assertTrue(msg.data.endswith(BODY), msg.data)

    def test_remote_without_smtputf8_gets_nothing_and_the_sender_a_dsn(self):
        sink = RecordingSink(smtputf8=False).start()
        self.addCleanup(sink.stop)
        node = self.start_node(sink)
        self.send_utf8(node, sender="plain@sender.test")

        [raw] = wait_for_maildir(f"{self.workdir}/senders", 1, timeout=60)
        dsn = parse(raw)
        self.assertEqual(dsn.get_content_type(), "multipart/report")
        parts = {p.get_content_type(): p for p in dsn.get_payload()}
        rcpt_block = parts["message/delivery-status"].get_payload()[1]
        self.assertEqual(rcpt_block["Action"].strip(), "failed")
        self.assertEqual(rcpt_block["Status"].strip(), "5.6.7")
        self.assertEqual((sink.rcpts, sink.messages), ([], []))  # no UTF-8 envelope was sent

    def test_ascii_message_is_relayed_without_smtputf8(self):
        # The other side of the contract: SMTPUTF8 is asked for only when the message needs it.
        sink = RecordingSink().start()
        self.addCleanup(sink.stop)
        node = self.start_node(sink)

        raw = RawSmtp(node.port("mx"))
        self.addCleanup(raw.close)
        self.assertEqual(raw.reply()[0], 220)
        raw.cmd("EHLO client.test")
        self.assertEqual(raw.cmd("MAIL FROM:<plain@sender.test>")[0], 250)
        self.assertEqual(raw.cmd("RCPT TO:<plain@example.test>")[0], 250)
        self.assertEqual(raw.cmd("DATA")[0], 354)
        raw.send(b"Subject: plain\r\n\r\nascii only\r\n.\r\n")
        self.assertEqual(raw.reply()[0], 250)
        raw.cmd("QUIT")

        [msg] = sink.wait_for_messages(1)
        self.assertNotIn("SMTPUTF8", [o.upper() for o in msg.mail_options])


if __name__ == "__main__":
    unittest.main(verbosity=2)
