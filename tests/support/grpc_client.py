"""Calls Postern's gRPC services directly from integration tests (python3-grpcio).

    ks = pb("postern/v1/keystore.proto")                 # generated message classes
    client = GrpcClient(f"127.0.0.1:{port}", token)      # "authorization: Bearer <token>"
    reply = client.call("/postern.v1.Keystore/Sign", request, ks.SignReply)

The message classes are generated at test time with `protoc --python_out` from the repo's
proto/ (Debian ships python3-protobuf and protoc, not generated code), into a temporary
directory removed at exit. A failed call raises grpc.RpcError: e.code(), e.details().
"""
import atexit
import functools
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

import grpc

SOURCE_DIR = os.environ.get(
    "POSTERN_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PROTO_DIR = os.path.join(SOURCE_DIR, "proto")


@functools.lru_cache(maxsize=None)
def _generated_dir():
    out = tempfile.mkdtemp(prefix="postern-pb2-")
    atexit.register(shutil.rmtree, out, True)
    return out


@functools.lru_cache(maxsize=None)
def pb(proto):
    """The generated module for `proto` (a path under proto/, e.g. postern/v1/keystore.proto;
    one without imports). Loaded from its file under a private name: the package path
    "postern" would collide with tests/support/postern.py."""
    out = _generated_dir()
    subprocess.run(["protoc", f"--python_out={out}", "-I", PROTO_DIR,
                    os.path.join(PROTO_DIR, proto)], check=True)
    name = "_pb2_" + proto[:-len(".proto")].replace("/", "_")
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(out, proto[:-len(".proto")] + "_pb2.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class GrpcClient:
    """One channel to a Postern gRPC server; `token` goes as bearer metadata. Plaintext, or
    TLS with `credentials` (grpc.ssl_channel_credentials(...), for cluster.tls)."""

    def __init__(self, address, token=None, credentials=None):
        self.address = address
        self.token = token
        self.channel = (grpc.insecure_channel(address) if credentials is None
                        else grpc.secure_channel(address, credentials))

    def call(self, method, request, reply_class, token=None, timeout=30):
        """Unary call of `method` ("/package.Service/Method"); `token` overrides the client's
        (pass "" to send none)."""
        stub = self.channel.unary_unary(method, request_serializer=type(request).SerializeToString,
                                        response_deserializer=reply_class.FromString)
        token = self.token if token is None else token
        metadata = [("authorization", f"Bearer {token}")] if token else []
        return stub(request, metadata=metadata, timeout=timeout)

    def close(self):
        self.channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class KeystoreClient(GrpcClient):
    """postern.v1.Keystore: what a router calls, with the cluster token."""

    def sign(self, digests, token=None):
        """`digests`: [(domain, selector, 32-byte digest)]; returns [(algorithm, signature)]."""
        ks = pb("postern/v1/keystore.proto")
        request = ks.SignRequest(digests=[ks.DigestToSign(domain=d, selector=s, digest=h)
                                          for d, s, h in digests])
        reply = self.call("/postern.v1.Keystore/Sign", request, ks.SignReply, token=token)
        return [(s.algorithm, s.signature) for s in reply.signatures]

    def get_secret(self, name, token=None):
        ks = pb("postern/v1/keystore.proto")
        return self.call("/postern.v1.Keystore/GetSecret", ks.SecretRef(name=name), ks.Secret,
                         token=token)
