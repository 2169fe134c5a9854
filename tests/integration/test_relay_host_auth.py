"""Delivery through a relay host that requires STARTTLS and then AUTH (scenario 2: a smart
host at the ISP). The sink refuses anything before STARTTLS and any MAIL before AUTH, so a
recorded message proves both happened."""
import unittest

from support.mail import connect, make_message, submit
from support.testcase import PosternTestCase


class RelayHostWithAuth(PosternTestCase):
    def test_relays_over_starttls_with_auth(self):
        sink = self.start_sink(tls=self.cert, auth={"relayuser": "relay-secret"})
        cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["example.test"], "via_isp", {"smtp": {"mode": "relay", "relay": {
            "hosts": [f"127.0.0.1:{sink.port}"], "tls": "starttls", "auth": "required",
            "username": "relayuser", "password": "relay-secret"}}})
        node = self.start_postern("all", cfg)

        data, msgid = make_message("someone@sender.test", "dave@example.test")
        client = connect(node.port("mx"))
        code, text = submit(client, "someone@sender.test", ["dave@example.test"], data)
        client.quit()
        self.assertEqual(code, 250, text)

        [msg] = sink.wait_for_messages(1)
        self.assertTrue(msg.tls)
        self.assertEqual(msg.auth_user, "relayuser")
        self.assertEqual(msg.mail_from, "someone@sender.test")
        self.assertEqual(msg.rcpt_tos, ["dave@example.test"])
        self.assertIn(msgid.encode(), msg.data)

    def test_several_recipients_of_one_domain_share_a_transaction(self):
        sink = self.start_sink()
        cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["example.test"], "store", self.sink_dest(sink))
        node = self.start_postern("all", cfg)

        rcpts = ["a@example.test", "b@example.test", "c@example.test"]
        data, _ = make_message("someone@sender.test", ", ".join(rcpts))
        client = connect(node.port("mx"))
        code, text = submit(client, "someone@sender.test", rcpts, data)
        client.quit()
        self.assertEqual(code, 250, text)
        [msg] = sink.wait_for_messages(1)
        self.assertEqual(sorted(msg.rcpt_tos), rcpts)


if __name__ == "__main__":
    unittest.main(verbosity=2)
