"""postern.v1.Greylist/Check against a real `postern router`: a first attempt is deferred, a
retry from another edge (another gRPC channel) after the delay passes, hosts of the same /24
share the triplet, and the state survives a clean restart and a crash (kill -9) of the router.
Bad requests get INVALID_ARGUMENT. Delays are 2 s; waits poll for the condition."""
import time
import unittest

import grpc

from support.grpc_client import GrpcClient, pb
from support.net import wait_until
from support.testcase import PosternTestCase

DELAY = 2


def greylist_pb():
    return pb("postern/v1/greylist.proto")


class Edge(GrpcClient):
    """What an edge sends: its own channel, its greylist parameters with every request."""

    def __init__(self, address):
        super().__init__(address)
        # Its own connection too: grpcio shares subchannels between the channels of a process
        # by default, so "another edge" would otherwise ride on the same TCP connection.
        self.channel.close()
        self.channel = grpc.insecure_channel(address,
                                             options=[("grpc.use_local_subchannel_pool", 1)])

    def check(self, client, sender, recipient, delay=DELAY, window=600, expiry=3600, **extra):
        gl = greylist_pb()
        request = gl.GreylistRequest(client_address=client, sender=sender, recipient=recipient,
                                     delay_seconds=delay, retry_window_seconds=window,
                                     expiry_seconds=expiry, **extra)
        return self.call("/postern.v1.Greylist/Check", request, gl.GreylistReply, timeout=10)


class GreylistService(PosternTestCase):
    def setUp(self):
        super().setUp()
        self.cfg = self.node_config()
        self.cfg.local_domains = ["example.test"]
        self.cfg.route(["example.test"], "box", self.maildir_dest())  # a router needs a route
        self.router = self.start_postern("router", self.cfg)

    def edge(self):
        client = Edge(f"127.0.0.1:{self.cfg.router_port}")
        self.addCleanup(client.close)
        return client

    def restart(self, crash=False):
        if crash:
            self.router.kill()
        else:
            self.assertEqual(self.router.stop(), 0)
        self.router.start()

    def wait_for_elapsed(self, since, seconds):
        wait_until(lambda: time.monotonic() - since >= seconds, seconds + 5,
                   f"{seconds}s to pass", interval=0.05)

    def test_defer_then_pass_from_another_edge(self):
        gl = greylist_pb()
        edge_a, edge_b = self.edge(), self.edge()
        first = time.monotonic()
        reply = edge_a.check("192.0.2.10", "Alice@Sender.test", "bob@example.test")
        self.assertEqual(reply.action, gl.GreylistReply.ACTION_DEFER)
        self.assertEqual(reply.retry_after_seconds, DELAY)
        again = edge_a.check("192.0.2.10", "alice@sender.test", "bob@example.test")
        self.assertEqual(again.action, gl.GreylistReply.ACTION_DEFER)
        self.assertIn(again.retry_after_seconds, (1, 2))

        # Another edge, another host of the same /24: poll until the retry passes.
        def retry():
            r = edge_b.check("192.0.2.200", "alice@sender.test", "bob@example.test")
            if r.action == gl.GreylistReply.ACTION_DEFER:
                self.assertGreaterEqual(r.retry_after_seconds, 1)
                return None
            return r
        passed = wait_until(retry, 15, "the retry to pass", interval=0.2)
        self.assertEqual(passed.action, gl.GreylistReply.ACTION_PASS)
        self.assertFalse(passed.passed_before)
        self.assertGreaterEqual(time.monotonic() - first, DELAY - 0.05)

        known = edge_a.check("192.0.2.10", "alice@sender.test", "bob@example.test")
        self.assertEqual(known.action, gl.GreylistReply.ACTION_PASS)
        self.assertTrue(known.passed_before)
        # A different recipient, or another network, is another triplet.
        self.assertEqual(edge_a.check("192.0.2.10", "alice@sender.test", "eve@example.test").action,
                         gl.GreylistReply.ACTION_DEFER)
        self.assertEqual(edge_a.check("192.0.3.10", "alice@sender.test", "bob@example.test").action,
                         gl.GreylistReply.ACTION_DEFER)

    def test_state_survives_a_clean_restart_and_a_crash(self):
        gl = greylist_pb()
        edge = self.edge()
        # Triplet 1 passes before the restarts; triplets 2 and 3 are only deferred. Times are
        # taken after the router answered, so its first_seen is no later than ours.
        edge.check("2001:db8:1:2::1", "a@sender.test", "one@example.test")
        first = time.monotonic()
        edge.check("198.51.100.7", "", "two@example.test")  # the null sender
        start = time.monotonic()
        self.wait_for_elapsed(first, DELAY)
        self.assertEqual(edge.check("2001:db8:1:2::1", "a@sender.test", "one@example.test").action,
                         gl.GreylistReply.ACTION_PASS)

        self.restart()
        edge = self.edge()
        r = edge.check("2001:db8:1:2:ffff::9", "A@sender.test", "one@example.test")  # same /64
        self.assertEqual(r.action, gl.GreylistReply.ACTION_PASS)
        self.assertTrue(r.passed_before)
        self.wait_for_elapsed(start, DELAY)
        # Remembered across the restart: passes at the first try after the delay (a router
        # that had forgotten it would defer for the whole delay again).
        r = edge.check("198.51.100.7", "", "two@example.test")
        self.assertEqual(r.action, gl.GreylistReply.ACTION_PASS)
        self.assertFalse(r.passed_before)

        edge.check("198.51.100.8", "c@sender.test", "three@example.test")
        start = time.monotonic()
        self.restart(crash=True)  # unsynced writes are in the WAL: a process crash keeps them
        edge = self.edge()
        self.assertTrue(edge.check("198.51.100.7", "", "two@example.test").passed_before)
        self.wait_for_elapsed(start, DELAY)
        self.assertEqual(edge.check("198.51.100.8", "c@sender.test", "three@example.test").action,
                         gl.GreylistReply.ACTION_PASS)

    def test_bad_requests_are_invalid_argument(self):
        edge = self.edge()
        cases = [
            (("not-an-ip", "a@b", "c@d"), {}, "client address"),
            (("192.0.2.1", "a@b", "c@d"), {"delay": 0}, "delay"),
            (("192.0.2.1", "a@b", "c@d"), {"delay": 60, "window": 60}, "retry window"),
            (("192.0.2.1", "a@b", "c@d"), {"expiry": 0}, "expiry"),
            (("192.0.2.1", "a@b", "c@d"), {"ipv4_prefix": 33}, "prefix"),
            (("192.0.2.1", "x" * 600, "c@d"), {}, "sender longer"),
            (("192.0.2.1", "a@b", "c@d\r\nX"), {}, "control character"),
        ]
        for args, kwargs, why in cases:
            with self.assertRaises(grpc.RpcError, msg=f"{args} {kwargs}") as caught:
                edge.check(*args, **kwargs)
            self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn(why, caught.exception.details())
            self.assertNotIn("x" * 20, caught.exception.details())
        # The router is still serving.
        gl = greylist_pb()
        self.assertEqual(edge.check("192.0.2.1", "a@b", "c@d").action, gl.GreylistReply.ACTION_DEFER)


if __name__ == "__main__":
    unittest.main()
