"""Direct delivery across several MX hosts (RFC 5321 5.1): the router tries MX hosts by
ascending preference and moves on when one cannot be reached.

The "hosts" are loopback addresses on one port (the destination's `port`): 127.0.0.2 and
127.0.0.1. A sink bound to 127.0.0.1 only leaves 127.0.0.2:PORT refusing connections, which is
a dead MX as a real one looks to the client (connection refused)."""
import unittest

from support.mail import connect, make_message, submit
from support.net import port_accepts
from support.recording_sink import RecordingSink
from support.testcase import PosternTestCase

DEAD = "127.0.0.2"
LIVE = "127.0.0.1"

# The least preferred record comes first in the answer, so taking answer order instead of
# preference order would show.
ZONE = f"""
failover.test.     60 IN MX 20 mx2.failover.test.
failover.test.     60 IN MX 10 mx1.failover.test.
mx1.failover.test. 60 IN A {DEAD}
mx2.failover.test. 60 IN A {LIVE}
pref.test.         60 IN MX 50 backup.pref.test.
pref.test.         60 IN MX 5  primary.pref.test.
primary.pref.test. 60 IN A {DEAD}
backup.pref.test.  60 IN A {LIVE}
"""


class MxFailover(PosternTestCase):
    ZONE = ZONE

    def start_node(self, port):
        cfg = self.node_config()
        cfg.route(["*"], "internet", {"smtp": {"mode": "direct", "port": port,
                                               "tls": "opportunistic"}})
        cfg.user("alice@postern.test", "alice-pw")
        return self.start_postern("all", cfg)

    def start_recording_sink(self, **kwargs):
        sink = RecordingSink(**kwargs).start()
        self.addCleanup(sink.stop)
        return sink

    def send(self, node, rcpt):
        data, msgid = make_message("alice@postern.test", rcpt)
        client = connect(node.port("submission"), tls="starttls", user="alice@postern.test",
                         password="alice-pw")
        code, text = submit(client, "alice@postern.test", [rcpt], data)
        client.quit()
        self.assertEqual(code, 250, text)
        return msgid

    def test_dead_best_mx_falls_over_to_the_next(self):
        live = self.start_recording_sink(host=LIVE)
        # The precondition that makes this test mean something: MX 1 really refuses.
        self.assertFalse(port_accepts(live.port, host=DEAD), f"{DEAD}:{live.port} accepts")
        node = self.start_node(live.port)

        msgid = self.send(node, "bob@failover.test")
        [msg] = live.wait_for_messages(1)
        self.assertEqual(msg.rcpt_tos, ["bob@failover.test"])
        self.assertIn(msgid.encode(), msg.data)
        # MX 1 was looked up, and before MX 2: it was tried first and failed.
        queries = self.dns.resolver.queries
        self.assertIn(("mx1.failover.test", "A"), queries)
        self.assertLess(queries.index(("mx1.failover.test", "A")),
                        queries.index(("mx2.failover.test", "A")), queries)
        self.assertEqual(live.connections, 1)

    def test_only_the_most_preferred_live_mx_receives(self):
        best = self.start_recording_sink(host=DEAD)  # 127.0.0.2 is alive in this test
        backup = self.start_recording_sink(host=LIVE, port=best.port)
        node = self.start_node(best.port)

        msgids = [self.send(node, f"user{i}@pref.test") for i in range(3)]
        got = best.wait_for_messages(3)
        self.assertEqual(sorted(m.rcpt_tos[0] for m in got),
                         [f"user{i}@pref.test" for i in range(3)])
        for msgid in msgids:
            self.assertTrue(any(msgid.encode() in m.data for m in got), msgid)
        # The backup was never contacted: not one connection, not one message.
        self.assertEqual((backup.connections, backup.messages), (0, []))


if __name__ == "__main__":
    unittest.main(verbosity=2)
