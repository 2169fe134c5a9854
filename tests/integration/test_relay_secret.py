"""Relay-host credentials from the keystore (issue 3): `relay.credentials: relay-delta` names
a secret set with `posternctl keymgmt set secret relay-delta --username U --value-file F`.
The sink requires STARTTLS and AUTH, so a recorded message proves the router authenticated
with the secret it read from the keystore. Before the secret exists the message waits with a
temporary 451 4.7.0 (shown by `posternctl queue show`) instead of bouncing."""
import unittest

from support.keymgmt import KeystoreTestCase
from support.mail import connect, make_message, queue_id_from, submit
from support.net import wait_until
from support.postern import posternctl


class RelaySecret(KeystoreTestCase):
    def test_relay_auth_with_a_keystore_secret(self):
        sink = self.start_sink(tls=self.cert, auth={"relayuser": "s3cret-from-keystore"})
        cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["example.test"], "via_isp", {"smtp": {"mode": "relay", "relay": {
            "hosts": [f"127.0.0.1:{sink.port}"], "tls": "starttls", "auth": "required",
            "credentials": "relay-delta"}}})
        node = self.start_postern("all", cfg)
        self.ok(node, "create", "nek", "main")
        self.ok(node, "create", "credstore", "main")

        data, msgid = make_message("someone@sender.test", "dave@example.test")
        client = connect(node.port("mx"))
        code, text = submit(client, "someone@sender.test", ["dave@example.test"], data)
        client.quit()
        self.assertEqual(code, 250, text)
        qid = queue_id_from(text)

        # No secret yet: a temporary failure that names the cause, never a bounce.
        def shown():
            run = posternctl(node.config, "queue", "show", qid)
            return run.stdout if "4.7.0" in run.stdout else None
        out = wait_until(shown, 30, f"451 4.7.0 in queue show {qid}", interval=0.2)
        self.assertIn("Relay credentials unavailable", out)
        self.assertIn("pending", out)
        self.assertEqual(sink.messages, [])

        value_file = self.write("relay.secret", "s3cret-from-keystore\n")
        self.ok(node, "set", "secret", "relay-delta", "--username", "relayuser",
                "--value-file", value_file)
        [msg] = sink.wait_for_messages(1, timeout=60)
        self.assertTrue(msg.tls)
        self.assertEqual(msg.auth_user, "relayuser")
        self.assertIn(msgid.encode(), msg.data)
        # The password never reaches the logs.
        self.assertNotIn("s3cret-from-keystore", node.log_text())


if __name__ == "__main__":
    unittest.main(verbosity=2)
