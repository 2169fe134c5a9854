"""The network lab (tests/support/netlab.py) on its own, in both modes, with real processes.

The cluster's topology: a client, two edges, a router, the gateway router, three keystores,
three etcd members (all on the LAN) and an "internet" host (remote MX and DNS) linked only to
the gateway. In netns mode the test asserts the reachability matrix (LAN all-to-all; only the
gateway reaches the internet host, which reaches only the gateway), DNS (dig) and SMTP
(smtplib) to the internet host from the gateway but not from router1, a real `postern router`
in router1's namespace answering `posternctl health` from the client's namespace (and not from
the internet's), mail submitted from the client to a real `postern all` on the gateway and
delivered by MX lookup to the internet host's sink, and teardown leaving no namespace or
process behind: normally, after an exception in the `with` block, after a failed add_host, on
SIGTERM of the test process, and for namespaces a killed run left. In loopback mode the same
scenario runs with everything reachable.

netns mode needs root: in CI (CI=true, run as root) its absence is a failure; elsewhere the
netns tests skip with the reason.
"""
import json
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
import unittest

from support.certs import client_context_no_verify, make_self_signed
from support.mail import make_message
from support.net import wait_until
from support.netlab import Lab, netns_unavailable, sweep_stale_namespaces
from support.postern import POSTERN_BIN, POSTERNCTL_BIN, NodeConfig

LAN_HOSTS = ["client", "edge1", "edge2", "router1", "gateway",
             "keystore1", "keystore2", "keystore3", "etcd1", "etcd2", "etcd3"]
ZONE = """
remote.test.     60 IN MX 10 mx.remote.test.
mx.remote.test.  60 IN A  {mx}
"""


def lab_namespaces(prefix):
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(prefix)]


def alive(pids):
    alive = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                    alive.append(pid)
        except FileNotFoundError:
            pass
    return alive


def build_cluster(lab):
    for name in LAN_HOSTS:
        lab.add_host(name, gateway=name == "gateway")
    lab.add_host("internet", internet=True)


