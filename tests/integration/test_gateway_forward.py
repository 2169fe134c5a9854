"""The designated gateway (issue 6): router.destinations.X.served_by with Router/Forward, real
processes on 127.0.0.1: a `postern keystore` holding two DKIM keys, router "athena" (not in
served_by, where mail is submitted with the Router/Submit RPC as an edge would) and the
gateway router(s), the remote MX a sink found through a real DNS server (direct MX delivery).

- Mail submitted to athena reaches the MX through the gateway: athena logs the forward with
  both queue ids and never delivers by SMTP itself (no "status=sent" relay line of its own);
  the gateway logs "forwarded from athena/ID" and the MX delivery. The message carries exactly
  one DKIM-Signature per selector, made on athena before the first hop (the gateway never
  signs), and both verify with dkimpy.
- Gateway down: the message waits on athena and `posternctl queue show` says why ("forward to
  gw (127.0.0.1:PORT): unavailable") and where it goes ("via forward to gw"); nothing reaches
  the MX. The gateway comes up with the MX still down: the message moves to the gateway
  (athena's queue empties) and waits there, its `queue show` naming athena and athena's id.
  The MX comes up: exactly one copy arrives.
- Two gateways, the first never started: the mail goes through the second.
- Forward straight to the gateway's gRPC port: no token or a wrong one -> UNAUTHENTICATED;
  the cluster token -> stored; the same Forward again (a lost ack) -> the same queue id,
  duplicate, and the MX still gets one copy.
"""
import os
import re
import time
import unittest

import dkim
import grpc

from support.grpc_client import pb
from support.keymgmt import KeystoreTestCase, dns_value_from_output
from support.mail import make_message
from support.net import free_port, wait_until
from support.postern import NodeConfig, Postern, posternctl, write_cluster_token

DOMAIN = "example.test"
USER = "alice@example.test"
SELECTORS = {"ed": ("ed25519",), "rsa": ("rsa", "2048")}
ZONE = """
remote.test.     60 IN MX 10 mx.remote.test.
mx.remote.test.  60 IN A 127.0.0.1
"""


def signature_fields(data):
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    return re.findall(r"^DKIM-Signature:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", head, re.M | re.I)


def selector_of(field):
    m = re.search(r"(?:^|;)\s*s=([^;]*)", re.sub(r"\r\n", "", field))
    return re.sub(r"\s+", "", m.group(1)) if m else None


