"""Health-checked load balancing of an edge over two routers (issue 6): one `postern edge`,
two `postern router` processes relaying to one sink, cluster.health_check_interval 200ms.

Under a steady bounded load (200 messages from 4 SMTP clients) router r1 is killed with
SIGKILL once 70 messages were acknowledged. Then:
- every message that got 250 reaches the sink (r1's queued ones after its restart), so no
  client got a 250 for a message that was not stored; duplicates are counted and reported,
  and each must be a message r1 held when it was killed (stored but its OK lost, so the edge
  stored it on r2 too; or delivered but not yet marked delivered: at-least-once);
- the edge marks r1 unreachable (its log says so) and stops trying it: only submissions
  already on their way to r1 fail over (one log line each), not every other message;
- r1 restarted is marked serving again by the health check and gets traffic again (queue
  ids name the router that stored the message)."""
import os
import re
import threading
import time
import unittest

from support.mail import connect, make_message, queue_id_from, submit
from support.net import LOOPBACK, wait_until
from support.postern import NodeConfig, Postern
from support.testcase import PosternTestCase

DOMAIN = "example.test"
CLIENTS = 4
PER_CLIENT = 50
KILL_AFTER = 70


def node_hash(name):
    """The 4 characters a router's queue ids carry for its node name (router/queue_id.cc)."""
    h = 2166136261
    for c in name.encode():
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    v = (h ^ (h >> 20)) & 0xFFFFF
    digits = "0123456789abcdefghijklmnopqrstuv"
    return "".join(digits[(v >> (5 * i)) & 31] for i in range(3, -1, -1))


def router_of(queue_id):
    return {node_hash("r1"): "r1", node_hash("r2"): "r2"}.get(queue_id[9:13], "?")


class Load:
    """CLIENTS threads, each sending PER_CLIENT messages over one SMTP session (reconnecting
    after a failure). Records each message's Message-ID with its reply."""

    def __init__(self, port, count_per_client, start_index=0):
        self.port = port
        self.per_client = count_per_client
        self.start_index = start_index
        self.lock = threading.Lock()
        self.acked = {}     # msgid -> queue id (250)
        self.failed = {}    # msgid -> reply or exception text
        self.acked_event = threading.Event()
        self.kill_after = None

    def run(self, clients):
        threads = [threading.Thread(target=self.client, args=(n,)) for n in range(clients)]
        for t in threads:
            t.start()
        return threads

    def client(self, n):
        smtp = None
        for i in range(self.per_client):
            data, msgid = make_message(f"sender{n}@client.test", f"bob@{DOMAIN}",
                                       subject=f"load {self.start_index + n}-{i}")
            try:
                if smtp is None:
                    smtp = connect(self.port)
                code, text = submit(smtp, f"sender{n}@client.test", [f"bob@{DOMAIN}"], data)
            except Exception as e:  # noqa: BLE001 - any failure counts as "not acknowledged"
                code, text = None, repr(e)
                smtp = None
            with self.lock:
                if code == 250:
                    self.acked[msgid] = queue_id_from(text)
                    if self.kill_after is not None and len(self.acked) >= self.kill_after:
                        self.acked_event.set()
                else:
                    self.failed[msgid] = f"{code} {text}"
        if smtp is not None:
            try:
                smtp.quit()
            except Exception:  # noqa: BLE001
                pass


