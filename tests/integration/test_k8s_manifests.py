"""k8s/: every manifest is valid YAML with the promised shape (LoadBalancer on 25/587/465,
grace period longer than the drain, a PVC per router, egress on 25 only for the gateway), every file a
kustomization names exists, and the ConfigMaps' postern.yaml files pass
`postern check-config`."""
import glob
import os
import re
import subprocess
import unittest

import yaml

from support.postern import check_config
from support.testcase import PosternTestCase

SOURCE_DIR = os.environ.get("POSTERN_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(
                                os.path.abspath(__file__)))))
K8S = os.path.join(SOURCE_DIR, "k8s")


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def seconds(duration):
    value, unit = re.fullmatch(r"(\d+)([smhd]?)", str(duration)).groups()
    return int(value) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[unit]


class K8sManifests(PosternTestCase):
    def docs(self, overlay="base"):
        out = []
        for path in sorted(glob.glob(os.path.join(K8S, overlay, "*.yaml"))):
            if not path.endswith("postern.yaml"):  # config files, checked below
                out += load(path)
        return out

    def by_kind(self, docs, kind):
        return {d["metadata"]["name"]: d for d in docs if d.get("kind") == kind}

    def test_base_shape(self):
        docs = self.docs()
        config = load(os.path.join(K8S, "base", "postern.yaml"))[0]
        drain = seconds(config["edge"]["drain_timeout"])

        [edge_svc] = [s for s in self.by_kind(docs, "Service").values()
                      if s["spec"].get("type") == "LoadBalancer"]
        self.assertEqual(sorted(p["port"] for p in edge_svc["spec"]["ports"]), [25, 465, 587])

        edge = self.by_kind(docs, "Deployment")["postern-edge"]
        self.assertGreater(edge["spec"]["template"]["spec"]["terminationGracePeriodSeconds"],
                           drain)
        self.assertIn("postern-edge", {h["spec"]["scaleTargetRef"]["name"] for h in
                                       self.by_kind(docs, "HorizontalPodAutoscaler").values()})

        sets = self.by_kind(docs, "StatefulSet")
        for name in ("postern-router", "postern-gateway"):
            spec = sets[name]["spec"]
            self.assertTrue(spec["volumeClaimTemplates"], name)
            pod = spec["template"]["spec"]
            self.assertGreater(pod["terminationGracePeriodSeconds"], drain)
            self.assertIn("grpc", pod["containers"][0]["readinessProbe"])

        egress25 = {name: any(p.get("port") == 25 and not rule.get("to")
                              for rule in np["spec"].get("egress", [])
                              for p in rule.get("ports", []))
                    for name, np in self.by_kind(docs, "NetworkPolicy").items()}
        self.assertTrue(egress25["postern-gateway-egress"])
        self.assertFalse(egress25["postern-router-egress"])

    def test_dev_overlay_is_one_postern_all(self):
        docs = self.docs(os.path.join("overlays", "dev"))
        [sts] = self.by_kind(docs, "StatefulSet").values()
        self.assertEqual(sts["spec"]["replicas"], 1)
        self.assertEqual(sts["spec"]["template"]["spec"]["containers"][0]["args"][0], "all")

    def test_kustomizations_reference_existing_files(self):
        # kubectl is not a Debian package, so `kubectl kustomize` cannot run in CI; check what
        # it would first: every resource, patch and ConfigMap source a kustomization names
        # exists and parses.
        for overlay in ("base", os.path.join("overlays", "dev")):
            root = os.path.join(K8S, overlay)
            with open(os.path.join(root, "kustomization.yaml")) as f:
                kust = yaml.safe_load(f)
            named = list(kust.get("resources", []))
            named += [p["path"] if isinstance(p, dict) else p
                      for p in kust.get("patches", []) + kust.get("patchesStrategicMerge", [])
                      if not isinstance(p, dict) or "path" in p]
            for gen in kust.get("configMapGenerator", []):
                named += [f.split("=", 1)[-1] for f in gen.get("files", [])]
            self.assertTrue(named, overlay)
            for rel in named:
                with self.subTest(overlay=overlay, file=rel):
                    path = os.path.normpath(os.path.join(root, rel))
                    self.assertTrue(os.path.exists(path), path)
                    if os.path.isfile(path) and path.endswith((".yaml", ".yml")):
                        with open(path) as f:
                            list(yaml.safe_load_all(f))

    def test_configs_pass_check_config(self):
        for rel, pod in (("base/postern.yaml", "postern-router-0"),
                         ("base/postern.yaml", "postern-gateway-0"),
                         ("overlays/dev/postern.yaml", None)):
            with self.subTest(config=rel, pod=pod):
                with open(os.path.join(K8S, rel)) as f:
                    text = f.read()
                if pod:
                    text = text.replace("__POD_NAME__", pod)
                path = os.path.join(self.workdir, f"{pod or 'dev'}.yaml")
                with open(path, "w") as f:
                    f.write(text)
                run = check_config(path, cwd=self.workdir)
                self.assertEqual(run.returncode, 0, run.stdout + run.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
