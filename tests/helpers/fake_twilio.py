"""A small stand-in for Twilio's REST API on 127.0.0.1: Messages create, with Twilio's answers.

It checks HTTP basic auth like Twilio, records every accepted message in
``sent``, refuses free-form bodies to addresses in ``outside_window`` with
error 63016 (templates pass), and plays ``script`` entries (``(status, code)``)
for the next requests, e.g. a 429 or a 503.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from twilio.request_validator import RequestValidator

ERRORS = {
    63016: "Failed to send freeform message because you are outside the allowed window. "
    "If you are using WhatsApp, please use a Message Template.",
    21211: "The 'To' number is not a valid phone number.",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
}


@dataclass
class FakeTwilio:
    account_sid: str = "AC" + "0" * 32
    auth_token: str = "test-auth-token"
    sent: list[dict[str, str]] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)
    outside_window: set[str] = field(default_factory=set)
    script: list[tuple[int, int]] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> FakeTwilio:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                status, body = fake._answer(self.path, self.headers.get("Authorization", ""), form)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _answer(self, path: str, auth: str, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        expected = (
            "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        )
        if auth != expected:
            return 401, _error(401, 20003, "Authenticate")
        if path != f"/2010-04-01/Accounts/{self.account_sid}/Messages.json":
            return 404, _error(404, 20404, "The requested resource was not found")
        with self._lock:
            if self.script:
                status, code = self.script.pop(0)
                self.refused.append(form)
                return status, _error(status, code, ERRORS.get(code, "error"))
            if "Body" in form and "ContentSid" not in form and form["To"] in self.outside_window:
                self.refused.append(form)
                return 400, _error(400, 63016, ERRORS[63016])
            sid = "SM" + uuid.uuid4().hex
            self.sent.append({**form, "Sid": sid})
        return 201, {
            "account_sid": self.account_sid,
            "sid": sid,
            "status": "queued",
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body", ""),
            "num_segments": "1",
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }


def _error(status: int, code: int, message: str) -> dict[str, object]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def signed(auth_token: str, url: str, form: dict[str, str]) -> dict[str, str]:
    """The headers Twilio would send with ``form`` posted to ``url``."""
    signature = RequestValidator(auth_token).compute_signature(url, form)
    return {"X-Twilio-Signature": signature}
