"""Connection reuse and the per-destination connection limit: messages to one relay
destination share SMTP connections (RSET between transactions) instead of opening one each.
The sink counts the TCP connections it accepted and which one carried each message."""
import unittest

from support.mail import connect, make_message, submit
from support.recording_sink import RecordingSink
from support.testcase import PosternTestCase

MESSAGES = 5


class ConnectionReuse(PosternTestCase):
    def start_node(self, sink_idle_timeout=None, **smtp):
        self.sink = RecordingSink(idle_timeout=sink_idle_timeout).start()
        self.addCleanup(self.sink.stop)
        cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        dest = self.sink_dest(self.sink)
        dest["smtp"].update(smtp)
        cfg.route(["example.test"], "store", dest)
        self.node = self.start_postern("all", cfg)

    def submit_one(self, client, i):
        rcpt = f"user{i}@example.test"
        data, msgid = make_message("sender@sender.test", rcpt, subject=f"message {i}")
        code, text = submit(client, "sender@sender.test", [rcpt], data)
        self.assertEqual(code, 250, text)
        return msgid

    def assert_all_arrived(self, msgids):
        msgs = self.sink.wait_for_messages(len(msgids))
        for msgid in msgids:
            self.assertEqual(sum(msgid.encode() in m.data for m in msgs), 1, msgid)
        return msgs

    def test_messages_one_after_another_share_a_connection(self):
        self.start_node()
        client = connect(self.node.port("mx"))
        msgids = []
        for i in range(MESSAGES):
            msgids.append(self.submit_one(client, i))
            self.sink.wait_for_messages(i + 1)  # delivered before the next one is sent
        client.quit()
        msgs = self.assert_all_arrived(msgids)
        used = {m.connection for m in msgs}
        self.assertLess(self.sink.connections, MESSAGES, used)
        self.assertLess(len(used), MESSAGES)

    def test_a_pooled_connection_the_remote_closed_is_replaced(self):
        # The remote drops idle connections after 1s, before the router's own idle timeout
        # (5s): the pooled connection is dead when the next message comes, and the RSET check
        # must notice that and open a new one instead of failing the delivery.
        self.start_node(sink_idle_timeout=1)
        client = connect(self.node.port("mx"))
        first = self.submit_one(client, 0)
        self.sink.wait_for_messages(1)
        self.sink.wait_for_disconnects(1)  # the remote closed the idle, pooled connection
        second = self.submit_one(client, 1)
        client.quit()
        msgs = self.assert_all_arrived([first, second])
        self.assertEqual([m.connection for m in msgs], [1, 2])
        # Delivered on the first attempt: the dead connection cost no retry round.
        self.assertEqual(len(self.sink.rcpts), 2, self.sink.rcpts)

    def test_a_burst_stays_within_max_connections(self):
        self.start_node(max_connections=2)
        client = connect(self.node.port("mx"))
        msgids = [self.submit_one(client, i) for i in range(MESSAGES)]
        client.quit()
        msgs = self.assert_all_arrived(msgids)
        self.assertLessEqual(self.sink.connections, 2, [m.connection for m in msgs])


if __name__ == "__main__":
    unittest.main(verbosity=2)
