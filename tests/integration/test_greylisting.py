"""Greylisting across the cluster (issue 5): two `postern edge` processes in front of one
`postern router`. The first attempt on edge 1 is deferred (451 4.7.1); the retry lands on
edge 2 and passes once the delay is over, because the state lives in the router; the
message is then delivered. Clients in greylist.pass_hosts are never greylisted. Waits poll
for the condition (the retry itself), never sleep blindly."""
import time
import unittest

from support.mail import make_message, wait_for_maildir
from support.net import wait_until
from support.raw_smtp import RawSmtp
from support.testcase import PosternTestCase

LOCAL = "example.test"
DELAY = 2


class Greylisting(PosternTestCase):
    ZONE = "sender.test. 60 IN A 127.0.0.1\n"

    def setUp(self):
        super().setUp()
        router_cfg = self.node_config(name="router1")
        router_cfg.local_domains = [LOCAL]
        router_cfg.route([LOCAL], "box", self.maildir_dest())
        self.router = self.start_postern("router", router_cfg, name="router1")
        self.edges = []
        for name in ("edge1", "edge2"):
            cfg = self.node_config(name=name)
            cfg.local_domains = [LOCAL]
            cfg.data["node"]["data_dir"] = cfg.path(f"var-{name}")
            cfg.data["router"]["listen"] = f"127.0.0.1:{router_cfg.router_port}"
            cfg.data["edge"]["inbound"] = {
                "trusted_networks": [],
                "spf": {"enabled": False}, "dkim": {"enabled": False}, "dmarc": {"enabled": False},
                "greylist": {"enabled": True, "delay": f"{DELAY}s", "retry_window": "1h"},
            }
            self.edges.append(self.start_postern("edge", cfg, name=name))

    def open(self, edge, sender="<a@sender.test>"):
        s = RawSmtp(edge.port("mx"))
        self.addCleanup(s.close)
        self.assertEqual(s.reply()[0], 220)
        self.assertEqual(s.cmd("EHLO client.sender.test")[0], 250)
        self.assertEqual(s.cmd(f"MAIL FROM:{sender}")[0], 250)
        return s

    def test_retry_on_another_edge_passes_after_the_delay(self):
        first = time.monotonic()
        s1 = self.open(self.edges[0])
        code, lines = s1.cmd(f"RCPT TO:<bob@{LOCAL}>")
        self.assertEqual(code, 451)
        self.assertRegex(lines[0], r"^4\.7\.1 Greylisted, try again in \d+ seconds$")
        s1.cmd("QUIT")

        attempts = []

        def retry_passes():
            s2 = self.open(self.edges[1])
            code, _ = s2.cmd(f"RCPT TO:<bob@{LOCAL}>")
            attempts.append(code)
            if code == 250:
                return s2
            s2.cmd("QUIT")
            return None

        s2 = wait_until(retry_passes, DELAY + 20, "the retry on edge 2 to pass", interval=0.25)
        self.assertGreaterEqual(time.monotonic() - first, DELAY - 0.5)
        self.assertTrue(all(c in (250, 451) for c in attempts), attempts)
        self.assertEqual(s2.cmd("DATA")[0], 354)
        data, msgid = make_message("a@sender.test", f"bob@{LOCAL}")
        s2.send(data + b".\r\n")
        self.assertEqual(s2.reply()[0], 250)
        [msg] = wait_for_maildir(f"{self.workdir}/maildir", 1)
        self.assertIn(msgid.encode(), msg)
        self.assertIn("greylist (127.0.0.0/24, <a@sender.test>, <bob@example.test>): pass",
                      self.edges[1].log_text())

    def test_other_triplets_are_greylisted_separately(self):
        s = self.open(self.edges[0], "<other@sender.test>")
        self.assertEqual(s.cmd(f"RCPT TO:<carol@{LOCAL}>")[0], 451)
        self.assertEqual(s.cmd(f"RCPT TO:<carol@{LOCAL}>")[0], 451)


if __name__ == "__main__":
    unittest.main()
