"""Issue 6's cluster scenarios, run by test_cluster_netns.py (hosts in network namespaces, the
internet reachable only from the gateway, mTLS between roles) and test_cluster_loopback.py
(every host on 127.0.0.1, plaintext gRPC): one Cluster (tests/support/cluster.py) per test
class, four scenarios in order, each first bringing every node back up.

1. Mail submitted to both edges for remote.test arrives at the remote MX through the gateway
   (router2, node "gw"; router1 forwards to it): every message exactly once, with exactly one
   DKIM signature per selector (signed once, by whichever router took it), both verifying with
   dkimpy against the TXT records the internet's DNS serves; the MX saw the gateway's EHLO name
   (and in netns mode its WAN address); the gateway's log has every recipient as sent, and
   router1, which took some of the messages (their queue ids are in its log), logged each of
   those as forwarded to gw and none as delivered itself.
2. A bounded load (300 messages, 6 client threads, both edges; a client retries a failed
   message with the same Message-ID, as an MTA would): router1 is killed -9 after 100
   acknowledgements and restarted after 100 more. Every acknowledged message arrives (counted
   by Message-ID), signed once, through the gateway. Duplicates are printed; each must be a
   message whose acknowledgement may have been lost in the crash: one a client retried, or
   one an edge re-submitted to the gateway after router1 broke off the Submit call (router1
   may have stored it: it forwards it after its restart). The routers add none of their own:
   a re-forward after a lost Forward ack is deduplicated by the gateway.
3. The gateway is stopped; messages submitted meanwhile are acknowledged (the edges fail over
   to router1) and wait on router1 (`posternctl queue list` shows them pending, attempted,
   every last reply "forward to gw (...): unavailable"); none reaches the MX. The gateway is
   started: all of them drain (awaited with a deadline).
4. One etcd member stopped: a DKIM key is created through ks1 (whose first etcd endpoint is
   the stopped member), every keystore replica signs with it (verified against its exported
   record), and mail keeps arriving signed with the configured selectors.

Timings and counts are printed as "[ cluster MODE ] ..." lines.
"""
import collections
import hashlib
import os
import re
import shutil
import sys
import tempfile
import time
import uuid

import dkim

from support.certs import make_self_signed
from support.cluster import (DOMAIN, EDGES, GATEWAY, HOSTNAMES, KEYSTORES, REMOTE, SELECTORS,
                             USER, Cluster)
from support.cluster_load import Load
from support.keymgmt import verify_dkim_signature
from support.mail import make_message, queue_id_from, submit
from support.net import wait_until
from support.netlab import Lab
from test_dkim_signing import signature_fields, tag

GATEWAY_HELO = HOSTNAMES["router2"]
ARRIVAL_TIMEOUT = 60  # after the last 250 (the scenarios' own mail is delivered in seconds)
# A router's delivery log line; a forward to the gateway is "relay=gw (host:port)".
SENT = re.compile(r"to=<([^>]+)> relay=(.+?) attempts=\d+ status=sent")
# An edge re-submitting a transaction to the next router after the first one broke off.
EDGE_RETRY = re.compile(r"\] (\S+): router \S+ unavailable \(.*\); trying ")
RECEIVED_ID = re.compile(rb"\(Postern\) with E?SMTP\w* id (\S+)")
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.M | re.I)


def message_id(data):
    head = data.split(b"\r\n\r\n", 1)[0]
    m = MESSAGE_ID.search(head)
    return m.group(1).decode() if m else None


class Arrivals:
    """The remote MX's messages indexed by Message-ID, read incrementally as they come."""

    def __init__(self, sink):
        self.sink = sink
        self.seen = 0
        self.by_id = collections.defaultdict(list)

    def _take(self):
        for m in self.sink.messages_from(self.seen):
            self.by_id[message_id(m.data)].append(m)
            self.seen += 1

    def wait_for(self, msgids, timeout=ARRIVAL_TIMEOUT):
        """Waits until every Message-ID in `msgids` arrived at least once; returns
        {msgid: [copies]} for them. Raises AssertionError naming how many are missing."""
        deadline = time.monotonic() + timeout
        while True:
            self._take()
            missing = [i for i in msgids if i not in self.by_id]
            if not missing:
                return {i: list(self.by_id[i]) for i in msgids}
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{len(missing)} of {len(msgids)} message(s) never arrived "
                                     f"at the remote MX within {timeout}s (e.g. {missing[:3]})")
            try:
                self.sink.wait_for_message_count(self.seen + 1, timeout=remaining)
            except TimeoutError:
                pass

    def count(self):
        """Messages arrived so far (copies included)."""
        self._take()
        return self.seen

    def copies(self, msgid):
        self._take()
        return list(self.by_id.get(msgid, []))