class RouterFailover(PosternTestCase):
    def router(self, name, sink):
        cfg = NodeConfig(self.path(name), self.dns.address, self.cert, name=name)
        cfg.local_domains = [DOMAIN]
        cfg.route([DOMAIN], "out", self.sink_dest(sink))
        return cfg

    def path(self, name):
        d = os.path.join(self.workdir, name)
        os.makedirs(d, exist_ok=True)
        return d

    def test_kill_one_router_under_load(self):
        sink = self.start_sink()
        r1_cfg, r2_cfg = self.router("r1", sink), self.router("r2", sink)
        r1 = self.start_postern("router", r1_cfg, name="postern-r1")
        self.start_postern("router", r2_cfg, name="postern-r2")
        r1_address = f"{LOOPBACK}:{r1_cfg.router_port}"
        r2_address = f"{LOOPBACK}:{r2_cfg.router_port}"

        edge_cfg = NodeConfig(self.path("edge"), self.dns.address, self.cert, name="edge")
        edge_cfg.local_domains = [DOMAIN]
        edge_cfg.data["cluster"] = {"routers": [r1_address, r2_address],
                                    "health_check_interval": "200ms"}
        edge = self.start_postern("edge", edge_cfg, name="postern-edge")
        wait_until(lambda: all(f"router {a} is serving" in edge.log_text()
                               for a in (r1_address, r2_address)),
                   10, "the edge to see both routers serving")

        # 200 messages; r1 is killed once 70 were acknowledged.
        load = Load(edge.port("mx"), PER_CLIENT)
        load.kill_after = KILL_AFTER
        threads = load.run(CLIENTS)
        self.assertTrue(load.acked_event.wait(60), "70 messages acknowledged")
        r1.kill()
        killed_at = time.monotonic()
        for t in threads:
            t.join(120)
        acked, failed = dict(load.acked), dict(load.failed)
        summary = (f"{len(acked)} acknowledged, {len(failed)} not "
                      f"({sorted(set(failed.values()))[:3]})")
        print(f"\nload: {summary}")

        # The edge marked r1 and stopped trying it: only calls already under way failed over.
        log = edge.log_text()
        marked = re.search(rf"router {re.escape(r1_address)} is unreachable[^\n]*", log)
        self.assertIsNotNone(marked, "the edge never marked r1 unreachable")
        print(f"edge: {marked.group(0)}")
        failovers = len(re.findall(rf"router {re.escape(r1_address)} unavailable", log))
        after_kill = [q for q in acked.values() if router_of(q) == "r2"]
        print(f"failovers logged: {failovers}; messages stored by r2: {len(after_kill)}")
        self.assertLessEqual(failovers, CLIENTS + 2, "the edge kept trying the dead router")
        self.assertGreaterEqual(len(acked), CLIENTS * PER_CLIENT - CLIENTS,
                                f"too many messages refused: {summary}")
        stored_by = {"r1": 0, "r2": 0, "?": 0}
        for q in acked.values():
            stored_by[router_of(q)] += 1
        self.assertGreater(stored_by["r1"], 0)
        self.assertGreater(stored_by["r2"], 0)

        # r1 comes back: the health check notices, and r1 gets traffic again.
        r1 = Postern("router", r1_cfg, name="postern-r1")
        self.addCleanup(r1.close)
        r1.start()
        back = wait_until(lambda: re.compile(
            rf"router {re.escape(r1_address)} is serving \(was unreachable; health check\)").search(
            edge.log_text(), marked.end()), 15, "the edge to see r1 serving again")
        print(f"r1 restarted and marked serving {time.monotonic() - killed_at:.1f}s after "
              f"the kill ({back.group(0)})")
        more = Load(edge.port("mx"), 10, start_index=100)
        for t in more.run(2):
            t.join(60)
        self.assertEqual(len(more.acked), 20, more.failed)
        after = [router_of(q) for q in more.acked.values()]
        self.assertIn("r1", after, "the restarted router got no traffic")
        self.assertIn("r2", after)
        acked.update(more.acked)

        # Every acknowledged message arrives (r1's queue survived SIGKILL); count duplicates.
        def delivered():
            ids = [re.search(rb"^Message-ID: (<[^>]+>)", m.data, re.M | re.I).group(1).decode()
                   for m in sink.messages]
            return ids if set(acked) <= set(ids) else None
        ids = wait_until(delivered, 30, f"all {len(acked)} acknowledged messages at the sink")
        duplicates = len(ids) - len(set(ids))
        unacked_delivered = len(set(ids) - set(acked))
        print(f"sink: {len(ids)} messages, {len(set(ids))} distinct, {duplicates} duplicates, "
              f"{unacked_delivered} delivered without a 250")
        # A duplicate can only be a message r1 held when it was killed: stored but its OK lost
        # (the edge then stored it on r2), or delivered but not yet marked so (at-least-once).
        held = re.findall(r"queue recovered: (\d+) message", r1.log_text())
        print(f"r1 held {held[-1]} message(s) across the kill")
        self.assertLessEqual(duplicates, int(held[-1]))
        self.assertLessEqual(set(ids) - set(acked), set(failed))


if __name__ == "__main__":
    unittest.main(verbosity=2)
