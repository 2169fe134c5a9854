"""Shared pieces of the benchmarks: paths, a counting smtp-sink, the smtp-source load and a
submission-latency probe, Postern and Postfix set up as a loopback relay to that sink (the fair
comparison in /work/shared/BENCH-NOTES.md)."""
import math
import os
import re
import resource
import shutil
import socket
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
from support.raw_smtp import RawSmtp  # noqa: E402


class CountingSink:
    """Postfix's smtp-sink (-c prints running counters); tells when it has counted N messages."""

    def __init__(self, cond=None):
        """`cond`: a Condition shared by several sinks, for wait_for_total()."""
        self.port = free_port()
        self.count = 0
        self.reached = {}  # count -> monotonic time it was first seen
        self._proc = None
        self._cond = cond or threading.Condition()

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

    def cpu_seconds(self):
        return process_cpu_seconds(self._proc.pid)

    def stop(self):
        if self._proc:
            self._proc.terminate()
            self._proc.wait()


def wait_for_total(sinks, n, timeout):
    """Returns the monotonic time the sinks (sharing one Condition) together counted n."""
    cond = sinks[0]._cond
    with cond:
        if not cond.wait_for(lambda: sum(s.count for s in sinks) >= n, timeout):
            counts = " + ".join(str(s.count) for s in sinks)
            raise TimeoutError(f"sinks counted {counts} of {n} within {timeout}s")
        return time.monotonic()


def relay_destination(sink_port):
    """A router destination relaying everything to the sink: no TLS, no AUTH."""
    return {"smtp": {"mode": "relay", "relay": {
        "hosts": [f"127.0.0.1:{sink_port}"], "tls": "none", "auth": "disabled"}}}


def smtp_source(ports, n, size, sessions, reuse=False):
    """The load: smtp-source, one process per port in `ports` (a port may be listed twice),
    started together, splitting the `n` messages and `sessions` sessions between them, from
    a@bench.test to b@sink.test. Returns (monotonic start, monotonic time the last process
    finished, CPU seconds the smtp-source processes used); raises when one of them fails."""
    procs = []
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    for i, port in enumerate(ports):
        count = n // len(ports) + (1 if i < n % len(ports) else 0)
        sess = max(1, sessions // len(ports) + (1 if i < sessions % len(ports) else 0))
        cmd = ["smtp-source", "-s", str(sess), "-m", str(count), "-l", str(size),
               "-f", "a@bench.test", "-t", "b@sink.test"]
        if reuse:
            cmd.append("-d")
        cmd.append(f"127.0.0.1:{port}")
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      text=True))
    errors = []
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            errors.append(f"{' '.join(proc.args)}: exit {proc.returncode}: {err.strip()}")
    end = time.monotonic()
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if errors:
        raise RuntimeError("smtp-source failed: " + "; ".join(errors))
    cpu = (usage_after.ru_utime - usage_before.ru_utime
           + usage_after.ru_stime - usage_before.ru_stime)
    return start, end, cpu


class LatencyProbe:
    """One more SMTP session beside the load, on its own thread: sends `size`-byte messages
    to b@sink.test one transaction after another over one connection and records, for each,
    the seconds from sending the end-of-data "." to reading the 250. stop() ends it after the
    message in flight; `sent` counts the messages answered 250 (they go to the sink too)."""

    def __init__(self, port, size=1024):
        self.port = port
        text = b"Subject: latency probe\r\n\r\n"
        while len(text) < size:
            text += b"x" * 76 + b"\r\n"
        self.data = text + b".\r\n"
        self.samples = []
        self.sent = 0
        self.error = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def _expect(self, smtp, code, what):
        got, text = smtp.reply()
        if got != code:
            raise RuntimeError(f"latency probe: {what} answered {got} {' '.join(text)}")

    def _run(self):
        smtp = None
        try:
            smtp = RawSmtp(self.port)
            # Without this the final ".\r\n" waits for the ACK of the body (Nagle against
            # the server's delayed ACK): ~40 ms that are the client's, not the server's.
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._expect(smtp, 220, "banner")
            smtp.send(b"EHLO probe.bench.test\r\n")
            self._expect(smtp, 250, "EHLO")
            while not self._stop.is_set():
                smtp.send(b"MAIL FROM:<probe@bench.test>\r\n")
                self._expect(smtp, 250, "MAIL")
                smtp.send(b"RCPT TO:<b@sink.test>\r\n")
                self._expect(smtp, 250, "RCPT")
                smtp.send(b"DATA\r\n")
                self._expect(smtp, 354, "DATA")
                smtp.send(self.data[:-3])
                sent_at = time.monotonic()
                smtp.send(self.data[-3:])
                self._expect(smtp, 250, "end of data")
                self.samples.append(time.monotonic() - sent_at)
                self.sent += 1
            smtp.send(b"QUIT\r\n")
        except Exception as e:  # reported by stop(): a benchmark must not hide a failure
            self.error = e
        finally:
            if smtp is not None:
                smtp.close()

    def stop(self):
        """Ends the probe; returns the monotonic time it finished (raises if it failed)."""
        self._stop.set()
        self._thread.join(60)
        if self.error is not None:
            raise RuntimeError(f"latency probe failed: {self.error}")
        return time.monotonic()


def percentile(values, p):
    """The p-th percentile (nearest rank) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def process_cpu_seconds(pid):
    """User + system CPU seconds a running process has used (from /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_times():
    """(busy, total) CPU jiffies of the whole machine, every core (from /proc/stat): the
    difference of two readings says how busy the machine was in between, whoever used it."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # user nice system idle iowait irq softirq steal (not guest)
    return total - idle, total


class PosternRelay:
    """`postern all`: sink.test routed to a relay destination = the sink; no TLS, no auth."""

    def __init__(self, sink_port, workdir):
        self.workdir = workdir
        self.dns = DnsServer("bench.test. 60 IN A 127.0.0.1").start()
        cert = make_self_signed(os.path.join(workdir, "certs"), "bench.postern.test")
        cfg = NodeConfig(workdir, self.dns.address, cert, name="bench",
                         hostname="bench.postern.test")
        cfg.local_domains = ["sink.test"]
        cfg.route(["sink.test"], "sink", relay_destination(sink_port))
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
