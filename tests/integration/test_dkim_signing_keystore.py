"""DKIM signing when the keystore is away (issue 3): a router whose cluster.keystores names a
separate `postern keystore` process.

- The keystore is not running: the message waits in the queue, `posternctl queue show` says
  why ("waiting for DKIM signature: keystore 127.0.0.1:PORT unavailable"), nothing leaves
  unsigned; the keystore comes up (keys created) and the message is delivered signed, with no
  admin action (the router retries on its own backoff).
- Retries don't re-sign: signed while the sink is down (deliveries fail with 4xx), then the
  keystore is stopped and the sink started: the retry delivers the stored signature, which
  both verifiers accept."""
import os
import unittest

from support.net import free_port, wait_until
from support.postern import NodeConfig, posternctl, write_cluster_token
from test_dkim_signing import SigningTestCase

SELECTORS = ["rsa2048", "ed"]


class KeystoreAway(SigningTestCase):
    def setUp(self):
        super().setUp()
        # One cluster token for router and keystore (cluster.token_file).
        self.token_file = os.path.join(self.workdir, "cluster.token")
        write_cluster_token(self.token_file)
        ks_dir = os.path.join(self.workdir, "ks")
        os.makedirs(ks_dir)
        self.ks_cfg = NodeConfig(ks_dir, self.dns.address, self.cert, name="ks")
        self.ks_cfg.data["cluster"] = {"token_file": self.token_file}
        self.ks_address = f"127.0.0.1:{self.ks_cfg.keystore_port}"

    def router_config(self, sink_port):
        cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.user("alice@example.test", "alice-password")
        cfg.route(["remote.test"], "out", {"smtp": {"mode": "relay", "relay": {
            "hosts": [f"127.0.0.1:{sink_port}"], "tls": "none", "auth": "disabled"}}})
        cfg.route(["example.test"], "box", self.maildir_dest())
        cfg.data["router"]["dkim"] = {"signing": True, "keys": {"example.test": SELECTORS}}
        cfg.data["cluster"] = {"token_file": self.token_file, "keystores": [self.ks_address]}
        return cfg

    def show(self, node, queue_id):
        run = posternctl(node.config, "queue", "show", queue_id)
        return run.stdout + run.stderr

    def test_waits_for_the_keystore_then_delivers_signed(self):
        sink = self.start_sink()
        node = self.start_postern("all", self.router_config(sink.port))
        self.submit_authenticated(node)
        qid = self.last_queue_id
        expected = f"waiting for DKIM signature: keystore {self.ks_address} unavailable"
        out = wait_until(lambda: (lambda o: o if expected in o else None)(self.show(node, qid)),
                         30, f"queue show {qid} to say {expected!r}", interval=0.2)
        self.assertIn("0 attempts", out)  # waiting is not a delivery attempt
        self.assertEqual(sink.messages, [])

        ks = self.start_postern("keystore", self.ks_cfg, name="postern-ks")
        self.create_keys(ks, SELECTORS)
        [msg] = sink.wait_for_messages(1, timeout=90)  # first retry 30 s after the failure
        self.assert_verifies(msg.data, SELECTORS)
        self.assertIn(f"{qid}: DKIM-signed", node.log_text())

    def test_retries_do_not_resign(self):
        ks = self.start_postern("keystore", self.ks_cfg, name="postern-ks")
        self.create_keys(ks, SELECTORS)
        sink_port = free_port()  # nobody listens yet: deliveries fail with 451 4.4.1
        node = self.start_postern("all", self.router_config(sink_port))
        self.submit_authenticated(node)
        qid = self.last_queue_id
        wait_until(lambda: (lambda o: o if "4.4.1" in o else None)(self.show(node, qid)),
                   30, f"a failed delivery attempt of {qid}", interval=0.2)
        self.assertIn(f"{qid}: DKIM-signed", node.log_text())

        ks.stop()  # from now on signing would fail: the stored signature must do
        sink = self.start_sink(port=sink_port)
        [msg] = sink.wait_for_messages(1, timeout=60)
        self.assert_verifies(msg.data, SELECTORS)
        self.assertEqual(node.log_text().count(f"{qid}: DKIM-signed"), 1)
        self.assertNotIn(f"{qid}: waiting for DKIM signature", node.log_text())


if __name__ == "__main__":
    unittest.main(verbosity=2)
