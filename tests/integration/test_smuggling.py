"""SMTP smuggling and line-end tricks over a raw socket: nothing after a fake end of data
(`\\n.\\r\\n`, `\\n.\\n`, `\\r.\\r\\n`, ...) is ever taken as a command, so no second message can
be injected; a bare LF never ends a command line; plaintext pipelined after STARTTLS is
discarded."""
import os
import ssl
import unittest

from support.certs import client_context_no_verify
from support.mail import connect, make_message, maildir_files, submit, wait_for_maildir
from support.raw_smtp import RawSmtp
from support.testcase import PosternTestCase

FAKE_ENDINGS = [b"\n.\r\n", b"\n.\n", b"\r.\r\n", b"\r\n.\n", b"\r.\n", b"\r\n.\r"]

SMUGGLED = (b"MAIL FROM:<evil@sender.test>\r\n"
            b"RCPT TO:<smuggled@example.test>\r\n"
            b"DATA\r\n"
            b"Subject: smuggled\r\n\r\nevil\r\n"
            b".\r\n")


class Smuggling(PosternTestCase):
    def setUp(self):
        super().setUp()
        cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["example.test"], "mailbox", self.maildir_dest())
        self.node = self.start_postern("all", cfg)

    def open(self):
        raw = RawSmtp(self.node.port("mx"))
        self.addCleanup(raw.close)
        self.assertEqual(raw.reply()[0], 220)
        self.assertEqual(raw.cmd("EHLO client.test")[0], 250)
        return raw

    def test_fake_endings_cannot_inject_a_second_message(self):
        accepted = 0
        for ending in FAKE_ENDINGS:
            with self.subTest(ending=ending):
                raw = self.open()
                self.assertEqual(raw.cmd("MAIL FROM:<victim@sender.test>")[0], 250)
                self.assertEqual(raw.cmd("RCPT TO:<victim@example.test>")[0], 250)
                self.assertEqual(raw.cmd("DATA")[0], 354)
                raw.send(b"Subject: legit\r\n\r\nhello" + ending + SMUGGLED)
                # The only end of data is the final CRLF.CRLF: exactly one reply for it ...
                code, lines = raw.reply()
                self.assertIn(code // 100, (2, 5), lines)
                accepted += code == 250
                # ... and the next reply answers our QUIT, not a smuggled command.
                code, lines = raw.cmd("QUIT")
                self.assertEqual(code, 221, lines)

        # Everything accepted above is in the queue before the canary; once the canary and
        # all accepted messages are in the maildir, nothing else can arrive.
        client = connect(self.node.port("mx"))
        data, _ = make_message("canary@sender.test", "canary@example.test")
        self.assertEqual(submit(client, "canary@sender.test", ["canary@example.test"], data)[0],
                         250)
        client.quit()
        wait_for_maildir(f"{self.workdir}/maildir", accepted + 1)
        files = maildir_files(f"{self.workdir}/maildir")
        self.assertEqual(len(files), accepted + 1)
        self.assertFalse(any("smuggled" in path for path in files), files)
        self.assertFalse(os.path.exists(f"{self.workdir}/maildir/smuggled@example.test"))

    def test_bare_lf_does_not_end_a_command_line(self):
        raw = self.open()
        raw.send(b"MAIL FROM:<a@sender.test>\nRCPT TO:<b@example.test>\r\n")
        code, lines = raw.reply()
        self.assertEqual(code // 100, 5, lines)  # one bad line, not two commands
        code, lines = raw.cmd("NOOP")
        self.assertEqual(code, 250, lines)  # in step: no reply was left over

    def test_plaintext_pipelined_after_starttls_is_discarded(self):
        raw = self.open()
        raw.send(b"STARTTLS\r\nMAIL FROM:<injected@sender.test>\r\n")
        self.assertEqual(raw.reply()[0], 220)
        self.assertEqual(raw.buf, b"")
        ctx = client_context_no_verify()
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        raw.sock = ctx.wrap_socket(raw.sock, server_hostname="mx.postern.test")
        code, lines = raw.cmd("EHLO client.test")
        self.assertEqual(code, 250, lines)  # the first reply under TLS is for our EHLO
        # Had the injected MAIL been executed, this would be a nested MAIL (503).
        code, lines = raw.cmd("MAIL FROM:<real@sender.test>")
        self.assertEqual(code, 250, lines)


if __name__ == "__main__":
    unittest.main(verbosity=2)
