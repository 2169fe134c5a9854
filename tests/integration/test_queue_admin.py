"""posternctl queue list|show|retry|delete against a running router, with the admin token.
The remote defers every RCPT (451) and the retry schedule is long, so a message waits in the
queue with the remote's reply as its last reply."""
import os
import unittest

from support.mail import connect, make_message, queue_id_from, submit
from support.net import wait_until
from support.postern import posternctl
from support.testcase import PosternTestCase


class QueueAdmin(PosternTestCase):
    def setUp(self):
        super().setUp()
        self.sink = self.start_sink()
        self.sink.defer_all = True
        self.cfg = cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["example.test"], "store", self.sink_dest(self.sink))
        cfg.data["router"]["retry"] = {"schedule": ["1h"], "max_age": "5d"}
        self.node = self.start_postern("all", cfg)

    def ctl(self, *args, ok=True, **kwargs):
        run = posternctl(self.cfg, *args, **kwargs)
        if ok:
            self.assertEqual(run.returncode, 0, f"posternctl {args}: {run.stdout}{run.stderr}")
        return run

    def enqueue_waiting(self, rcpt):
        """Submits a message and waits until its first attempt got the remote's 451."""
        seen = len(self.sink.rcpts)
        data, _ = make_message("ivan@sender.test", rcpt)
        client = connect(self.node.port("mx"))
        code, text = submit(client, "ivan@sender.test", [rcpt], data)
        client.quit()
        self.assertEqual(code, 250, text)
        qid = queue_id_from(text)
        self.sink.wait_for_rcpts(seen + 1)
        wait_until(lambda: "451" in self.ctl("queue", "show", qid).stdout, 30,
                   f"queue show {qid} to report the 451", interval=0.2)
        return qid

    def test_list_and_show_explain_why_a_message_waits(self):
        qid = self.enqueue_waiting("judy@example.test")
        listing = self.ctl("queue", "list").stdout
        self.assertIn(qid, listing)
        self.assertIn("ivan@sender.test", listing)
        shown = self.ctl("queue", "show", qid).stdout
        self.assertIn("judy@example.test", shown)
        self.assertIn("4.3.0", shown)  # the remote's last reply, verbatim

    def test_retry_attempts_now_and_delivers(self):
        qid = self.enqueue_waiting("kim@example.test")
        self.ctl("queue", "retry", qid)
        self.sink.wait_for_rcpts(2)  # attempted again at once, not in an hour
        self.sink.defer_all = False
        self.ctl("queue", "retry", qid)
        [msg] = self.sink.wait_for_messages(1)
        self.assertEqual(msg.rcpt_tos, ["kim@example.test"])
        wait_until(lambda: qid not in self.ctl("queue", "list").stdout, 30,
                   f"{qid} to leave the queue", interval=0.2)

    def test_delete_removes_without_delivery(self):
        qid = self.enqueue_waiting("leo@example.test")
        self.ctl("queue", "delete", qid)
        self.assertNotIn(qid, self.ctl("queue", "list").stdout)
        self.assertNotEqual(self.ctl("queue", "show", qid, ok=False).returncode, 0)
        self.sink.defer_all = False
        self.assertEqual(self.sink.messages, [])

    def test_wrong_token_is_refused(self):
        qid = self.enqueue_waiting("mia@example.test")
        bad = os.path.join(self.workdir, "wrong.token")
        with open(bad, "w") as f:
            f.write("0" * 64 + "\n")
        for args in (("queue", "list"), ("queue", "delete", qid)):
            run = self.ctl(*args, ok=False, token_file=bad)
            self.assertNotEqual(run.returncode, 0, run.stdout)
            self.assertNotIn(qid, run.stdout)
            self.assertRegex((run.stdout + run.stderr).lower(), r"unauthenticated|token")
        self.assertIn(qid, self.ctl("queue", "list").stdout)  # the delete did not happen


if __name__ == "__main__":
    unittest.main(verbosity=2)
