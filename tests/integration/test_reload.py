"""SIGHUP reload of edge.inbound under load (issue 5): a client keeps sessions going while
the config file is rewritten and the process gets SIGHUP. No session is dropped; new sessions
see the new relay list while a session opened before the reload keeps the old one; a broken
list (bad CIDR) is refused with its key path and reason, and the previous config keeps
running."""
import signal
import threading
import unittest

from support.mail import make_message
from support.net import wait_until
from support.raw_smtp import RawSmtp
from support.testcase import PosternTestCase

LOCAL = "example.test"


class Load(threading.Thread):
    """Complete SMTP transactions back to back until stopped; records every failure."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.stop = threading.Event()
        self.ok = 0
        self.failures = []

    def run(self):
        while not self.stop.is_set():
            try:
                s = RawSmtp(self.port)
                try:
                    steps = [(None, 220), ("EHLO load.test", 250), ("MAIL FROM:<l@load.test>", 250),
                             (f"RCPT TO:<bob@{LOCAL}>", 250), ("DATA", 354)]
                    for line, want in steps:
                        code, text = s.reply() if line is None else s.cmd(line)
                        if code != want:
                            raise AssertionError(f"{line}: {code} {text}")
                    data, _ = make_message("l@load.test", f"bob@{LOCAL}")
                    s.send(data + b".\r\n")
                    code, text = s.reply()
                    if code != 250:
                        raise AssertionError(f"end of DATA: {code} {text}")
                    s.cmd("QUIT")
                    self.ok += 1
                finally:
                    s.close()
            except Exception as e:  # noqa: BLE001 - every failure is what the test counts
                self.failures.append(repr(e))


class Reload(PosternTestCase):
    def setUp(self):
        super().setUp()
        cfg = self.node_config()
        cfg.local_domains = [LOCAL]
        cfg.route([LOCAL], "box", self.maildir_dest())
        cfg.data["edge"]["inbound"] = {"trusted_networks": [], "spf": {"enabled": False},
                                       "dkim": {"enabled": False}, "dmarc": {"enabled": False}}
        self.cfg = cfg
        self.node = self.start_postern("all", cfg)

    def reload(self, expect):
        before = self.node.log_text().count(expect)
        self.cfg.write(f"{self.node.name}.yaml")
        self.node.signal(signal.SIGHUP)
        wait_until(lambda: self.node.log_text().count(expect) > before, 15, f"log: {expect}")

    def session(self):
        s = RawSmtp(self.node.port("mx"))
        self.addCleanup(s.close)
        self.assertEqual(s.reply()[0], 220)
        self.assertEqual(s.cmd("EHLO client.test")[0], 250)
        self.assertEqual(s.cmd("MAIL FROM:<a@client.test>")[0], 250)
        return s

    def test_reload_under_load_keeps_sessions_and_refuses_a_broken_list(self):
        load = Load(self.node.port("mx"))
        load.start()
        self.addCleanup(load.stop.set)
        wait_until(lambda: load.ok >= 3, 30, "load running")

        old = self.session()
        self.assertEqual(old.cmd("RCPT TO:<x@partner.test>")[0], 554)

        self.cfg.data["edge"]["inbound"]["relay"] = {"allow_domains": ["partner.test"]}
        self.reload("SIGHUP: reloaded edge.inbound")
        at_reload = load.ok
        new = self.session()
        self.assertEqual(new.cmd("RCPT TO:<x@partner.test>")[0], 250)
        # The session opened before the reload keeps its config and is not interrupted.
        self.assertEqual(old.cmd("RCPT TO:<x@partner.test>")[0], 554)
        self.assertEqual(old.cmd(f"RCPT TO:<bob@{LOCAL}>")[0], 250)
        self.assertEqual(old.cmd("DATA")[0], 354)
        data, _ = make_message("a@client.test", f"bob@{LOCAL}")
        old.send(data + b".\r\n")
        self.assertEqual(old.reply()[0], 250)

        self.cfg.data["edge"]["inbound"]["relay"] = {"allow_domains": ["partner.test"],
                                                     "allow_hosts": ["192.0.2.1/24"]}
        self.reload("SIGHUP: reload refused")
        self.assertIn("edge.inbound.relay.allow_hosts[0]: host bits set below the prefix",
                      self.node.log_text())
        self.assertTrue(self.node.running())
        again = self.session()
        self.assertEqual(again.cmd("RCPT TO:<x@partner.test>")[0], 250)

        wait_until(lambda: load.ok >= at_reload + 3, 30, "load continuing after the reloads")
        load.stop.set()
        load.join(30)
        self.assertEqual(load.failures, [])


if __name__ == "__main__":
    unittest.main()
