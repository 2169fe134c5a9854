"""Issue 6's cluster scenarios (cluster_scenarios.py) on simulated hosts: every host a network
namespace on a veth LAN, the internet host (remote MX and its DNS) linked only to the gateway,
so router1 can reach remote.test only through the gateway, and the MX sees the gateway's WAN
address. Every gRPC hop (edge -> router, Forward router -> gateway, router -> keystore,
posternctl) runs over mTLS (cluster.tls from a test CA, each certificate naming its host's LAN
address), as a production cluster would; test_cluster_loopback.py covers plaintext gRPC.

This needs root and `ip netns` (CI runs as root): without them the test FAILS rather than
skipping, so a CI that lost its privileges cannot pass it silently. Without root, run
test_cluster_loopback.py (the same scenarios on 127.0.0.1)."""
import unittest

import cluster_scenarios
from support.netlab import netns_unavailable


class ClusterNetns(cluster_scenarios.ClusterScenarios, unittest.TestCase):
    MODE = "netns"
    MTLS = True

    @classmethod
    def setUpClass(cls):
        reason = netns_unavailable()
        if reason is not None:
            raise AssertionError(f"the netns cluster test cannot run: {reason}")
        super().setUpClass()


if __name__ == "__main__":
    unittest.main(verbosity=2)