class NetlabSelftest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certdir = tempfile.mkdtemp(prefix="netlab-selftest-certs-")
        cls.cert = make_self_signed(cls.certdir, "mx.postern.test")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certdir, ignore_errors=True)

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="netlab-selftest-")

    def require_netns(self):
        reason = netns_unavailable()
        if reason is None:
            return
        if os.environ.get("CI") == "true":
            self.fail(f"netlab netns mode must run in CI (as root): {reason}")
        self.skipTest(f"netlab netns mode unavailable here: {reason} (CI runs it as root)")

    def assert_torn_down(self, lab, pids):
        self.assertEqual(lab_namespaces(lab.prefix), [], "namespaces left behind")
        self.assertEqual(alive(pids), [], "tracked processes left behind")
        self.assertFalse(os.path.exists(lab.workdir), "lab temp dir left behind")

    # -- the scenario, in both modes --
    def scenario(self, lab):
        started = time.monotonic()
        build_cluster(lab)
        hosts = lab.hosts()
        isolated = lab.isolated

        # Reachability matrix: one listener per host, a TCP connect from every host to each.
        ports = {}
        for host in hosts:
            ports[host] = lab.listen(host, lab.free_port(host)).getsockname()[1]
        reach = {(a, b): lab.can_connect(a, b, ports[b]) for a in hosts for b in hosts}
        for a in LAN_HOSTS:
            for b in LAN_HOSTS:
                self.assertTrue(reach[a, b], f"{a} cannot reach {b} on the LAN")
        for a in LAN_HOSTS:
            expected = not isolated or a == "gateway"
            self.assertEqual(reach[a, "internet"], expected, f"{a} -> internet")
            self.assertEqual(reach["internet", a], expected, f"internet -> {a}")

        # DNS served on the internet host, queried with dig from inside the namespaces.
        mx = lab.address("internet")
        dns = lab.start_dns("internet", ZONE.format(mx=mx))

        def dig(host):
            return lab.run(host, ["dig", "+short", "+time=1", "+tries=1", "-p", str(dns.port),
                                  f"@{dns.ip}", "mx.remote.test", "A"], timeout=15)
        answer = dig("gateway")
        self.assertEqual(answer.returncode, 0, answer.stdout + answer.stderr)
        self.assertEqual(answer.stdout.split(), [mx])
        self.assertIn(("mx.remote.test", "A"), dns.wait_for_queries(1))
        answer = dig("router1")
        if isolated:
            self.assertNotEqual(answer.returncode, 0, answer.stdout)
            self.assertNotIn(mx, answer.stdout.split())
            self.assertEqual(len(dns.queries), 1, "router1's query reached the internet host")
        else:
            self.assertEqual(answer.stdout.split(), [mx])

        # SMTP to the internet host's sink: from the gateway yes, from router1 not at all.
        sink = lab.start_sink("internet")

        def send(tag):
            with smtplib.SMTP(sink.ip, sink.port, timeout=5) as smtp:
                smtp.sendmail("alice@postern.test", ["bob@remote.test"],
                              f"Subject: {tag}\r\n\r\nhello from {tag}\r\n".encode())
        lab.call_in("gateway", send, "gateway")
        [msg] = sink.wait_for_messages(1)
        self.assertEqual(msg.rcpt_tos, ["bob@remote.test"])
        self.assertIn(b"hello from gateway", msg.data)
        if isolated:
            with self.assertRaises(OSError):
                lab.call_in("router1", send, "router1")
            self.assertEqual(len(sink.messages), 1)
        else:
            lab.call_in("router1", send, "router1")
            self.assertEqual(len(sink.wait_for_messages(2)), 2)

        # A real postern router in router1's namespace; its gRPC health from the client's.
        cfg = NodeConfig(self.workdir, dns.address, self.cert, name="router1")
        cfg.route(["*"], "box", {"maildir": {"path": cfg.path("maildir")}})
        node = lab.start_postern("router1", "router", cfg)
        router = f"{lab.address('router1')}:{cfg.router_port}"
        if isolated:
            ns = subprocess.run(["ip", "netns", "identify", str(node.pid)], capture_output=True,
                                text=True).stdout.strip()
            self.assertEqual(ns, lab.namespace("router1"))
        health = lab.run("client", [POSTERNCTL_BIN, "--server", router, "health"])
        self.assertEqual(health.returncode, 0, health.stdout + health.stderr)
        self.assertIn("SERVING", health.stdout)
        health = lab.run("internet", [POSTERNCTL_BIN, "--server", router, "--timeout", "3",
                                      "health"])
        self.assertEqual(health.returncode != 0, isolated, health.stdout + health.stderr)

        # Mail through a real `postern all` on the gateway: the client submits, the gateway
        # resolves remote.test's MX at the internet host's DNS and delivers to its sink.
        gateway = self.deliver_through_gateway(lab, dns, sink)
        sys.stderr.write(f"netlab {lab.mode}: scenario took {time.monotonic() - started:.1f}s\n")
        return [node.pid, gateway.pid, dns.proc.pid, sink.proc.pid]

    def deliver_through_gateway(self, lab, dns, sink):
        cfg = NodeConfig(os.path.join(self.workdir, "gateway"), dns.address, self.cert,
                         name="gateway")
        os.makedirs(cfg.workdir)
        cfg.route(["*"], "internet", {"smtp": {"mode": "direct", "port": sink.port,
                                               "tls": "opportunistic"}})
        cfg.user("alice@postern.test", "alice-pw")
        node = lab.start_postern("gateway", "all", cfg)
        before = len(sink.messages)
        data, msgid = make_message("alice@postern.test", "carol@remote.test")

        def submit():
            with smtplib.SMTP(lab.address("gateway"), cfg.listener_ports["submission"],
                              timeout=10) as smtp:
                smtp.starttls(context=client_context_no_verify())
                smtp.login("alice@postern.test", "alice-pw")
                smtp.sendmail("alice@postern.test", ["carol@remote.test"], data)
        lab.call_in("client", submit)
        delivered = sink.wait_for_messages(before + 1)[before]
        self.assertEqual(delivered.rcpt_tos, ["carol@remote.test"])
        self.assertIn(msgid.encode(), delivered.data)
        self.assertIn(("remote.test", "MX"), dns.queries)
        return node

    def test_netns_mode(self):
        self.require_netns()
        started = time.monotonic()
        with Lab("netns") as lab:
            self.assertTrue(lab.isolated)
            try:
                pids = self.scenario(lab)
            except BaseException:
                lab.dump()
                raise
        self.assert_torn_down(lab, pids + lab.tracked_pids())
        elapsed = time.monotonic() - started
        sys.stderr.write(f"netlab netns: whole run incl. teardown {elapsed:.1f}s\n")
        self.assertLess(elapsed, 60)  # ~6 s idle, ~11 s on a loaded 2-core machine

    def test_loopback_mode(self):
        with Lab("loopback") as lab:
            self.assertFalse(lab.isolated)
            pids = self.scenario(lab)
            self.assertIsNone(lab.namespace("client"))
            self.assertEqual(lab.exec_prefix("client"), [])
            self.assertEqual({lab.address(h) for h in lab.hosts()}, {"127.0.0.1"})
        self.assertEqual(alive(pids + lab.tracked_pids()), [])

    # -- teardown robustness (netns) --
    def test_teardown_after_exception_in_with(self):
        self.require_netns()
        with self.assertRaisesRegex(ZeroDivisionError, "boom"):
            with Lab("netns") as lab:
                lab.add_host("edge1")
                lab.add_host("gateway", gateway=True)
                lab.add_host("internet", internet=True)
                sink = lab.start_sink("internet")
                sleeper = lab.popen("edge1", ["sleep", "300"])
                self.assertEqual(len(lab_namespaces(lab.prefix)), 4)  # + the switch
                raise ZeroDivisionError("boom")
        self.assert_torn_down(lab, [sink.proc.pid, sleeper.pid])

    def test_teardown_after_failed_add_host(self):
        self.require_netns()
        lab = Lab("netns")
        try:
            lab.add_host("edge1")
            # Someone holds the name the next host needs: add_host fails half-way.
            subprocess.run(["ip", "netns", "add", lab.prefix + "edge2"], check=True)
            with self.assertRaisesRegex(RuntimeError, "edge2"):
                lab.add_host("edge2")
            sleeper = lab.popen("edge1", ["sleep", "300"])
        finally:
            lab.close()
        self.assert_torn_down(lab, [sleeper.pid])

    def test_sigterm_of_the_test_process_tears_down(self):
        self.require_netns()
        script = (
            "import json, time\n"
            "from support.netlab import Lab\n"
            "with Lab('netns') as lab:\n"
            "    lab.add_host('edge1'); lab.add_host('gateway', gateway=True)\n"
            "    lab.add_host('internet', internet=True)\n"
            "    sink = lab.start_sink('internet')\n"
            "    sleeper = lab.popen('edge1', ['sleep', '300'])\n"
            "    print(json.dumps({'prefix': lab.prefix, 'workdir': lab.workdir,\n"
            "                      'pids': [sink.proc.pid, sleeper.pid]}), flush=True)\n"
            "    while True:\n"
            "        time.sleep(1)\n")
        env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                 text=True, env=env)
        self.addCleanup(child.stdout.close)
        try:
            info = json.loads(child.stdout.readline())
            self.assertEqual(len(lab_namespaces(info["prefix"])), 4)
            child.send_signal(signal.SIGTERM)
            self.assertEqual(child.wait(30), -signal.SIGTERM)  # cleaned up, then died of it
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        self.assertEqual(lab_namespaces(info["prefix"]), [])
        self.assertEqual(alive(info["pids"]), [])
        self.assertFalse(os.path.exists(info["workdir"]))

    def test_namespaces_of_a_dead_run_are_swept(self):
        self.require_netns()
        dead = subprocess.Popen(["true"])
        dead.wait()
        stale = f"pst{dead.pid}-1-edge1"
        subprocess.run(["ip", "netns", "add", stale], check=True)
        sleeper = subprocess.Popen(["ip", "netns", "exec", stale, "sleep", "300"])
        try:
            wait_until(lambda: lab_namespaces(stale), 5, "the stale namespace")
            wait_until(lambda: subprocess.run(["ip", "netns", "pids", stale], capture_output=True,
                                              text=True).stdout.strip(), 5, "the sleeper")
            sweep_stale_namespaces()
            self.assertEqual(lab_namespaces(stale), [])
            self.assertEqual(sleeper.wait(10), -signal.SIGKILL)
        finally:
            if sleeper.poll() is None:
                sleeper.kill()
            sleeper.wait()
            subprocess.run(["ip", "netns", "delete", stale], capture_output=True)

    def tearDown(self):
        if not os.environ.get("POSTERN_KEEP_TMP"):
            shutil.rmtree(self.workdir, ignore_errors=True)


if __name__ == "__main__":
    if not os.path.exists(POSTERN_BIN) and "/" in POSTERN_BIN:
        sys.exit(f"POSTERN_BIN={POSTERN_BIN} does not exist")
    unittest.main(verbosity=2)
