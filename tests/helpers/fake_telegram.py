"""A Bot API server on 127.0.0.1 for the tests, with Telegram's semantics where they matter.

- updates stay pending until a ``getUpdates`` with a higher ``offset`` confirms them;
- ``sendMessage`` answers 400 on an empty or over-long (> 4,096) text;
- a group gets 429 with ``retry_after`` past 20 calls a minute (messages, reactions,
  documents, reading its administrators);
- every call is recorded, and a method can be told to fail the next n times.

It speaks HTTP like Telegram (form-encoded or multipart parameters, ``{"ok": ...}``
answers), so the real python-telegram-bot ``Bot`` talks to it unchanged.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

TOKEN = "4242:test-token"
BOT_ID = 4242
BOT_USERNAME = "orderbot_test_bot"
GROUP_LIMIT = 20
_TEXT_FIELDS = {"text", "caption", "secret_token", "url", "language_code", "file_id"}
_GROUP_METHODS = {
    "sendMessage",
    "setMessageReaction",
    "sendDocument",
    "getChatAdministrators",
    "getChatMember",
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    result: Any = None


class FakeTelegram:
    """The server's state; ``url`` is the root to give as TELEGRAM_API_BASE_URL."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.can_read_all_group_messages = True
        self.admins: dict[str, list[dict[str, Any]]] = {}
        self.files: dict[str, bytes] = {}
        self.calls: list[Call] = []
        self.webhook: dict[str, Any] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update = 1000
        self._next_message: dict[str, int] = defaultdict(lambda: 1)
        self._group_calls: dict[str, deque[float]] = defaultdict(deque)
        self._failures: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
        self._lock = threading.Condition()
        self.confirmed = 0  # highest update id confirmed by an offset
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTelegram:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- what members do ------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update (its update_id is assigned here); return its id."""
        with self._lock:
            self._next_update += 1
            update = {"update_id": self._next_update, **update}
            self._updates.append(update)
            self._lock.notify_all()
            return self._next_update

    def new_message_id(self, chat_id: str) -> int:
        with self._lock:
            number = self._next_message[chat_id]
            self._next_message[chat_id] += 1
            return number

    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    def fail_next(self, method: str, *statuses: int, text: str | None = None) -> None:
        """Answer the next calls of ``method`` with these HTTP statuses (502, 400...);
        given ``text``, only calls whose text holds it, whatever else is sent between."""
        with self._lock:
            self._failures[method].extend((status, text) for status in statuses)

    def _failure_for(self, method: str, text: str) -> int | None:
        """The injected status this call gets, taken off the list (under the lock)."""
        pending = self._failures.get(method, [])
        for n, (status, needle) in enumerate(pending):
            if needle is None or needle in text:
                del pending[n]
                return status
        return None

    # -- what the bot did -----------------------------------------------------------------

    def sent(self, method: str, chat_id: str | None = None) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method
                and c.status == 200
                and (chat_id is None or str(c.params.get("chat_id")) == chat_id)
            ]

    def refused(self, status: int) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.status == status]

    def texts(self, chat_id: str) -> list[str]:
        return [str(c.params.get("text")) for c in self.sent("sendMessage", chat_id)]

    # -- the API --------------------------------------------------------------------------

    def answer(self, method: str, params: dict[str, Any], files: dict[str, Any]) -> tuple[int, Any]:
        with self._lock:
            now = self.clock()
            call = Call(method, params, now, files=files)
            self.calls.append(call)
            failure = self._failure_for(method, str(params.get("text", "")))
            if failure is not None:
                call.status = failure
                body = _error(call.status, "injected failure")
                if call.status == 429:
                    body["parameters"] = {"retry_after": 3}
                return call.status, body
            handler = getattr(self, f"_{method}", None)
            if handler is None:
                call.status = 404
                return 404, _error(404, "Not Found: method not found")
            chat = str(params.get("chat_id", ""))
            if method in _GROUP_METHODS and chat.startswith("-"):
                window = self._group_calls[chat]
                while window and window[0] <= now - 60:
                    window.popleft()
                if len(window) >= GROUP_LIMIT:
                    call.status = 429
                    wait = max(1, int(window[0] + 60 - now) + 1)
                    body = _error(429, f"Too Many Requests: retry after {wait}")
                    body["parameters"] = {"retry_after": wait}
                    return 429, body
            status, result = handler(params, files)
            call.status, call.result = status, result
            if status == 200 and method in _GROUP_METHODS and chat.startswith("-"):
                self._group_calls[chat].append(now)
            if status != 200:
                return status, _error(status, str(result))
            return 200, {"ok": True, "result": result}

    def _getMe(self, _p: dict[str, Any], _f: Any) -> tuple[int, Any]:
        return 200, {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Orderbot",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": False,
        }

    def _getUpdates(self, params: dict[str, Any], _f: Any) -> tuple[int, Any]:
        if self.webhook.get("url"):
            return 409, "Conflict: can't use getUpdates method while webhook is active"
        offset = int(params.get("offset") or 0)
        if offset:
            self.confirmed = max(self.confirmed, offset - 1)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 5.0)
        while not self._updates and time.monotonic() < deadline:
            self._lock.wait(deadline - time.monotonic())
        return 200, list(self._updates[: int(params.get("limit") or 100)])

    def _setWebhook(self, params: dict[str, Any], _f: Any) -> tuple[int, Any]:
        self.webhook = dict(params)
        return 200, True

    def _deleteWebhook(self, _p: dict[str, Any], _f: Any) -> tuple[int, Any]:
        self.webhook = {}
        return 200, True

    def _setMyCommands(self, _p: dict[str, Any], _f: Any) -> tuple[int, Any]:
        return 200, True

    def _sendMessage(self, params: dict[str, Any], _f: Any) -> tuple[int, Any]:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            return 400, "Bad Request: message text is empty"
        if len(text) > 4096:
            return 400, "Bad Request: message is too long"
        return 200, self._message(str(params["chat_id"]), text=text)

    def _sendDocument(self, params: dict[str, Any], files: dict[str, Any]) -> tuple[int, Any]:
        if "document" not in files:
            return 400, "Bad Request: there is no document in the request"
        name, _data = files["document"]
        return 200, self._message(
            str(params["chat_id"]),
            document={"file_id": f"sent-{name}", "file_unique_id": name, "file_name": name},
        )

    def _setMessageReaction(self, params: dict[str, Any], _f: Any) -> tuple[int, Any]:
        if not int(params.get("message_id") or 0):
            return 400, "Bad Request: message to react not found"
        return 200, True

    def _getChatAdministrators(self, params: dict[str, Any], _f: Any) -> tuple[int, Any]:
        return 200, self.admins.get(str(params["chat_id"]), [])

    def _getFile(self, params: dict[str, Any], _f: Any) -> tuple[int, Any]:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            return 400, "Bad Request: invalid file_id"
        return 200, {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_size": len(self.files[file_id]),
            "file_path": f"documents/{file_id}",
        }

    def _message(self, chat_id: str, **content: Any) -> dict[str, Any]:
        number = self._next_message[chat_id]
        self._next_message[chat_id] += 1
        kind = "supergroup" if chat_id.startswith("-100") else "group"
        chat = {"id": int(chat_id), "type": kind if chat_id.startswith("-") else "private"}
        return {
            "message_id": number,
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Orderbot"},
            **content,
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return None

            def do_GET(self) -> None:  # file downloads
                prefix = f"/file/bot{TOKEN}/documents/"
                path = unquote(self.path)
                file_id = path.removeprefix(prefix)
                if not path.startswith(prefix) or file_id not in fake.files:
                    self.send_error(404)
                    return
                data = fake.files[file_id]
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                prefix = f"/bot{TOKEN}/"
                if not self.path.startswith(prefix):
                    self._reply(401, _error(401, "Unauthorized"))
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                params, files = _parameters(self.headers.get("Content-Type", ""), body)
                status, answer = fake.answer(self.path[len(prefix) :], params, files)
                self._reply(status, answer)

            def _reply(self, status: int, answer: Any) -> None:
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # The bot may stop while a long poll is open.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        return Handler


def _error(status: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": status, "description": description}


def _value(name: str, raw: str) -> Any:
    if name in _TEXT_FIELDS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _parameters(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """Form-encoded or multipart parameters, as python-telegram-bot sends them."""
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        params: dict[str, Any] = {}
        files: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename:
                files[name] = (filename, data)
            else:
                params[name] = _value(name, data.decode())
        return params, files
    if content_type.startswith("application/json"):
        return (json.loads(body or b"{}"), {})
    return ({k: _value(k, v) for k, v in parse_qsl(body.decode(), keep_blank_values=True)}, {})


# -- building updates the way Telegram sends them ------------------------------------------


def user(user_id: int, first_name: str, language: str = "fr") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language}


def group(chat_id: str, title: str = "Club") -> dict[str, Any]:
    kind = "supergroup" if chat_id.startswith("-100") else "group"
    return {"id": int(chat_id), "type": kind, "title": title}


def admin(user_data: dict[str, Any], *, owner: bool = False) -> dict[str, Any]:
    if owner:
        return {"status": "creator", "user": user_data, "is_anonymous": False}
    rights = (
        "can_be_edited can_manage_chat can_delete_messages can_manage_video_chats "
        "can_restrict_members can_promote_members can_change_info can_invite_users "
        "can_post_stories can_edit_stories can_delete_stories"
    ).split()
    return {"status": "administrator", "user": user_data, "is_anonymous": False} | {
        right: right != "can_be_edited" for right in rights
    }
