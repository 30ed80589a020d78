import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import select

from campaign import db, sms
from campaign.models import SmsMessage


class FakeGateway:
    """A local SMS gateway that records what it receives and fails the first ``failures``."""

    def __init__(self, failures: int = 0, status: int = 503) -> None:
        self.received: list[tuple[dict, str]] = []
        self.failures, self.status = failures, status
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server protocol
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.received.append((body, self.headers["Authorization"]))
                if gateway.failures > 0:
                    gateway.failures -= 1
                    self.send_response(gateway.status)
                else:
                    self.send_response(202)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_gateway():
    servers = []

    def start(**kw):
        servers.append(FakeGateway(**kw))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _messages(engine):
    with db.session(engine) as s:
        return [(m.to, m.body, m.backend, m.status) for m in s.exec(select(SmsMessage))]


def test_outbox_stores_and_lists_as_json_lines(engine):
    gateway = sms.OutboxGateway(engine)
    gateway.send("+22376000001", "Votre code : 123456")
    gateway.send("+22376000002", "Merci pour votre vote")
    lines = [json.loads(line) for line in sms.outbox_lines(engine)]
    assert [(m["to"], m["body"], m["status"]) for m in lines] == [
        ("+223 76 •• •• 01", "Votre code : 123456", "stored"),
        ("+223 76 •• •• 02", "Merci pour votre vote", "stored"),
    ]


def test_http_gateway_posts_with_api_key(engine, fake_gateway):
    server = fake_gateway()
    gateway = sms.HttpGateway(engine, server.url, "key-123", backoff=0)
    gateway.send("+22376000001", "Bonjour")
    assert server.received == [({"to": "+22376000001", "text": "Bonjour"}, "Bearer key-123")]
    assert _messages(engine) == [("+223 76 •• •• 01", "", "http", "sent")]


def test_http_gateway_retries_a_failing_gateway(engine, fake_gateway):
    server = fake_gateway(failures=2)
    sms.HttpGateway(engine, server.url, "k", backoff=0).send("+22376000001", "Bonjour")
    assert len(server.received) == 3
    assert _messages(engine) == [("+223 76 •• •• 01", "", "http", "sent")]


def test_http_gateway_gives_up_with_a_clear_error(engine, fake_gateway):
    server = fake_gateway(failures=5)
    gateway = sms.HttpGateway(engine, server.url, "k", backoff=0)
    with pytest.raises(sms.SmsGatewayError, match=r"failed after 3 tries: HTTP 503"):
        gateway.send("+22376000001", "Bonjour")
    assert _messages(engine) == [("+223 76 •• •• 01", "", "http", "failed")]


def test_http_gateway_does_not_retry_a_refusal(engine, fake_gateway):
    server = fake_gateway(failures=5, status=400)
    with pytest.raises(sms.SmsGatewayError, match="failed after 1 tries: HTTP 400"):
        sms.HttpGateway(engine, server.url, "k", backoff=0).send("+22376000001", "Bonjour")
    assert len(server.received) == 1


def test_http_gateway_down_says_so(engine):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    url = f"http://127.0.0.1:{port}/send"
    gateway = sms.HttpGateway(engine, url, "k", backoff=0, timeout=2)
    with pytest.raises(sms.SmsGatewayError, match=rf"SMS gateway {url} failed .*ConnectError"):
        gateway.send("+22376000001", "Bonjour")
    assert _messages(engine) == [("+223 76 •• •• 01", "", "http", "failed")]
