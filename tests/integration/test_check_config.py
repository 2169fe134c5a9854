"""`postern check-config FILE`: a valid file passes; a broken one is refused (exit 2) with the
file, the key path and the problem (cluster.tls files included: missing, not matching, not
from the CA); `postern all` refuses to start on the same errors. The
postern.yaml that scripts/run-local generates passes."""
import os
import subprocess
import unittest

import yaml

from support.certs import issue_cert, make_ca
from support.postern import POSTERN_BIN, check_config
from support.testcase import PosternTestCase

SOURCE_DIR = os.environ.get("POSTERN_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(
                                os.path.abspath(__file__)))))


class CheckConfig(PosternTestCase):
    def setUp(self):
        super().setUp()
        self.cfg = cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["example.test"], "mailbox", self.maildir_dest())
        cfg.route(["*"], "internet", {"smtp": {"mode": "direct"}})

    def write(self, mutate, name="broken.yaml"):
        data = self.cfg.render()
        mutate(data)
        path = os.path.join(self.workdir, name)
        with open(path, "w") as f:
            yaml.safe_dump(data, f, sort_keys=False)
        return path

    def assert_refused(self, path, *fragments):
        run = check_config(path)
        self.assertEqual(run.returncode, 2, run.stdout + run.stderr)
        message = run.stdout + run.stderr
        self.assertIn(os.path.basename(path), message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return message

    def test_valid_config_passes(self):
        run = check_config(self.cfg.write())
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("OK", run.stdout)

    def test_unknown_key_is_named(self):
        def typo(d):
            d["edge"]["listenrs"] = d["edge"].pop("listeners")
        self.assert_refused(self.write(typo), "edge.listenrs", "unknown key")

    def test_bad_enum_names_the_listener(self):
        def bad(d):
            d["edge"]["listeners"][1]["tls"] = "startls"
        self.assert_refused(self.write(bad), "edge.listeners[1].tls", "startls")

    def test_route_to_a_missing_destination(self):
        def bad(d):
            d["router"]["routes"][0]["to"] = "nowhere"
        self.assert_refused(self.write(bad), "router.routes[0].to", "nowhere")

    def test_port_out_of_range(self):
        def bad(d):
            d["router"]["listen"] = "127.0.0.1:99999"
        self.assert_refused(self.write(bad), "router.listen", "99999")

    def test_yaml_syntax_error_has_a_line(self):
        path = os.path.join(self.workdir, "syntax.yaml")
        with open(path, "w") as f:
            f.write("node:\n  name: [unclosed\ninternet: {}\n")
        message = self.assert_refused(path)
        self.assertRegex(message, r"line \d+")

    def test_cluster_tls_files_are_checked(self):
        pki = os.path.join(self.workdir, "pki")
        ca = make_ca(pki)
        cert, key = issue_cert(ca, pki, "router1")
        other_cert, _ = issue_cert(make_ca(os.path.join(self.workdir, "other")),
                                   os.path.join(self.workdir, "other"), "router1")

        def tls(**files):
            def mutate(d):
                d.setdefault("cluster", {})["tls"] = {"ca": ca[0], "cert": cert, "key": key,
                                                      **files}
            return mutate
        run = check_config(self.write(tls(), "good-tls.yaml"))
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        missing = os.path.join(self.workdir, "no-such.key")
        self.assert_refused(self.write(tls(key=missing)), "cluster.tls.key", missing)
        # A certificate from another CA, with a key that is not its own.
        self.assert_refused(self.write(tls(cert=other_cert)), "cluster.tls.cert")

    def test_server_refuses_to_start_on_a_broken_config(self):
        def bad(d):
            d["edge"]["listeners"][0]["auth"] = "sometimes"
        path = self.write(bad)
        run = subprocess.run([POSTERN_BIN, "all", "--config", path], capture_output=True,
                             text=True, timeout=30, cwd=self.workdir)
        self.assertEqual(run.returncode, 2, run.stdout + run.stderr)
        self.assertIn("edge.listeners[0].auth", run.stdout + run.stderr)

    def test_run_local_config_passes(self):
        quick = os.path.join(self.workdir, "quickstart")
        gen = subprocess.run([os.path.join(SOURCE_DIR, "scripts", "run-local"), "--init-only",
                              "--dir", quick], capture_output=True, text=True, timeout=120,
                             env={**os.environ, "POSTERN_BIN": POSTERN_BIN})
        self.assertEqual(gen.returncode, 0, gen.stdout + gen.stderr)
        for f in ("postern.yaml", "certs/server.pem", "certs/server.key"):
            self.assertTrue(os.path.exists(os.path.join(quick, f)), f)
        run = check_config(os.path.join(quick, "postern.yaml"), cwd=quick)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        with open(os.path.join(quick, "postern.yaml")) as f:
            data = yaml.safe_load(f)
        listeners = {l["name"]: l for l in data["edge"]["listeners"]}
        self.assertEqual(listeners["mx"]["address"], "127.0.0.1:2525")
        self.assertEqual(listeners["submissions"]["tls"], "implicit")
        self.assertTrue(data["directory"]["users"], "the quick start has a user to AUTH as")


if __name__ == "__main__":
    unittest.main(verbosity=2)
