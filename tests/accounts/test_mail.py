"""Outgoing mail: sent only after a commit; by SMTP when configured (to a real SMTP listener on a
loopback port here), and a mail server that fails never fails the request."""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from email import message_from_bytes, policy

import pytest

from forum import mail
from forum.mail import OUTBOX
from forum.transactions import transaction
from tests.conftest import app_context, district, wait_until


class SmtpSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP (RFC 5321, no extensions) to receive messages into `received`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpSession)
        self.received: list = []

    @property
    def port(self) -> int:
        return self.server_address[1]


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink ready")
        envelope = {}
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.reply("250 sink")
            elif verb == b"MAIL":
                envelope = {"to": []}
                self.reply("250 OK")
            elif verb == b"RCPT":
                envelope["to"].append(line.split(b":", 1)[1].strip(b" <>\r\n").decode())
                self.reply("250 OK")
            elif verb == b"DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                message = message_from_bytes(data, policy=policy.default)
                self.server.received.append((envelope["to"], message))
                self.reply("250 OK")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    yield sink
    sink.shutdown()
    sink.server_close()


def registration(**overrides) -> dict:
    return {
        "display_name": "Zofia",
        "email": "zofia@example.pl",
        "password": "długie hasło 123",
        "home_area_id": str(district("XIII").id),
    } | overrides


def test_a_rolled_back_transaction_sends_nothing(app):
    with app_context(), pytest.raises(RuntimeError), transaction():
        mail.send("zofia@example.pl", "Temat", "Treść")
        raise RuntimeError("the request failed")
    with app_context(), transaction():
        pass  # a later commit in the same session does not send what was dropped
    assert not app.extensions[OUTBOX]


def test_a_committed_transaction_sends_its_messages_in_order(app, caplog):
    with app_context(), transaction():
        mail.send("a@example.pl", "Pierwsza", "Treść 1")
        mail.send("b@example.pl", "Druga", "Treść 2")
    assert [m.subject for m in app.extensions[OUTBOX]] == ["Pierwsza", "Druga"]
    assert "Treść 2" in caplog.text  # without MAIL_SERVER, the log shows the message


def test_with_a_mail_server_the_link_goes_by_smtp(app, client, smtp_sink):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port, MAIL_TLS="off")
    app.config["MAIL_BASE_URL"] = "https://forum.example.pl/"

    response = client.post("/register", data=registration(), headers={"Host": "evil.example"})

    assert response.status_code == 200
    wait_until(lambda: smtp_sink.received, what="a message at the SMTP listener")
    (recipients, message), *_ = smtp_sink.received
    assert recipients == ["zofia@example.pl"]
    assert message["To"] == "zofia@example.pl"
    assert message["From"] == app.config["MAIL_SENDER"]
    body = message.get_content()
    # The link is on the configured address, whatever Host the request named.
    assert "https://forum.example.pl/register/confirm/" in body and "evil.example" not in body
    assert not app.extensions[OUTBOX]


def test_a_failing_mail_server_is_logged_and_the_answer_is_unchanged(app, client, caplog):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port, MAIL_TLS="off")

    with caplog.at_level(logging.ERROR, logger="forum.mail"):
        response = client.post("/register", data=registration())
        assert response.status_code == 200
        assert "Wysłaliśmy wiadomość" in response.text
        wait_until(lambda: "sending by SMTP failed" in caplog.text, what="the failure logged")
    assert "zofia@example.pl" in caplog.text and "/register/confirm/" not in caplog.text


def test_an_unknown_mail_tls_setting_stops_the_start():
    from forum import create_app

    with pytest.raises(RuntimeError, match="MAIL_TLS"):
        create_app({"MAIL_TLS": "yes"}, config_name="testing")