class ClusterScenarios:
    """Mixin for unittest.TestCase: MODE = "netns" | "loopback"; MTLS: cluster.tls on every
    gRPC hop."""

    MODE = None
    MTLS = False

    @classmethod
    def setUpClass(cls):
        cls.started = time.monotonic()
        cls.certdir = tempfile.mkdtemp(prefix="postern-cluster-certs-")
        cls.cert = make_self_signed(cls.certdir, "mx.postern.test")
        cls.lab = Lab(cls.MODE)
        cls.lab.__enter__()
        cls.cluster = Cluster(cls.lab, cls.cert, mtls=cls.MTLS)
        try:
            cls.cluster.start()
        except BaseException:
            cls.lab.dump()
            cls._teardown()
            raise
        cls.arrivals = Arrivals(cls.cluster.sink)
        cls.txt_cache = {}
        cls.report(f"cluster up in {time.monotonic() - cls.started:.1f}s")

    @classmethod
    def tearDownClass(cls):
        cls._teardown()
        cls.report(f"whole run incl. teardown {time.monotonic() - cls.started:.1f}s")

    @classmethod
    def _teardown(cls):
        try:
            try:
                cls.cluster.close()
            finally:
                cls.lab.__exit__(None, None, None)
        finally:
            shutil.rmtree(cls.certdir, ignore_errors=True)

    @classmethod
    def report(cls, text):
        sys.stderr.write(f"[ cluster {cls.MODE} ] {text}\n")

    def setUp(self):
        self.t0 = time.monotonic()
        self.cluster.ensure_running()

    def tearDown(self):
        self.report(f"{self.id().rsplit('.', 1)[-1]} took {time.monotonic() - self.t0:.1f}s")

    # -- checks --
    def dnsfunc(self, name, timeout=5):
        key = (name.decode() if isinstance(name, bytes) else name).rstrip(".").lower()
        if key not in self.txt_cache:
            self.txt_cache[key] = self.cluster.dkim_txt(key)
        return self.txt_cache[key]

    def assert_signed_once(self, data, what):
        """Exactly one DKIM-Signature per configured selector, d=example.test, each verifying
        with dkimpy against the internet's DNS."""
        fields = signature_fields(data)
        self.assertEqual(sorted(tag(f, "s") for f in fields), sorted(SELECTORS),
                         f"{what}: DKIM-Signature selectors {fields}")
        self.assertEqual({tag(f, "d") for f in fields}, {DOMAIN}, what)
        verifier = dkim.DKIM(data, minkey=1024)
        for i in range(len(fields)):
            try:
                ok = verifier.verify(idx=i, dnsfunc=self.dnsfunc)
            except dkim.ValidationError as e:
                ok = f"ValidationError: {e}"
            self.assertIs(ok, True, f"{what}: signature {i} ({tag(fields[i], 's')}) does not "
                                    f"verify with dkimpy")

    def assert_via_gateway(self, m, what):
        self.assertEqual(m.helo, GATEWAY_HELO, f"{what} was not delivered by the gateway")
        if self.lab.isolated:
            self.assertEqual(m.peer, self.lab.address_for("router2", "internet"), what)

    def sent_by(self, router, forwarded=False):
        """Recipients `router` logged as sent: delivered itself, or (forwarded=True) handed to
        the gateway."""
        to_gateway = f"{GATEWAY} ("
        return {rcpt for rcpt, relay in SENT.findall(self.cluster.node(router).log_text())
                if relay.startswith(to_gateway) == forwarded}

    def assert_gateway_sent(self, rcpts, what):
        """The gateway's log has every recipient as sent, router1's none of them (it may have
        forwarded them). Returns the ones router1 forwarded."""
        self.assertEqual(set(rcpts) - self.sent_by("router2"), set(),
                         f"{what}: recipients the gateway did not log as sent")
        self.assertEqual(set(rcpts) & self.sent_by("router1"), set(),
                         f"{what}: recipients router1 delivered itself")
        return set(rcpts) & self.sent_by("router1", forwarded=True)

    def wait_arrivals(self, msgids, timeout=ARRIVAL_TIMEOUT):
        """Arrivals.wait_for; a failure shows both routers' queues (why mail waits)."""
        try:
            return self.arrivals.wait_for(msgids, timeout)
        except AssertionError as e:
            queues = "".join(f"\n--- queue list on {r} ---\n"
                             + "\n".join(self.cluster.queue_list(r).stdout.splitlines()[:12])
                             for r in ("router1", "router2") if self.cluster.node(r).running())
            raise AssertionError(f"{e}{queues}") from None

    def submit_each(self, edge, count, tag_):
        """`count` messages through one AUTH session to `edge`: {msgid: (queue id, rcpt)}."""
        client = self.cluster.connect(edge)
        out = {}
        try:
            for i in range(count):
                rcpt = f"{tag_}-{edge}-{i}@{REMOTE}"
                data, msgid = make_message(USER, rcpt, subject=f"{tag_} {edge} {i}")
                code, text = submit(client, USER, [rcpt], data)
                self.assertEqual(code, 250, f"{edge}: {text}")
                out[msgid] = (queue_id_from(text), rcpt)
        finally:
            client.quit()
        return out

    # -- the scenarios --
    def test_1_mail_arrives_through_the_gateway_signed_once(self):
        c = self.cluster
        sent = {}
        for edge in EDGES:
            sent.update(self.submit_each(edge, 10, "s1"))
        t0 = time.monotonic()
        arrived = self.wait_arrivals(sent)
        self.report(f"scenario 1: {len(sent)} messages arrived "
                    f"{time.monotonic() - t0:.2f}s after the last 250")
        for msgid, copies in arrived.items():
            self.assertEqual(len(copies), 1, f"{msgid} arrived {len(copies)} times")
            self.assert_via_gateway(copies[0], msgid)
            self.assert_signed_once(copies[0].data, msgid)
        forwarded = self.assert_gateway_sent([rcpt for _, rcpt in sent.values()], "scenario 1")
        # The edges spread over both routers: some messages were router1's (their queue ids
        # are in its log), and it forwarded those to the gateway.
        router1_log = c.node("router1").log_text()
        taken = {rcpt for qid, rcpt in sent.values() if f"{qid}:" in router1_log}
        self.report(f"scenario 1: router1 queued {len(taken)} of {len(sent)} and forwarded "
                    f"{len(forwarded)} to the gateway")
        self.assertTrue(taken, "router1 took none of the messages: forwarding is not exercised")
        self.assertEqual(forwarded, taken, "router1 did not log a forward to the gateway for "
                                           "every message it took")

    def test_2_kill_router1_under_load_loses_nothing(self):
        c = self.cluster
        load = Load(c, total=300, threads=6, tag="s2").start()
        acked = load.wait_acked(100, timeout=120)
        self.assertGreaterEqual(acked, 100, "the load stalled before router1 was killed")
        c.node("router1").kill()
        t_kill = time.monotonic()
        self.report(f"scenario 2: router1 killed -9 at {acked} acknowledged")
        acked_down = load.wait_acked(acked + 100, timeout=60)
        c.start_node("router1")
        self.report(f"scenario 2: router1 restarted after {time.monotonic() - t_kill:.1f}s, "
                    f"{acked_down - acked} acknowledged while it was down")
        self.assertGreater(acked_down, acked, "nothing was acknowledged while router1 was down")
        load.join(timeout=180)
        self.report(f"scenario 2: {len(load.acked)} of {len(load.messages)} acknowledged in "
                    f"{load.elapsed:.1f}s, {len(load.failures)} failed attempt(s) on "
                    f"{len(load.retried)} message(s), {len(load.given_up)} given up")
        for when, edge, error in load.failures[:10]:
            self.report(f"scenario 2:   failed attempt at {when:.1f}s via {edge}: {error}")
        self.assertEqual(load.given_up, {}, "messages never acknowledged")

        t0 = time.monotonic()
        recovered = re.findall(r"queue recovered: (\d+) message", c.node("router1").log_text())
        self.report(f"scenario 2: router1 recovered {recovered[-1:]} pending message(s) at "
                    f"its restart")
        arrived = self.wait_arrivals(list(load.acked), timeout=90)
        self.report(f"scenario 2: every acknowledged message arrived, "
                    f"{time.monotonic() - t0:.1f}s after the last 250")
        # Anything still on its way (a copy of a retried message) lands before we count.
        self.wait_queues_empty()
        duplicates = {}  # msgid -> (rcpt, copies)
        # A duplicate is allowed only where an acknowledgement may have been lost in the crash:
        # a client retried the message, or an edge re-submitted its transaction (the edge's
        # transaction id is in its Received field) to the gateway after router1 broke off the
        # call, possibly after storing it.
        edge_retries = set()
        for edge in EDGES:
            edge_retries |= set(EDGE_RETRY.findall(c.node(edge).log_text()))
        unexplained = []
        for msgid, rcpt, _ in load.messages:
            copies = self.arrivals.copies(msgid)
            if len(copies) > 1:
                duplicates[msgid] = (rcpt, len(copies))
                ids = {i.decode() for m in copies for i in RECEIVED_ID.findall(
                    m.data.split(b"\r\n\r\n", 1)[0])}
                if msgid not in load.retried and not ids & edge_retries:
                    unexplained.append((rcpt, sorted(ids)))
        self.report(f"scenario 2: duplicates: {len(duplicates)} message(s) arrived more than "
                    f"once ({sum(n for _, n in duplicates.values()) - len(duplicates)} extra "
                    f"copies): {sorted(duplicates.values())}; {len(load.retried)} message(s) "
                    f"retried by a client, {len(edge_retries)} transaction(s) re-submitted by "
                    f"an edge")
        self.assertEqual(unexplained, [], "message(s) arrived twice although neither a client "
                                          "nor an edge retried them (recipient, edge ids)")
        for msgid, copies in arrived.items():
            for m in copies:
                self.assert_via_gateway(m, msgid)
                self.assert_signed_once(m.data, msgid)
        forwarded = self.assert_gateway_sent([rcpt for _, rcpt, _ in load.messages],
                                             "scenario 2")
        self.report(f"scenario 2: router1 forwarded {len(forwarded)} of the messages")

    def wait_queues_empty(self, timeout=60):
        for router in ("router1", "router2"):
            wait_until(lambda: "Mail queue is empty" in self.cluster.queue_list(router).stdout,
                       timeout, f"{router}'s queue to be empty", interval=0.25)

    def test_3_gateway_down_mail_waits_then_drains(self):
        c = self.cluster
        c.stop_node("router2")
        before = self.arrivals.count()
        load = Load(c, total=10, threads=2, tag="s3").start().join(timeout=60)
        self.assertEqual(len(load.acked), 10, f"not acknowledged with the gateway down: "
                                              f"{load.given_up}")
        rcpts = [rcpt for _, rcpt, _ in load.messages]

        def waiting():
            out = c.queue_list("router1").stdout
            attempted = [r for r in rcpts if re.search(
                rf"{re.escape(r)}  pending, destination internet, [1-9]\d* attempts?", out)]
            return out if len(attempted) == len(rcpts) else None
        listing = wait_until(waiting, 60, "router1 to list the messages as attempted and "
                             "pending", interval=0.25)  # each round runs posternctl
        replies = sorted(set(re.findall(r"^ {8}\((.*)\)$", listing, re.M)))
        self.report(f"scenario 3: queue list on router1 says: {replies}")
        self.assertTrue(replies and all(f"forward to {GATEWAY} (" in r for r in replies),
                        f"router1's queue does not say the mail waits for the gateway: "
                        f"{replies}")
        self.assertEqual(self.arrivals.count(), before, "mail reached the MX without the gateway")

        t0 = time.monotonic()
        c.start_node("router2")
        arrived = self.wait_arrivals(list(load.acked))
        self.report(f"scenario 3: {len(arrived)} waiting messages drained "
                    f"{time.monotonic() - t0:.1f}s after the gateway started")
        for msgid, copies in arrived.items():
            self.assertEqual(len(copies), 1, msgid)
            self.assert_via_gateway(copies[0], msgid)
            self.assert_signed_once(copies[0].data, msgid)
        self.assertEqual(self.assert_gateway_sent(rcpts, "scenario 3"), set(rcpts),
                         "router1 did not log the forward of every waiting message")

    def test_4_etcd_member_down_signing_and_key_creation_continue(self):
        c = self.cluster
        c.etcd.stop_members(0)
        try:
            selector = "k" + uuid.uuid4().hex[:8]
            t0 = time.monotonic()
            c.keymgmt_ok("ks1", "create", "dkim", DOMAIN, selector, "ed25519")
            self.report(f"scenario 4: key created with etcd1 down in "
                        f"{time.monotonic() - t0:.2f}s")
            key_type, p = c.published_key("ks1", DOMAIN, selector)
            digest = hashlib.sha256(os.urandom(32)).digest()
            for ks in KEYSTORES:
                errors = []

                def signed(ks=ks):
                    try:
                        return c.sign(ks, DOMAIN, selector, digest)
                    except RuntimeError as e:  # NOT_FOUND until the replica followed
                        errors[:] = [str(e)]
                        return None
                try:
                    algorithm, signature = wait_until(
                        signed, 15, f"{ks} to sign with {selector}", interval=0.2)
                except TimeoutError as e:
                    raise AssertionError(f"{e}; last error: {errors}") from None
                verify_dkim_signature(p, key_type, algorithm, signature, digest)
            sent = {}
            for edge in EDGES:
                sent.update(self.submit_each(edge, 2, "s4"))
            for msgid, copies in self.wait_arrivals(sent).items():
                self.assertEqual(len(copies), 1, msgid)
                self.assert_signed_once(copies[0].data, msgid)
        finally:
            c.etcd.start_members(0)
