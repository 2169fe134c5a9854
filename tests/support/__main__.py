"""Runs one test peer as a child process for the C++ unit tests:

    /usr/bin/python3 tests/support dns-server [--zone-file F]... [--silent-domain D]...
                                              [--servfail-domain D]...
    /usr/bin/python3 tests/support smtp-sink [options]      (see fixture_cli.py)
    /usr/bin/python3 tests/support etcd-cluster [--members N]  (see etcd.py cluster_cli)

Started by path (no PYTHONPATH needed): Python puts this directory on sys.path, so the parent
(tests/) is put there instead and the package is imported as `support`.
"""
import os
import sys

if __package__ in (None, ""):
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from support.fixture_cli import main  # noqa: E402

if __name__ == "__main__":
    if sys.argv[1:2] == ["etcd-cluster"]:  # the keystore etcd backend's fixture
        from support.etcd import cluster_cli  # noqa: E402
        sys.exit(cluster_cli(sys.argv[2:]))
    sys.exit(main(sys.argv[1:]))
