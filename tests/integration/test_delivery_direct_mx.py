"""Direct delivery (destination smtp, mode direct): the router looks up the recipient domain's
MX at a real DNS server (c-ares against python3-dnslib) and delivers to the host it names.
The MX hosts resolve to 127.0.0.1 and the destination's `port` is the sink's port."""
import unittest

from support.mail import connect, make_message, queue_id_from, submit
from support.testcase import PosternTestCase

ZONE = """
remote.test.       60 IN MX 10 mx1.remote.test.
remote.test.       60 IN MX 20 mx2.remote.test.
mx1.remote.test.   60 IN A 127.0.0.1
mx2.remote.test.   60 IN A 127.0.0.1
implicit.test.     60 IN A 127.0.0.1
"""


class DirectMxDelivery(PosternTestCase):
    ZONE = ZONE

    def setUp(self):
        super().setUp()
        self.sink = self.start_sink()
        cfg = self.node_config()
        cfg.route(["*"], "internet", {"smtp": {"mode": "direct", "port": self.sink.port,
                                               "tls": "opportunistic"}})
        cfg.user("alice@postern.test", "alice-pw")
        self.node = self.start_postern("all", cfg)

    def send(self, rcpt):
        data, msgid = make_message("alice@postern.test", rcpt)
        client = connect(self.node.port("submission"), tls="starttls", user="alice@postern.test",
                         password="alice-pw")
        code, text = submit(client, "alice@postern.test", [rcpt], data)
        client.quit()
        self.assertEqual(code, 250, text)
        self.assertTrue(queue_id_from(text))
        return msgid

    def test_delivers_to_the_mx_named_by_dns(self):
        msgid = self.send("bob@remote.test")
        [msg] = self.sink.wait_for_messages(1)
        self.assertEqual(msg.mail_from, "alice@postern.test")
        self.assertEqual(msg.rcpt_tos, ["bob@remote.test"])
        self.assertIn(msgid.encode(), msg.data)
        # The edge's Received header travels with the message.
        self.assertTrue(msg.data.startswith(b"Received: ") or b"\r\nReceived: " in msg.data,
                        msg.data[:400])
        self.assertIn(("remote.test", "MX"), self.dns.resolver.queries)

    def test_domain_without_mx_uses_its_address(self):
        # RFC 5321 5.1: no MX records -> the domain itself is the implicit MX.
        msgid = self.send("carol@implicit.test")
        [msg] = self.sink.wait_for_messages(1)
        self.assertEqual(msg.rcpt_tos, ["carol@implicit.test"])
        self.assertIn(msgid.encode(), msg.data)
        self.assertIn(("implicit.test", "MX"), self.dns.resolver.queries)


if __name__ == "__main__":
    unittest.main(verbosity=2)
