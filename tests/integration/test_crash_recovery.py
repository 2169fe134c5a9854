"""Durability: `kill -9` of postern right after the 250 loses nothing.

The destination is down while the messages are accepted (connection refused: a temporary
failure), so every acknowledged message is still only in the router's queue when the process
is killed. After a restart with the same data directory, and with the destination up, every
one of them is delivered."""
import concurrent.futures
import unittest

from support.mail import connect, make_message, queue_id_from, submit
from support.net import free_port
from support.sinks import Sink
from support.testcase import PosternTestCase

MESSAGES = 12
SESSIONS = 4


class KillNineAfter250(PosternTestCase):
    def send_batch(self, port, count, tag):
        client = connect(port)
        ids = []
        for i in range(count):
            data, msgid = make_message("someone@sender.test", "frank@example.test",
                                       subject=f"{tag}-{i}")
            code, text = submit(client, "someone@sender.test", ["frank@example.test"], data)
            self.assertEqual(code, 250, text)
            ids.append((msgid, queue_id_from(text)))
        client.quit()
        return ids

    def test_acknowledged_messages_survive_kill_9(self):
        sink_port = free_port()  # nothing listens there yet
        cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["example.test"], "store", {"smtp": {"mode": "relay", "relay": {
            "hosts": [f"127.0.0.1:{sink_port}"], "tls": "none", "auth": "disabled"}}})
        node = self.start_postern("all", cfg)

        # Concurrent sessions, so acknowledgements from a shared (group) commit are covered.
        with concurrent.futures.ThreadPoolExecutor(SESSIONS) as pool:
            batches = pool.map(lambda n: self.send_batch(node.port("mx"), MESSAGES // SESSIONS,
                                                         f"s{n}"), range(SESSIONS))
            accepted = [m for batch in batches for m in batch]
        node.kill()  # SIGKILL: no drain, no flush
        self.assertEqual(len(accepted), MESSAGES)
        self.assertEqual(len({qid for _, qid in accepted}), MESSAGES, "queue ids must be unique")

        sink = Sink(port=sink_port).start()
        self.addCleanup(sink.stop)
        node.start()
        sink.wait_for_messages(MESSAGES, timeout=90)
        delivered = {m.data.split(b"Message-ID: ")[1].split(b"\r\n")[0].decode()
                     for m in sink.messages}
        self.assertEqual(delivered, {msgid for msgid, _ in accepted})


if __name__ == "__main__":
    unittest.main(verbosity=2)
