"""SIGTERM drains: the listeners stop accepting at once, a transaction in progress may finish
(and is acknowledged durably), idle sessions get 421 4.3.2 no later than edge.drain_timeout
(closing them at once is allowed: they have nothing to finish), and the process exits 0."""
import signal
import time
import unittest

from support.mail import wait_for_maildir
from support.net import wait_for_port_closed
from support.raw_smtp import RawSmtp
from support.testcase import PosternTestCase

DRAIN = 3  # seconds


class SigtermDrains(PosternTestCase):
    def setUp(self):
        super().setUp()
        self.cfg = cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["example.test"], "mailbox", self.maildir_dest())
        cfg.data["edge"]["drain_timeout"] = f"{DRAIN}s"
        self.node = self.start_postern("all", cfg)

    def session(self):
        raw = RawSmtp(self.node.port("mx"))
        self.addCleanup(raw.close)
        self.assertEqual(raw.reply()[0], 220)
        self.assertEqual(raw.cmd("EHLO client.test")[0], 250)
        return raw

    def test_open_transaction_finishes_after_sigterm(self):
        raw = self.session()
        self.assertEqual(raw.cmd("MAIL FROM:<a@sender.test>")[0], 250)
        self.assertEqual(raw.cmd("RCPT TO:<hank@example.test>")[0], 250)
        self.assertEqual(raw.cmd("DATA")[0], 354)
        raw.send(b"Subject: in flight\r\n\r\nfirst half\r\n")

        self.node.signal(signal.SIGTERM)
        wait_for_port_closed(self.node.port("mx"), timeout=DRAIN)  # no new sessions

        raw.send(b"second half\r\n.\r\n")
        code, lines = raw.reply()
        self.assertEqual(code, 250, lines)
        self.assertIn(raw.cmd("QUIT")[0], (221, 421))
        self.assertEqual(self.node.wait(DRAIN + 20), 0)

        # Acknowledged means durable: delivered before exit, or after a restart.
        self.node.start()
        [data] = wait_for_maildir(f"{self.workdir}/maildir", 1)
        self.assertIn(b"second half", data)

    def test_idle_session_gets_421_by_the_deadline(self):
        raw = self.session()
        started = time.monotonic()
        self.node.signal(signal.SIGTERM)
        code, lines = raw.reply()  # unsolicited
        waited = time.monotonic() - started
        self.assertEqual(code, 421, lines)
        self.assertTrue(lines[0].startswith("4.3.2"), lines)
        self.assertLess(waited, DRAIN + 10)
        self.assertTrue(raw.closed_by_peer())
        self.assertEqual(self.node.wait(20), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
