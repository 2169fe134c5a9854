"""A bounded submission load on a Cluster (tests/support/cluster.py): several client threads,
each with its own AUTH session to one edge, sending its share of N messages one at a time and
retrying a message (same bytes, same Message-ID) after a failure, as an MTA would.

    load = Load(cluster, total=300, threads=6).start()
    load.wait_acked(100, timeout=60)       # an event: the 100th 250 reply
    ...
    load.join(timeout=120)
    load.acked            # {message_id: (edge, attempts)} of messages answered 250
    load.retried          # {message_id} with a failed attempt before their 250 (or none):
                          # the ones whose first copy may have been queued without our seeing
                          # the 250 (the only source of client-side duplicates)

Threads are spread round-robin over the edges. A failure is any reply but 250 to DATA, a
refused MAIL/RCPT, or a broken connection; the session is then dropped, and the next attempt
opens a new one after `retry_delay` (a client's back-off, not a synchronisation). A message
gives up after `max_attempts` (it is then in `given_up`).
"""
import smtplib
import threading
import time

from .cluster import EDGES, REMOTE, USER
from .mail import make_message, submit


class Load:
    def __init__(self, cluster, total, threads, edges=EDGES, max_attempts=20, retry_delay=0.2,
                 tag="load"):
        self.cluster = cluster
        self.edges = list(edges)
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.messages = []  # (message_id, rcpt, data)
        for i in range(total):
            rcpt = f"{tag}{i}@{REMOTE}"
            data, msgid = make_message(USER, rcpt, subject=f"{tag} {i}")
            self.messages.append((msgid, rcpt, data))
        self.acked = {}
        self.retried = set()
        self.given_up = {}      # message_id -> last error
        self.failures = []      # (seconds since start, edge, error) of every failed attempt
        self._threads = [threading.Thread(target=self._work, args=(i, self.messages[i::threads]),
                                          name=f"load-{i}", daemon=True)
                         for i in range(threads)]
        self._cond = threading.Condition()
        self._running = len(self._threads)
        self._t0 = None
        self.elapsed = None

    def start(self):
        self._t0 = time.monotonic()
        for t in self._threads:
            t.start()
        return self

    def _work(self, index, share):
        try:
            self._send_share(self.edges[index % len(self.edges)], share)
        finally:
            with self._cond:  # wait_acked also ends when every thread is done
                self._running -= 1
                self._cond.notify_all()

    def _send_share(self, edge, share):
        client = None
        for msgid, rcpt, data in share:
            for attempt in range(1, self.max_attempts + 1):
                try:
                    if client is None:
                        client = self.cluster.connect(edge)
                    code, text = submit(client, USER, [rcpt], data)
                    if code == 250:
                        with self._cond:
                            self.acked[msgid] = (edge, attempt)
                            self._cond.notify_all()
                        break
                    error = f"{code} {text}"
                except (smtplib.SMTPException, OSError) as e:
                    error = f"{type(e).__name__}: {e}"
                with self._cond:
                    self.retried.add(msgid)
                    self.failures.append((time.monotonic() - self._t0, edge, error))
                    if attempt == self.max_attempts:
                        self.given_up[msgid] = error
                    self._cond.notify_all()
                if client is not None:
                    try:
                        client.close()
                    except OSError:
                        pass
                    client = None
                time.sleep(self.retry_delay)
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()

    def acked_count(self):
        with self._cond:
            return len(self.acked)

    def wait_acked(self, count, timeout):
        """Waits for `count` 250 replies (or every thread finished); returns the count."""
        with self._cond:
            self._cond.wait_for(lambda: len(self.acked) >= count or self._running == 0, timeout)
            return len(self.acked)

    def alive(self):
        return any(t.is_alive() for t in self._threads)

    def join(self, timeout):
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        if self.alive():
            raise TimeoutError(f"the load's clients did not finish within {timeout}s "
                               f"({self.acked_count()} of {len(self.messages)} acknowledged)")
        self.elapsed = time.monotonic() - self._t0
        return self
