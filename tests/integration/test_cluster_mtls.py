"""mTLS between roles (issue 6): `postern keystore`, `postern router` and `postern edge` as
three processes with cluster.tls from a test CA (tests/support/certs.py).

- Mail submitted to the edge travels edge -> router (Submit over mTLS) and is DKIM-signed
  through the keystore (Keystore.Sign over mTLS) before it reaches the sink; the signature
  verifies. The router's cluster token differs from the keystore's: the router's certificate
  from the cluster CA is what authorizes its Sign calls.
- Clients without a certificate, with plaintext gRPC or with a certificate from another CA
  are refused by the router and by the keystore (python3-grpcio).
- Admin RPCs: posternctl with the certificate named in admin.tls_clients works without any
  token (queue list on the router, keymgmt on the keystore); a cluster certificate that is
  not listed is refused (UNAUTHENTICATED) unless it brings the admin token.
- A node whose cluster.tls key does not exist refuses to start, naming the key and file."""
import os
import subprocess
import unittest

import grpc

from support.certs import issue_cert, make_ca
from support.grpc_client import GrpcClient, KeystoreClient, pb
from support.net import LOOPBACK
from support.postern import POSTERN_BIN, POSTERNCTL_BIN, NodeConfig
from test_dkim_signing import DOMAIN, SigningTestCase

SELECTORS = ["ed"]
ADMIN_NAME = "ops.admin.test"


