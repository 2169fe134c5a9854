"""k8s/: every manifest is valid YAML with the promised shape (LoadBalancer on 25/587/465,
grace period longer than the drain, a PVC per router, egress on 25 only for the gateway; a
keystore StatefulSet with a PVC and gRPC probes on 7002 whose identity comes from a Secret,
copied 0600 by an initContainer; the cluster token mounted where cluster.token_file points),
every file a kustomization names exists, and the ConfigMaps' postern.yaml files pass
`postern check-config`. The keystore's identity initContainer command is run for real against
a Secret-shaped directory (symlinks, group-readable) and its result loads."""
import glob
import os
import re
import shutil
import stat
import subprocess
import unittest

import yaml

from support.postern import POSTERN_BIN, check_config
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

    def pod_mounts(self, pod, container):
        """{mountPath: volume} of a container, the volume being the pod's volume entry
        ({"pvc": NAME} for a StatefulSet's volumeClaimTemplates)."""
        volumes = {v["name"]: v for v in pod["volumes"]}
        return {m["mountPath"]: volumes.get(m["name"], {"pvc": m["name"]})
                for m in container.get("volumeMounts", [])}

    def test_keystore_statefulset(self):
        docs = self.docs()
        config = load(os.path.join(K8S, "base", "postern.yaml"))[0]
        port = int(config["keystore"]["listen"].rsplit(":", 1)[1])
        self.assertEqual(port, 7002)
        self.assertEqual(config["keystore"]["backend"], "rocksdb")
        self.assertNotIn("dkim", config["router"])  # a commented example only

        sts = self.by_kind(docs, "StatefulSet")["postern-keystore"]["spec"]
        self.assertEqual(sts["replicas"], 1)
        [claim] = sts["volumeClaimTemplates"]
        pod = sts["template"]["spec"]
        [ks] = pod["containers"]
        self.assertEqual(ks["args"][0], "keystore")
        self.assertEqual(pod["securityContext"]["runAsUser"], 10025)
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            self.assertEqual(ks[probe]["grpc"]["port"], port, probe)
        self.assertIn(port, [p["containerPort"] for p in ks["ports"]])
        mounts = self.pod_mounts(pod, ks)
        # RocksDB (<node.data_dir>/keystore) on the PVC.
        data_mount = [m["mountPath"] for m in ks["volumeMounts"]
                      if m["name"] == claim["metadata"]["name"]]
        self.assertEqual(data_mount, [config["node"]["data_dir"]])

        svc = self.by_kind(docs, "Service")["postern-keystore"]["spec"]
        self.assertEqual(svc["clusterIP"], "None")
        self.assertEqual([p["port"] for p in svc["ports"]], [port])
        self.assertEqual(config["cluster"]["keystores"],
                         [f"postern-keystore-0.postern-keystore.postern.svc.cluster.local:{port}"])

        # The identity: keystore.identity lies in an in-memory emptyDir that an initContainer
        # fills from the Secret postern-keystore-identity.
        ident_dir, ident_name = os.path.split(config["keystore"]["identity"])
        self.assertEqual(mounts[ident_dir].get("emptyDir", {}).get("medium"), "Memory")
        [init] = [c for c in pod["initContainers"]
                  if any(m["mountPath"] == ident_dir for m in c.get("volumeMounts", []))]
        init_mounts = self.pod_mounts(pod, init)
        [secret_dir] = [path for path, v in init_mounts.items()
                        if v.get("secret", {}).get("secretName") == "postern-keystore-identity"]
        self.assertIn("0600", " ".join(init["command"]))
        self.run_identity_init(init["command"], secret_dir, ident_dir, ident_name)

        # Tokens: cluster.token_file and admin.token_file from their Secrets.
        for key, secret in (("cluster", "postern-cluster"), ("admin", "postern-admin")):
            token_dir = os.path.dirname(config[key]["token_file"])
            self.assertEqual(mounts[token_dir]["secret"]["secretName"], secret, key)

        # Ingress on 7002 only from routers, the gateway and admin pods (never edges).
        policy = self.by_kind(docs, "NetworkPolicy")["postern-keystore-ingress"]["spec"]
        self.assertEqual(policy["podSelector"]["matchLabels"], {"postern.role": "keystore"})
        [rule] = policy["ingress"]
        self.assertEqual(rule["ports"], [{"protocol": "TCP", "port": port}])
        [selector] = rule["from"]
        [expr] = selector["podSelector"]["matchExpressions"]
        self.assertEqual((expr["key"], expr["operator"]), ("postern.role", "In"))
        self.assertEqual(sorted(expr["values"]), ["admin", "gateway", "router"])
        self.assertEqual(
            self.by_kind(docs, "StatefulSet")["postern-keystore"]["spec"]["template"]
            ["metadata"]["labels"]["postern.role"], "keystore")

    def run_identity_init(self, command, secret_dir, ident_dir, ident_name):
        """Runs the initContainer's shell command with its mount paths moved into the workdir,
        against a directory laid out as the kubelet lays out a Secret volume (the file a
        symlink into ..data, group-readable as under fsGroup): the keystore's loader refuses
        that file as it is, and accepts the copy, with the same public key."""
        made = subprocess.run([POSTERN_BIN, "keystore-identity", "create",
                               os.path.join(self.workdir, "identity.key")],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(made.returncode, 0, made.stderr)
        public_key = re.search(r"^public key: (\S+)$", made.stdout, re.M).group(1)

        secret = os.path.join(self.workdir, "secret")
        target = os.path.join(self.workdir, "identity")
        os.makedirs(os.path.join(secret, "..2026_11_29"))
        os.makedirs(target)
        shutil.copyfile(os.path.join(self.workdir, "identity.key"),
                        os.path.join(secret, "..2026_11_29", ident_name))
        os.chmod(os.path.join(secret, "..2026_11_29", ident_name), 0o440)
        os.symlink("..2026_11_29", os.path.join(secret, "..data"))
        os.symlink(os.path.join("..data", ident_name), os.path.join(secret, ident_name))
        refused = subprocess.run([POSTERN_BIN, "keystore-identity", "show",
                                  os.path.join(secret, ident_name)],
                                 capture_output=True, text=True, timeout=30)
        self.assertEqual(refused.returncode, 1, refused.stdout)

        script = [part.replace(secret_dir, secret).replace(ident_dir, target)
                  for part in command]
        self.assertNotEqual(script, command)
        run = subprocess.run(script, capture_output=True, text=True, timeout=30)
        self.assertEqual(run.returncode, 0, run.stderr)
        copied = os.path.join(target, ident_name)
        self.assertTrue(stat.S_ISREG(os.lstat(copied).st_mode))
        self.assertEqual(stat.S_IMODE(os.stat(copied).st_mode), 0o600)
        shown = subprocess.run([POSTERN_BIN, "keystore-identity", "show", copied],
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn(f"public key: {public_key}\n", shown.stdout)

    def test_routers_mount_the_cluster_token(self):
        docs = self.docs()
        config = load(os.path.join(K8S, "base", "postern.yaml"))[0]
        token_dir = os.path.dirname(config["cluster"]["token_file"])
        sets = self.by_kind(docs, "StatefulSet")
        for name in ("postern-router", "postern-gateway", "postern-keystore"):
            with self.subTest(workload=name):
                pod = sets[name]["spec"]["template"]["spec"]
                volume = self.pod_mounts(pod, pod["containers"][0])[token_dir]
                self.assertEqual(volume["secret"]["secretName"], "postern-cluster")
                self.assertEqual(volume["secret"].get("defaultMode"), 0o400)
        # Edges do not talk to the keystore: no cluster token there.
        edge = self.by_kind(docs, "Deployment")["postern-edge"]["spec"]["template"]["spec"]
        self.assertNotIn(token_dir, self.pod_mounts(edge, edge["containers"][0]))

    def test_dev_overlay_is_one_postern_all(self):
        docs = self.docs(os.path.join("overlays", "dev"))
        [sts] = self.by_kind(docs, "StatefulSet").values()
        self.assertEqual(sts["spec"]["replicas"], 1)
        self.assertEqual(sts["spec"]["template"]["spec"]["containers"][0]["args"][0], "all")
        # The keystore in the same pod keeps its identity on the PVC (created on first start).
        config = load(os.path.join(K8S, "overlays", "dev", "postern.yaml"))[0]
        [claim] = sts["spec"]["volumeClaimTemplates"]
        [pvc_mount] = [m["mountPath"] for m in
                       sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
                       if m["name"] == claim["metadata"]["name"]]
        self.assertTrue(config["keystore"]["identity"].startswith(pvc_mount + "/"))
        self.assertEqual(config["cluster"]["keystores"], [config["keystore"]["listen"]])

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
                         ("base/postern.yaml", "postern-keystore-0"),
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
