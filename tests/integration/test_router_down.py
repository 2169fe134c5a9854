"""Edge and router as separate processes (`postern edge`, `postern router`). While the router
is down the edge answers 451 4.3.0 at the end of DATA, never 250; when the router is back,
mail flows again."""
import smtplib
import unittest

from support.mail import connect, make_message, submit, wait_for_maildir
from support.net import wait_until
from support.testcase import PosternTestCase


class RouterDown(PosternTestCase):
    def setUp(self):
        super().setUp()
        cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["example.test"], "mailbox", self.maildir_dest())
        self.router = self.start_postern("router", cfg, name="router")
        self.edge = self.start_postern("edge", cfg, name="edge")

    def send(self):
        data, msgid = make_message("someone@sender.test", "gina@example.test")
        client = connect(self.edge.port("mx"))
        try:
            return submit(client, "someone@sender.test", ["gina@example.test"], data)
        finally:
            try:
                client.quit()
            except smtplib.SMTPException:
                pass

    def test_451_while_router_is_down(self):
        code, text = self.send()
        self.assertEqual(code, 250, text)
        wait_for_maildir(f"{self.workdir}/maildir", 1)

        self.assertEqual(self.router.stop(), 0)
        code, text = self.send()
        self.assertEqual(code, 451, text)
        self.assertTrue(text.startswith("4.3.0"), text)
        self.assertTrue(self.edge.running())

        self.router.start()
        # The edge's channel reconnects with backoff: until it does, 451 is the only answer
        # allowed; then 250.
        def accepted():
            code, text = self.send()
            self.assertIn(code, (250, 451), text)
            return code == 250
        wait_until(accepted, 60, "the edge to submit to the restarted router", interval=0.2)
        wait_for_maildir(f"{self.workdir}/maildir", 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
