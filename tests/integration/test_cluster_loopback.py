"""Issue 6's cluster scenarios (cluster_scenarios.py) with every host on 127.0.0.1: the same
processes and topology as test_cluster_netns.py, distinct ports, nothing isolated (so the
gateway's role shows in the EHLO name the remote MX saw, not in an address), and gRPC between
roles in plaintext (the netns variant uses mTLS). Runs anywhere."""
import unittest

import cluster_scenarios


class ClusterLoopback(cluster_scenarios.ClusterScenarios, unittest.TestCase):
    MODE = "loopback"


if __name__ == "__main__":
    unittest.main(verbosity=2)
