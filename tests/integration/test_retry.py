"""4xx then success: the remote defers the first RCPT (451 4.3.0), the router retries on
router.retry.schedule ([1s] here) and the second attempt delivers, exactly once."""
import unittest

from support.mail import connect, make_message, submit
from support.testcase import PosternTestCase


class RetryAfterTemporaryFailure(PosternTestCase):
    def test_451_then_delivered_on_retry(self):
        sink = self.start_sink(defer_first_rcpts=1)
        cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["example.test"], "store", self.sink_dest(sink))
        node = self.start_postern("all", cfg)

        data, msgid = make_message("someone@sender.test", "erin@example.test")
        client = connect(node.port("mx"))
        code, text = submit(client, "someone@sender.test", ["erin@example.test"], data)
        client.quit()
        self.assertEqual(code, 250, text)

        [msg] = sink.wait_for_messages(1, timeout=60)
        self.assertIn(msgid.encode(), msg.data)
        self.assertEqual([r.reply[:3] for r in sink.rcpts], ["451", "250"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
