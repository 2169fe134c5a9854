"""Self-signed test certificates made with the openssl CLI at test time (nothing checked in)."""
import os
import ssl
import subprocess


def make_self_signed(directory, cn="localhost"):
    """Writes <directory>/<cn>.pem and .key (RSA 2048, 2 days); returns (cert_path, key_path)."""
    os.makedirs(directory, exist_ok=True)
    cert = os.path.join(directory, f"{cn}.pem")
    key = os.path.join(directory, f"{cn}.key")
    if not (os.path.exists(cert) and os.path.exists(key)):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", f"/CN={cn}", "-addext", f"subjectAltName=DNS:{cn},IP:127.0.0.1",
             "-keyout", key, "-out", cert],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def server_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def client_context_no_verify():
    """What an MTA does by default (RFC 7435 opportunistic TLS): encrypt, do not verify."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


# -- A test CA for mTLS between roles (cluster.tls, issue 6) --

def make_ca(directory, cn="Postern Test CA"):
    """A P-256 CA in `directory` (ca.pem, ca.key; 2 days); returns (cert_path, key_path)."""
    os.makedirs(directory, exist_ok=True)
    cert = os.path.join(directory, "ca.pem")
    key = os.path.join(directory, "ca.key")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "2", "-subj", f"/CN={cn}",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign",
         "-keyout", key, "-out", cert],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def issue_cert(ca, directory, cn, dns_names=(), ips=("127.0.0.1",)):
    """A P-256 certificate for `cn` signed by `ca` ((cert, key) from make_ca), usable as TLS
    server and client, with SAN DNS `dns_names` and IP `ips`. Writes <directory>/<cn>.pem and
    .key; returns (cert_path, key_path)."""
    os.makedirs(directory, exist_ok=True)
    cert = os.path.join(directory, f"{cn}.pem")
    key = os.path.join(directory, f"{cn}.key")
    csr = os.path.join(directory, f"{cn}.csr")
    ext = os.path.join(directory, f"{cn}.ext")
    san = ",".join([f"DNS:{d}" for d in dns_names] + [f"IP:{i}" for i in ips])
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "extendedKeyUsage=serverAuth,clientAuth\n"
                + (f"subjectAltName={san}\n" if san else ""))
    subprocess.run(
        ["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-subj", f"/CN={cn}", "-keyout", key, "-out", csr],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(
        ["openssl", "x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1],
         "-set_serial", str(int.from_bytes(os.urandom(8), "big")), "-days", "2",
         "-extfile", ext, "-out", cert],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.chmod(key, 0o600)
    return cert, key