class GatewayForward(KeystoreTestCase):
    ZONE = ZONE

    def setUp(self):
        super().setUp()
        self.token_file = os.path.join(self.workdir, "cluster.token")
        self.token = write_cluster_token(self.token_file)
        ks_cfg = self.sub_config("ks")
        self.keystore = self.start_postern("keystore", ks_cfg, name="postern-ks")
        self.records = {}
        self.ok(self.keystore, "create", "nek", "main")
        self.ok(self.keystore, "create", "credstore", "main")
        for sel, args in SELECTORS.items():
            self.ok(self.keystore, "create", "dkim", DOMAIN, sel, *args)
            out = self.ok(self.keystore, "export", "dkim", "dns", DOMAIN, sel).stdout
            self.records[f"{sel}._domainkey.{DOMAIN}"] = dns_value_from_output(out)
        self.ks_address = f"127.0.0.1:{ks_cfg.keystore_port}"
        self.mx_port = free_port()

    # -- nodes --
    def sub_config(self, name):
        workdir = os.path.join(self.workdir, name)
        os.makedirs(workdir, exist_ok=True)
        cfg = NodeConfig(workdir, self.dns.address, self.cert, name=name,
                         hostname=f"{name}.postern.test")
        cfg.data["cluster"] = {"token_file": self.token_file}
        return cfg

    def router_config(self, name, served_by, gateways):
        """A router: remote.test -> "internet" (direct MX, served_by), example.test signed."""
        cfg = self.sub_config(name)
        cfg.local_domains = [DOMAIN]
        cfg.route(["remote.test"], "internet", {
            "served_by": list(served_by),
            "smtp": {"mode": "direct", "port": self.mx_port, "tls": "none"}})
        cfg.route([DOMAIN], "box", {"maildir": {"path": cfg.path("maildir")}})
        cfg.data["router"]["dkim"] = {"signing": True, "keys": {DOMAIN: list(SELECTORS)}}
        cfg.data["cluster"].update({
            "keystores": [self.ks_address],
            "nodes": {g: f"127.0.0.1:{cfg_port}" for g, cfg_port in gateways.items()}})
        return cfg

    def gateway(self, name, served_by, port, start=True, nodes=None):
        cfg = self.router_config(name, served_by, nodes or {})
        cfg.router_port = port
        cfg.data["router"]["listen"] = f"127.0.0.1:{port}"
        node = Postern("router", cfg, f"postern-{name}")
        self.addCleanup(node.close)
        return node.start() if start else node

    def origin(self, served_by, gateways):
        cfg = self.router_config("athena", served_by, gateways)
        return self.start_postern("router", cfg, name="postern-athena")

    # -- mail --
    def submit(self, router, subject="through the gateway"):
        """Router/Submit as the edge sends it, from an authenticated user (so it is signed)."""
        r = pb("postern/v1/router.proto")
        data, msgid = make_message(USER, "bob@remote.test", subject=subject)
        header = r.SubmitHeader(
            envelope=r.Envelope(mail_from=USER, recipients=[r.Recipient(address="bob@remote.test")]),
            client=r.ClientInfo(address="127.0.0.1", helo="client.postern.test", auth_user=USER,
                                edge_node="test", listener="submission"),
            size=len(data))
        with grpc.insecure_channel(f"127.0.0.1:{router.router_port}") as channel:
            call = channel.stream_unary("/postern.v1.Router/Submit",
                                        request_serializer=r.SubmitChunk.SerializeToString,
                                        response_deserializer=r.SubmitReply.FromString)
            reply = call(iter([r.SubmitChunk(header=header), r.SubmitChunk(data=data)]), timeout=30)
        self.assertTrue(reply.queue_id)
        return reply.queue_id, msgid

    def forward(self, gateway, header, data, token):
        r = pb("postern/v1/router.proto")
        metadata = [("authorization", f"Bearer {token}")] if token else []
        with grpc.insecure_channel(f"127.0.0.1:{gateway.router_port}") as channel:
            call = channel.stream_unary("/postern.v1.Router/Forward",
                                        request_serializer=r.ForwardChunk.SerializeToString,
                                        response_deserializer=r.ForwardReply.FromString)
            return call(iter([r.ForwardChunk(header=header), r.ForwardChunk(data=data)]),
                        metadata=metadata, timeout=30)

    def show(self, node, queue_id):
        run = posternctl(node.config, "queue", "show", queue_id)
        return run.stdout + run.stderr

    def dnsfunc(self, name, timeout=5):
        key = (name.decode() if isinstance(name, bytes) else name).rstrip(".").lower()
        value = self.records.get(key)
        return value.encode() if value is not None else None

    def assert_signed_once_and_verifies(self, data):
        fields = signature_fields(data)
        self.assertEqual(sorted(selector_of(f) for f in fields), sorted(SELECTORS), fields)
        verifier = dkim.DKIM(data, minkey=1024)
        for i in range(len(fields)):
            self.assertTrue(verifier.verify(idx=i, dnsfunc=self.dnsfunc), f"signature {i}")

    def assert_forwarded(self, origin, gateway, qid):
        """The forward log lines on both sides; returns the gateway's queue id."""
        m = re.search(rf"{qid}: forwarded to {gateway.config.data['node']['name']} "
                      rf"\(127\.0\.0\.1:{gateway.router_port}\) as (\w+)", origin.log_text())
        self.assertIsNotNone(m, f"no forward line for {qid} in athena's log")
        gid = m.group(1)
        self.assertIn(f"{gid}: forwarded from athena/{qid}", gateway.log_text())
        sent = re.compile(rf"{gid}: to=<bob@remote\.test> relay=mx\.remote\.test"
                          rf"\[127\.0\.0\.1\]:{self.mx_port} attempts=\d+ status=sent")
        # The line follows the MX's 250, which the test may have seen first.
        wait_until(lambda: sent.search(gateway.log_text()), 10, "the gateway's delivery line")
        # athena never delivered by SMTP: its only "sent" line is the hand-over to the gateway.
        self.assertNotRegex(origin.log_text(), r"relay=mx\.remote\.test")
        # Signed once, on athena (before the first hop); the gateway only prepends the fields.
        self.assertIn(f"{qid}: DKIM-signed", origin.log_text())
        self.assertNotIn("DKIM-signed", gateway.log_text())
        return gid

    # -- scenarios --
    def test_forwarded_through_the_gateway_signed_once(self):
        sink = self.start_sink(port=self.mx_port)
        gw = self.gateway("gw", ["gw"], free_port())
        athena = self.origin(["gw"], {"gw": gw.router_port})
        qid, msgid = self.submit(athena)
        [msg] = sink.wait_for_messages(1, timeout=20)
        self.assertIn(msgid.encode(), msg.data)
        self.assertEqual(msg.rcpt_tos, ["bob@remote.test"])
        self.assert_signed_once_and_verifies(msg.data)
        self.assert_forwarded(athena, gw, qid)
        wait_until(lambda: "Mail queue is empty" in posternctl(athena.config, "queue", "list").stdout,
                   10, "athena's queue to be empty")

    def test_gateway_down_waits_with_the_reason_then_drains(self):
        gw_port = free_port()
        gw = self.gateway("gw", ["gw"], gw_port, start=False)
        athena = self.origin(["gw"], {"gw": gw_port})
        qid, msgid = self.submit(athena)
        reason = f"forward to gw (127.0.0.1:{gw_port}): unavailable"
        out = wait_until(lambda: (lambda o: o if reason in o else None)(self.show(athena, qid)),
                         20, f"queue show {qid} on athena to say {reason!r}", interval=0.2)
        self.assertIn("pending, destination internet", out)
        self.assertIn("via forward to gw", out)

        gw.start()  # the MX is still down: the message moves to the gateway and waits there
        gid = wait_until(lambda: (lambda m: m.group(1) if m else None)(
            re.search(rf"{qid}: forwarded to gw \(127\.0\.0\.1:{gw_port}\) as (\w+)",
                      athena.log_text())), 20, "athena to forward the waiting message")
        out = wait_until(lambda: (lambda o: o if "4.4.1" in o or "451" in o else None)(
            self.show(gw, gid)), 20, f"a failed MX attempt of {gid} on the gateway", interval=0.2)
        self.assertIn(f"forwarded from athena/{qid}", out)
        self.assertIn("pending, destination internet", out)
        self.assertNotIn("via forward", out)
        wait_until(lambda: "Mail queue is empty" in posternctl(athena.config, "queue", "list").stdout,
                   10, "athena's queue to be empty after the gateway's ack")

        sink = self.start_sink(port=self.mx_port)
        [msg] = sink.wait_for_messages(1, timeout=20)
        self.assertIn(msgid.encode(), msg.data)
        self.assert_signed_once_and_verifies(msg.data)
        self.assert_forwarded(athena, gw, qid)
        wait_until(lambda: "Mail queue is empty" in posternctl(gw.config, "queue", "list").stdout,
                   10, "the gateway's queue to be empty")
        self.assertEqual(len(sink.messages), 1)

    def test_fails_over_to_the_second_gateway(self):
        sink = self.start_sink(port=self.mx_port)
        g1_port = free_port()  # g1 is never started
        g2_port = free_port()
        # g2's own config names g1 too (served_by validation wants its endpoint).
        g2 = self.gateway("g2", ["g1", "g2"], g2_port, nodes={"g1": g1_port})
        athena = self.origin(["g1", "g2"], {"g1": g1_port, "g2": g2.router_port})
        qid, msgid = self.submit(athena)
        [msg] = sink.wait_for_messages(1, timeout=20)
        self.assertIn(msgid.encode(), msg.data)
        self.assert_signed_once_and_verifies(msg.data)
        self.assertIn(f"{qid}: forward to g1 (127.0.0.1:{g1_port}): unavailable", athena.log_text())
        self.assert_forwarded(athena, g2, qid)

    def test_forward_needs_the_cluster_token_and_is_idempotent(self):
        sink = self.start_sink(port=self.mx_port)
        gw = self.gateway("gw", ["gw"], free_port())
        r = pb("postern/v1/router.proto")
        data, msgid = make_message(USER, "bob@remote.test", subject="forwarded by hand")
        header = r.ForwardHeader(
            origin_node="athena", origin_queue_id="1hf7aaaaaaaaaaaaaaa",
            envelope=r.Envelope(mail_from=USER),
            recipients=[r.ForwardRecipient(address="bob@remote.test", destination="internet",
                                           attempts=3, last_reply="451 4.4.1 gateway away")],
            client=r.ClientInfo(address="127.0.0.1"), received_unix_ms=int(time.time() * 1000),
            size=len(data), signing_state=r.FORWARD_SIGNING_NOT_SIGNED, hops=1)
        for token in ("", "x" * 64):
            with self.assertRaises(grpc.RpcError) as refused:
                self.forward(gw, header, data, token)
            self.assertEqual(refused.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        self.assertIn("Router.Forward call from", gw.log_text())
        self.assertNotIn(self.token, gw.log_text())

        first = self.forward(gw, header, data, self.token)
        self.assertTrue(first.queue_id)
        self.assertFalse(first.duplicate)
        again = self.forward(gw, header, data, self.token)  # the ack was "lost"
        self.assertEqual(again.queue_id, first.queue_id)
        self.assertTrue(again.duplicate)
        [msg] = sink.wait_for_messages(1, timeout=20)
        self.assertIn(msgid.encode(), msg.data)
        third = self.forward(gw, header, data, self.token)  # even after delivery
        self.assertEqual(third.queue_id, first.queue_id)
        self.assertTrue(third.duplicate)
        wait_until(lambda: "Mail queue is empty" in posternctl(gw.config, "queue", "list").stdout,
                   10, "the gateway's queue to be empty")
        self.assertEqual(len(sink.messages), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