class ClusterMtls(SigningTestCase):
    def setUp(self):
        super().setUp()
        pki = os.path.join(self.workdir, "pki")
        self.ca = make_ca(pki)
        self.certs = {name: issue_cert(self.ca, pki, name)
                      for name in ("keystore", "router", "edge")}
        self.certs["ops"] = issue_cert(self.ca, pki, "ops", dns_names=[ADMIN_NAME])
        other = make_ca(os.path.join(self.workdir, "other-pki"), "Other CA")
        self.intruder = issue_cert(other, os.path.join(self.workdir, "other-pki"), "intruder")

    # -- configs --
    def node(self, name, cert):
        workdir = os.path.join(self.workdir, name)
        os.makedirs(workdir, exist_ok=True)
        cfg = NodeConfig(workdir, self.dns.address, self.cert, name=name)
        cfg.cluster_tls(self.ca[0], *self.certs[cert], routers=["router"])
        cfg.data["admin"]["tls_clients"] = [ADMIN_NAME]
        return cfg

    def ctl_config(self, cert):
        """A posternctl config with `cert` and no admin token anywhere."""
        cfg = self.node(f"ctl-{cert}", cert)
        del cfg.data["admin"]["tls_clients"]
        cfg.data["admin"]["token_file"] = cfg.path("no-such-admin.token")
        return cfg.write("ctl.yaml")

    def posternctl(self, ctl_yaml, server, *args, token_file=None):
        cmd = [POSTERNCTL_BIN, "--config", ctl_yaml, "--server", server]
        if token_file:
            cmd += ["--token-file", token_file]
        return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)

    # Keystore admin (KeyManagement) as the listed admin certificate, no token.
    def ctl(self, node, *args, **kwargs):
        server = f"{LOOPBACK}:{node.config.keystore_port}"
        return self.posternctl(self.admin_ctl, server, "keymgmt", *args)

    # -- gRPC clients --
    def credentials(self, cert=None, ca=None):
        with open(ca or self.ca[0], "rb") as f:
            root = f.read()
        if cert is None:
            return grpc.ssl_channel_credentials(root_certificates=root)
        with open(cert[0], "rb") as c, open(cert[1], "rb") as k:
            return grpc.ssl_channel_credentials(root_certificates=root, private_key=k.read(),
                                                certificate_chain=c.read())

    def client(self, cls, address, credentials, token=None):
        client = cls(address, token, credentials=credentials)
        self.addCleanup(client.close)
        return client

    def queue_list(self, client, token=None):
        qa = pb("postern/v1/queue_admin.proto")
        return client.call("/postern.v1.QueueAdmin/List", qa.ListQueueRequest(), qa.ListQueueReply,
                           token=token or "", timeout=10)

    def assert_refused(self, call, code):
        with self.assertRaises(grpc.RpcError) as e:
            call()
        self.assertEqual(e.exception.code(), code, e.exception.details())
        return e.exception

    def test_cluster_over_mtls(self):
        self.admin_ctl = self.ctl_config("ops")
        sink = self.start_sink()

        ks_cfg = self.node("ks", "keystore")
        ks = self.start_postern("keystore", ks_cfg, name="postern-ks")
        self.create_keys(ks, SELECTORS)  # KeyManagement by the admin certificate alone
        ks_address = f"{LOOPBACK}:{ks_cfg.keystore_port}"

        router_cfg = self.node("router", "router")
        router_cfg.local_domains = [DOMAIN]
        router_cfg.user("alice@example.test", "alice-password")
        router_cfg.route(["remote.test"], "out", self.sink_dest(sink))
        router_cfg.route([DOMAIN], "box", self.maildir_dest())
        router_cfg.data["router"]["dkim"] = {"signing": True, "keys": {DOMAIN: SELECTORS}}
        router_cfg.data["cluster"]["keystores"] = [ks_address]
        router = self.start_postern("router", router_cfg, name="postern-router")
        router_address = f"{LOOPBACK}:{router_cfg.router_port}"

        edge_cfg = self.node("edge", "edge")
        edge_cfg.local_domains = [DOMAIN]
        edge_cfg.user("alice@example.test", "alice-password")
        edge_cfg.data["cluster"]["routers"] = [router_address]
        edge = self.start_postern("edge", edge_cfg, name="postern-edge")

        # Mail end to end, signed through the keystore.
        self.submit_authenticated(edge)
        [msg] = sink.wait_for_messages(1, timeout=30)
        self.assert_verifies(msg.data, SELECTORS)
        self.assertIn(f"{self.last_queue_id}: DKIM-signed", router.log_text())
        with open(os.path.join(ks_cfg.path("var"), "cluster.token")) as a, \
                open(os.path.join(router_cfg.path("var"), "cluster.token")) as b:
            self.assertNotEqual(a.read(), b.read())  # the certificate authorized the router
        self.assertIn(f"router {router_address} is serving", edge.log_text())

        # Transport refusals: plaintext, TLS without a certificate, another CA's certificate.
        ks_token = open(os.path.join(ks_cfg.path("var"), "cluster.token")).read().strip()
        for address, token in ((router_address, None), (ks_address, ks_token)):
            for creds in (None, self.credentials(), self.credentials(self.intruder)):
                client = self.client(KeystoreClient, address, creds, token)
                call = ((lambda: client.sign([(DOMAIN, "ed", b"\0" * 32)]))
                        if address == ks_address else (lambda: self.queue_list(client)))
                self.assert_refused(call, grpc.StatusCode.UNAVAILABLE)

        # Cluster RPC: the router's certificate (cluster.tls.routers), no token needed; the
        # edge's certificate from the same CA never reaches the keys.
        router_creds = self.credentials(self.certs["router"])
        signer = self.client(KeystoreClient, ks_address, router_creds)
        [(algorithm, signature)] = signer.sign([(DOMAIN, "ed", b"\1" * 32)], token="")
        self.assertEqual(algorithm, "ed25519-sha256")
        self.assertEqual(len(signature), 64)
        edge_signer = self.client(KeystoreClient, ks_address, self.credentials(self.certs["edge"]))
        e = self.assert_refused(lambda: edge_signer.sign([(DOMAIN, "ed", b"\1" * 32)], token=""),
                                grpc.StatusCode.UNAUTHENTICATED)
        self.assertIn("cluster.tls.routers", e.details())

        # Admin RPCs: a listed certificate without a token; an unlisted one only with the token.
        ops = self.client(GrpcClient, router_address, self.credentials(self.certs["ops"]))
        self.assertEqual(len(self.queue_list(ops).messages), 0)
        unlisted = self.client(GrpcClient, router_address, router_creds)
        e = self.assert_refused(lambda: self.queue_list(unlisted), grpc.StatusCode.UNAUTHENTICATED)
        self.assertIn("admin.tls_clients", e.details())
        with open(router_cfg.path("admin.token")) as f:
            self.queue_list(unlisted, token=f.read().strip())
        ks_unlisted = self.client(GrpcClient, ks_address, router_creds)
        ks_pb = pb("postern/v1/keystore.proto")
        self.assert_refused(lambda: ks_unlisted.call("/postern.v1.KeyManagement/ListNeks",
                                                     ks_pb.ListNeksRequest(), ks_pb.ListNeksReply,
                                                     token=""),
                            grpc.StatusCode.UNAUTHENTICATED)
        self.assertIn("KeyManagement call from", ks.log_text())

        # posternctl: the admin certificate alone; a router certificate alone is refused.
        run = self.posternctl(self.admin_ctl, router_address, "queue", "list")
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        run = self.posternctl(self.ctl_config("router"), router_address, "queue", "list")
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
        self.assertIn("refused", run.stderr)
        run = self.posternctl(self.admin_ctl, ks_address, "keymgmt", "list", "dkim")
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("ed25519", run.stdout)
        # Without --config posternctl speaks plaintext: the TLS router refuses the connection.
        run = subprocess.run([POSTERNCTL_BIN, "--server", router_address, "--token-file",
                              router_cfg.path("admin.token"), "queue", "list"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)

    def test_a_missing_key_file_stops_the_node_at_start(self):
        cfg = self.node("bad", "router")
        cfg.route([DOMAIN], "box", self.maildir_dest())
        missing = cfg.path("missing.key")
        cfg.data["cluster"]["tls"]["key"] = missing
        path = cfg.write("bad.yaml")
        run = subprocess.run([POSTERN_BIN, "router", "--config", path], capture_output=True,
                             text=True, timeout=60, cwd=cfg.workdir)
        self.assertNotEqual(run.returncode, 0)
        self.assertIn(f"cluster.tls.key: cannot read: No such file or directory ({missing})",
                      run.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
