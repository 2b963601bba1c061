"""nginx in front of the app for the tests, with the configuration printed in README.md.

The README's one ```nginx block is what operators copy to ``/etc/nginx/conf.d/``. The tests use
that exact text; only the values an operator replaces anyway are swapped (listen ports, certificate
paths, the upstream's ``server`` line – one per app process here), each from an exact string that
must occur in the block, so the README cannot drift from what is tested. nginx needs no root
here: its own prefix, configuration, pid file, logs and temporary folders in one temporary
directory, ``daemon off``, free loopback ports and a throwaway self-signed certificate for
127.0.0.1."""

from __future__ import annotations

import datetime
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from harness import ROOT

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
README = ROOT / "README.md"

# What the README's block says for the values each operator replaces.
README_TLS_LISTEN = "listen 443 ssl;"
README_HTTP_LISTEN = "listen 80;"
README_CERT = "/etc/ssl/certs/borgercases.crt"
README_KEY = "/etc/ssl/private/borgercases.key"
README_UPSTREAM_SERVER = "server 127.0.0.1:8501;"
README_PROXY_PASS = "http://borgercases"
# Test-only: the access log names the process that answered and the routing cookie sent, so a
# test can tell which process a cookie is pinned to. Lives in the outer http block (the part that
# stands in for Debian's nginx.conf), not in the README's block.
LOG_FORMAT = (
    'log_format borgercases_test \'$remote_addr [$time_local] "$request" $status '
    "$body_bytes_sent upstream=$upstream_addr route=$cookie_bcroute';"
)


def find_nginx() -> str | None:
    found = NGINX if Path(NGINX).exists() else shutil.which("nginx")
    return str(found) if found else None


def readme_nginx_config() -> str:
    """The README's only ```nginx block, character for character as an operator copies it."""
    blocks = re.findall(r"^```nginx\n(.*?)^```$", README.read_text(encoding="utf-8"), re.M | re.S)
    assert len(blocks) == 1, f"README.md skal have præcis én ```nginx-blok, fandt {len(blocks)}"
    return str(blocks[0])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed_certificate(cert: Path, key: Path) -> None:
    """A certificate for the IP address 127.0.0.1, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key.chmod(0o600)


class NginxServer:
    """The README's configuration in front of the app process(es) at ``upstream_ports``."""

    def __init__(self, binary: str, root: Path, upstream_ports: int | list[int]) -> None:
        self.binary = binary
        self.root = root
        ports = [upstream_ports] if isinstance(upstream_ports, int) else list(upstream_ports)
        assert ports, "mindst én proces bag nginx"
        self.upstream_ports = ports
        self.tls_port = 0
        self.http_port = 0
        self.cert = root / "borgercases.crt"
        self.key = root / "borgercases.key"
        self.error_log = root / "error.log"
        self.access_log = root / "access.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.tls_port}/"

    def site_config(self) -> str:
        """The README block with this server's ports and certificate."""
        text = readme_nginx_config()
        replacements = {
            README_TLS_LISTEN: f"listen 127.0.0.1:{self.tls_port} ssl;",
            README_HTTP_LISTEN: f"listen 127.0.0.1:{self.http_port};",
            README_CERT: str(self.cert),
            README_KEY: str(self.key),
        }
        for old, new in replacements.items():
            assert old in text, f"README's nginx-blok indeholder ikke længere {old!r}"
            text = text.replace(old, new)
        # The upstream's one server line (the default: one process on 8501) becomes one per port,
        # with the line's own indentation.
        line = re.search(rf"^([ \t]*){re.escape(README_UPSTREAM_SERVER)}\n", text, re.M)
        assert line, f"README's nginx-blok indeholder ikke længere {README_UPSTREAM_SERVER!r}"
        servers = "".join(f"{line.group(1)}server 127.0.0.1:{p};\n" for p in self.upstream_ports)
        text = text[: line.start()] + servers + text[line.end() :]
        listens = re.findall(r"^\s*listen\s+([^;]*);", text, re.M)
        assert listens and all(x.startswith("127.0.0.1:") for x in listens), listens
        upstreams = set(re.findall(r"^\s*proxy_pass\s+([^;]*);", text, re.M))
        assert upstreams == {README_PROXY_PASS}, upstreams
        found = re.findall(r"^\s*server\s+([\d.]+:\d+)[^;]*;", text, re.M)
        assert found == [f"127.0.0.1:{p}" for p in self.upstream_ports], found
        return text

    def main_config(self) -> str:
        """What Debian's /etc/nginx/nginx.conf provides around conf.d/, kept to a minimum."""
        r = self.root
        # Under root, nginx would run its workers as `nobody`, which cannot enter the private
        # temporary directory; a throwaway test server may as well keep the caller's user.
        user = "user root root;\n" if os.geteuid() == 0 else ""
        return (
            f"{user}daemon off;\n"
            "worker_processes 1;\n"
            f"pid {r / 'nginx.pid'};\n"
            f"error_log {self.error_log} notice;\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            f"    {LOG_FORMAT}\n"
            f"    access_log {self.access_log} borgercases_test;\n"
            f"    client_body_temp_path {r / 'body'};\n"
            f"    proxy_temp_path {r / 'proxy'};\n"
            f"    fastcgi_temp_path {r / 'fastcgi'};\n"
            f"    uwsgi_temp_path {r / 'uwsgi'};\n"
            f"    scgi_temp_path {r / 'scgi'};\n"
            f"    include {r / 'borgercases.conf'};\n"
            "}\n"
        )

    def start(self, timeout: float = 20.0) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self_signed_certificate(self.cert, self.key)
        for _attempt in range(5):  # a free port may be taken before nginx binds it
            self.tls_port, self.http_port = free_port(), free_port()
            (self.root / "borgercases.conf").write_text(self.site_config(), encoding="utf-8")
            (self.root / "nginx.conf").write_text(self.main_config(), encoding="utf-8")
            cmd = [self.binary, "-p", str(self.root), "-c", str(self.root / "nginx.conf")]
            cmd += ["-e", str(self.error_log)]
            self.proc = subprocess.Popen(
                cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.root
            )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                if all(self._listening(p) for p in (self.tls_port, self.http_port)):
                    return
                time.sleep(0.05)
            log = self.error_log.read_text(errors="replace") if self.error_log.exists() else ""
            self.stop()
            if "Address already in use" not in log:
                raise RuntimeError(f"nginx startede ikke:\n{log}")
        raise RuntimeError("nginx fandt ingen ledige porte")

    def routed(self) -> list[tuple[str, str, str]]:
        """(request line, upstream address, routing cookie) of each logged request so far."""
        if not self.access_log.exists():
            return []
        pattern = re.compile(r'"([^"]*)" \d+ \d+ upstream=(\S*) route=(\S*)$')
        found = (pattern.search(x) for x in self.access_log.read_text().splitlines())
        return [(m.group(1), m.group(2), m.group(3)) for m in found if m]

    @staticmethod
    def _listening(port: int) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            # Fast shutdown: the master stops its worker and waits for it; a graceful one
            # would wait for the browser's open WebSocket.
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
