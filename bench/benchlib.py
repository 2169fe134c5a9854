"""Shared pieces of the benchmarks: paths, a counting smtp-sink, Postern and Postfix set up as
a loopback relay to that sink (the fair comparison in /work/shared/BENCH-NOTES.md)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
BUILD_DIR = os.environ.get("BUILD_DIR", os.path.join(ROOT, "build"))
os.environ.setdefault("POSTERN_BIN", os.path.join(BUILD_DIR, "services", "postern"))
os.environ.setdefault("POSTERNCTL_BIN", os.path.join(BUILD_DIR, "services", "posternctl"))

from support.certs import make_self_signed  # noqa: E402
from support.dns_server import DnsServer  # noqa: E402
from support.net import free_port, wait_for_port, wait_until  # noqa: E402
from support.postern import NodeConfig, Postern  # noqa: E402


class CountingSink:
    """Postfix's smtp-sink (-c prints running counters); tells when it has counted N messages."""

    def __init__(self):
        self.port = free_port()
        self.count = 0
        self.reached = {}  # count -> monotonic time it was first seen
        self._proc = None
        self._cond = threading.Condition()

    def start(self):
        self._proc = subprocess.Popen(
            ["smtp-sink", "-u", "nobody", "-c", f"127.0.0.1:{self.port}", "1024"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        threading.Thread(target=self._read, daemon=True).start()
        wait_for_port(self.port, 10)
        return self

    def _read(self):
        buf = b""
        pattern = re.compile(rb"mesg=(\d+)")
        while True:
            chunk = self._proc.stdout.read1(65536)
            if not chunk:
                return
            buf = (buf + chunk)[-256:]
            found = pattern.findall(buf)
            if found:
                with self._cond:
                    self.count = int(found[-1])
                    self._cond.notify_all()

    def wait_for(self, n, timeout):
        """Returns the monotonic time the sink counted n messages (raises on timeout)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.count >= n, timeout):
                raise TimeoutError(f"sink counted {self.count} of {n} within {timeout}s")
            return time.monotonic()

    def stop(self):
        if self._proc:
            self._proc.terminate()
            self._proc.wait()


class PosternRelay:
    """`postern all`: sink.test routed to a relay destination = the sink; no TLS, no auth."""

    def __init__(self, sink_port, workdir):
        self.workdir = workdir
        self.dns = DnsServer("bench.test. 60 IN A 127.0.0.1").start()
        cert = make_self_signed(os.path.join(workdir, "certs"), "bench.postern.test")
        cfg = NodeConfig(workdir, self.dns.address, cert, name="bench",
                         hostname="bench.postern.test")
        cfg.local_domains = ["sink.test"]
        cfg.route(["sink.test"], "sink", {"smtp": {"mode": "relay", "relay": {
            "hosts": [f"127.0.0.1:{sink_port}"], "tls": "none", "auth": "disabled"}}})
        cfg.data["edge"]["listeners"][0]["tls"] = "none"
        self.node = Postern("all", cfg, name="postern-bench")
        self.port = cfg.listener_ports["mx"]

    def start(self):
        self.node.start()
        return self

    def stop(self):
        self.node.stop()
        self.dns.stop()


class PostfixRelay:
    """A private Postfix instance (its own config, queue and data dirs in a temp dir; the
    system's /etc/postfix is not touched) relaying everything to the sink, per BENCH-NOTES:
    loopback only, no DNS, no TLS, no peer name lookups, chroot off, otherwise defaults (it
    fsyncs each queue file before 250)."""

    def __init__(self, sink_port, workdir):
        self.port = free_port()
        self.dir = workdir
        self.conf = os.path.join(workdir, "conf")
        os.chmod(workdir, 0o755)  # postfix's daemons (user postfix) must reach data/ and queue/
        os.makedirs(self.conf)
        for sub in ("queue", "data"):
            os.makedirs(os.path.join(workdir, sub))
        shutil.chown(os.path.join(workdir, "data"), "postfix")
        shutil.copy("/etc/postfix/master.cf", self.conf)
        settings = {
            "compatibility_level": "3.6",
            "queue_directory": os.path.join(workdir, "queue"),
            "data_directory": os.path.join(workdir, "data"),
            "maillog_file_prefixes": workdir,
            "maillog_file": os.path.join(workdir, "maillog"),
            "syslog_name": "postfix-bench",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "mydestination": "",
            "local_recipient_maps": "",
            "relayhost": f"[127.0.0.1]:{sink_port}",
            "smtp_dns_support_level": "disabled",
            "smtpd_peername_lookup": "no",
            "smtpd_tls_security_level": "none",
            "smtp_tls_security_level": "none",
        }
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            for key, value in settings.items():
                f.write(f"{key} = {value}\n")
        self._postconf("-MX", "smtp/inet")
        self._postconf("-M", f"127.0.0.1:{self.port}/inet=127.0.0.1:{self.port} inet n - n - - smtpd")
        self._postconf("-F", "*/*/chroot = n")

    def _postconf(self, *args):
        subprocess.run(["postconf", "-c", self.conf, *args], check=True)

    def start(self):
        run = subprocess.run(["postfix", "-c", self.conf, "start"], capture_output=True,
                             text=True)
        if run.returncode != 0:  # postfix logs why to maillog_file (there is no syslog here)
            raise RuntimeError(f"postfix start failed: {run.stderr}\n{self.maillog()}")
        wait_for_port(self.port, 30)
        return self

    def maillog(self):
        try:
            with open(os.path.join(self.dir, "maillog")) as f:
                return f.read()[-3000:]
        except OSError:
            return "(no maillog)"

    def stop(self):
        subprocess.run(["postfix", "-c", self.conf, "stop"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        # master exits asynchronously; wait until its pid file is gone.
        pid = os.path.join(self.dir, "queue", "pid", "master.pid")
        wait_until(lambda: not os.path.exists(pid) or not _alive(pid), 30, "postfix to stop",
                   interval=0.1)


def _alive(pidfile):
    try:
        with open(pidfile) as f:
            os.kill(int(f.read().strip()), 0)
        return True
    except (OSError, ValueError):
        return False


def temp_dir(prefix):
    return tempfile.mkdtemp(prefix=prefix)
