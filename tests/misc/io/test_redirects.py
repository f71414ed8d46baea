"""Redirects are checked at every hop (issue 23 row 9): a chain https -> http -> https used to be followed, and the
bytes of whoever answered the http hop cached under the first URL."""

import datetime
import http.server
import ipaddress
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from lucid.misc.io import reading

pytestmark = pytest.mark.usefixtures("cache_dir")


def _self_signed_certificate(directory):
    """(certificate path, key path) of a certificate for 127.0.0.1, made for this test."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


class _Server:
    """A local HTTP (or HTTPS) server answering each path of `routes` with a redirect or a body."""

    def __init__(self, tls=None):
        self.routes, self.requests = {}, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                kind, value = server.routes.get(self.path, ("body", None))
                if value is None:
                    self.send_error(404)
                    return
                self.send_response(302 if kind == "redirect" else 200)
                self.send_header(
                    "Location" if kind == "redirect" else "Content-Length",
                    value if kind == "redirect" else str(len(value)),
                )
                self.end_headers()
                if kind == "body":
                    self.wfile.write(value)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = "%s://127.0.0.1:%d" % ("https" if tls else "http", self.httpd.server_port)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers(tmp_path, monkeypatch):
    """(an https server trusted through SSL_CERT_FILE, a plain http server), both on 127.0.0.1."""
    certificate = _self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])
    secure, plain = _Server(certificate), _Server()
    yield secure, plain
    secure.close()
    plain.close()


def test_https_http_https_chain_is_refused_at_the_http_hop(servers):
    secure, plain = servers
    secure.routes["/model.pb"] = ("redirect", plain.url + "/hop")
    plain.routes["/hop"] = ("redirect", secure.url + "/attacker.pb")
    secure.routes["/attacker.pb"] = ("body", b"the attacker's bytes")
    url = secure.url + "/model.pb"
    with pytest.raises(ValueError, match="redirected to the unencrypted %s/hop" % plain.url):
        reading.read(url)
    assert plain.requests == [] and secure.requests == ["/model.pb"]  # refused before the http request
    assert not reading.os.path.exists(reading.local_cache_path(url))


def test_redirects_that_stay_encrypted_or_start_plain_are_followed(servers):
    secure, plain = servers
    secure.routes["/a.txt"] = ("redirect", secure.url + "/b.txt")
    secure.routes["/b.txt"] = ("body", b"over https")
    plain.routes["/c.txt"] = ("redirect", secure.url + "/a.txt")
    assert reading.read(secure.url + "/a.txt") == b"over https"
    assert reading.read(plain.url + "/c.txt") == b"over https"


@pytest.mark.parametrize(
    "source, target, refused",
    [
        ("https://a.example/x", "http://b.example/x", True),
        ("HTTPS://a.example/x", "HTTP://b.example/x", True),
        ("https://a.example/x", "ftp://b.example/x", True),
        ("https://a.example/x", "https://b.example/x", False),
        ("http://a.example/x", "https://b.example/x", False),
        ("http://a.example/x", "http://b.example/x", False),
    ],
)
def test_each_hop_is_checked(source, target, refused):
    if refused:
        with pytest.raises(ValueError, match="does not follow redirects from https to http"):
            reading.check_redirect(source, target)
    else:
        reading.check_redirect(source, target)
