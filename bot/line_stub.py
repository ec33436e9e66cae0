"""A stand-in for LINE's Messaging API that holds the bot to LINE's own contract.

A real HTTP server on loopback (a thread). Every request is validated against
../shared/line-openapi/messaging-api.yml with openapi-core (path, method, Bearer token, body
schema), then once more with the spec's discriminators followed (openapi-core does not: a
`Message` is checked as the `TextMessage` its `type` names, an action as a `PostbackAction`...),
then against the limits LINE documents but the YAML leaves out (5,000 characters per text,
20 per quick-reply label, 300 per display text). Valid replies are recorded; invalid ones are
recorded in `errors` and answered 400 like LINE would.

Fault modes, to see the bot's sender retry: `fail_with = 500` (or 429, with `retry_after`) answers
that status, to every reply or to the first `fail_times` ones; `down = True` drops the connection
without answering, as an unreachable LINE would; `delay` seconds make every answer slow.
Every reply request that got through validation is counted in `attempts`.

Besides replies: push and multicast (recorded in `pushes` and `multicasts`, each recipient's
messages in `delivered`), with LINE's `X-Line-Retry-Key`: a key already accepted is answered 409
with `x-line-accepted-request-id` and nothing is sent again, as LINE does. `accept_then_drop`
accepts that many sends and then drops the connection before answering (LINE took it, the bot
never heard): what a retry key is for. The month's quota (`quota`, `GET /v2/bot/message/quota`
and `/consumption`, counted per recipient as LINE counts) and rich menus (create, image upload,
set as default) are served too.

Test tooling, not used by the app (it needs the test extra): tests/ and bench/ both use it.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import yaml
from jsonschema import ValidationError, validators
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from openapi_schema_validator import OAS30Validator
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

SPEC_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "line-openapi"
MESSAGING_SPEC = SPEC_DIR / "messaging-api.yml"
WEBHOOK_SPEC = SPEC_DIR / "webhook.yml"
LINE_HOST = "https://api.line.me"  # the spec's server; the stub answers for it
LINE_DATA_HOST = "https://api-data.line.me"  # the spec's server for uploads (rich menu images)

# Limits from the Messaging API reference that messaging-api.yml does not encode.
MAX_TEXT = 5000
MAX_LABEL = 20
MAX_DISPLAY_TEXT = 300
MAX_ALT_TEXT = 1500
MAX_URI = 1000
URI_SCHEMES = ("http://", "https://", "line://", "tel:")
SEND_PATHS = {"/v2/bot/message/reply": "ReplyMessageRequest",
              "/v2/bot/message/push": "PushMessageRequest",
              "/v2/bot/message/multicast": "MulticastRequest",
              "/v2/bot/richmenu": "RichMenuRequest"}


@lru_cache(maxsize=None)
def _spec_dict(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _openapi(path: Path) -> OpenAPI:
    return OpenAPI.from_dict(_spec_dict(path))


def _discriminator(validator, discriminator, instance, schema):
    """Validate an object as the subschema its discriminator property maps to."""
    if not validator.is_type(instance, "object"):
        return
    value = instance.get(discriminator["propertyName"])
    target = discriminator.get("mapping", {}).get(value)
    if target is None:
        yield ValidationError(f"{discriminator['propertyName']} {value!r} is not one of "
                              f"{sorted(discriminator.get('mapping', {}))}")
        return
    # The subschema refers back to this one through allOf: follow the mapping once per object.
    following = _FOLLOWING.__dict__.setdefault("keys", set())
    key = (id(instance), target)
    if key in following:
        return
    following.add(key)
    try:
        yield from validator.descend(instance, {"$ref": target})
    finally:
        following.discard(key)


_FOLLOWING = threading.local()
_Validator = validators.extend(OAS30Validator, {"discriminator": _discriminator})


def schema_errors(instance, spec: Path, schema_name: str) -> list[str]:
    """Every way `instance` breaks components/schemas/<schema_name> of the spec, discriminators
    followed; [] when it conforms."""
    root = {"components": _spec_dict(spec)["components"],
            "$ref": f"#/components/schemas/{schema_name}"}
    validator = _Validator(root)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(instance)]


def limit_errors(body: dict) -> list[str]:
    """LINE's documented limits missing from the YAML, for every message of a reply, push or
    multicast: text length, altText, and every action's label, display text and URI (quick
    replies and Flex contents alike)."""
    errors = []
    for number, message in enumerate(body.get("messages") or []):
        text = message.get("text")
        if isinstance(text, str) and _units(text) > MAX_TEXT:
            errors.append(f"messages/{number}/text: {_units(text)} characters > {MAX_TEXT}")
        alt = message.get("altText")
        if isinstance(alt, str) and not 1 <= _units(alt) <= MAX_ALT_TEXT:
            errors.append(f"messages/{number}/altText: {_units(alt)} characters, not 1..{MAX_ALT_TEXT}")
        for action in _actions(message):
            if _units(action.get("label") or "") > MAX_LABEL:
                errors.append(f"messages/{number}: label {action['label']!r} > {MAX_LABEL}")
            if _units(action.get("displayText") or "") > MAX_DISPLAY_TEXT:
                errors.append(f"messages/{number}: displayText > {MAX_DISPLAY_TEXT}")
            if action.get("type") == "uri":
                uri = action.get("uri") or ""
                if len(uri) > MAX_URI or not uri.startswith(URI_SCHEMES):
                    errors.append(f"messages/{number}: uri {uri[:80]!r} is not an http(s), line or tel URI "
                                  f"of at most {MAX_URI} characters")
    return errors


def _actions(value):
    """Every action object inside a message (quick-reply items, Flex buttons, ...)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "action" and isinstance(item, dict):
                yield item
            yield from _actions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _actions(item)


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _AsLine(WerkzeugOpenAPIRequest):
    """The request as if it had reached api.line.me (the spec's only server)."""

    @property
    def host_url(self) -> str:
        return LINE_DATA_HOST if self.request.path.endswith("/content") else LINE_HOST


@dataclass
class Reply:
    reply_token: str
    messages: list[dict]
    authorization: str


@dataclass
class Push:
    to: str
    messages: list[dict]
    retry_key: str | None


@dataclass
class Multicast:
    to: list[str]
    messages: list[dict]
    retry_key: str | None


@dataclass
class LineStub:
    access_token: str = "test-access-token"
    validate: bool = True
    fail_with: int | None = None  # answer every request with this status (e.g. 500)
    fail_times: int | None = None  # ... only the first so many replies (None: all)
    retry_after: int | None = None  # Retry-After header with fail_with (LINE sends it with 429)
    down: bool = False  # drop every connection unanswered
    delay: float = 0.0  # seconds before answering
    on_reply: Callable[[Reply], None] | None = None  # called before answering (checks DB state)
    replies: list[Reply] = field(default_factory=list)
    attempts: int = 0
    accept_then_drop: int = 0  # accept so many sends, then drop the connection unanswered
    quota: int = 1000  # the month's message quota (type "limited")
    pushes: list[Push] = field(default_factory=list)
    multicasts: list[Multicast] = field(default_factory=list)
    consumption: int = 0  # messages sent this month, one per recipient
    rich_menus: dict[str, dict] = field(default_factory=dict)  # id -> {"menu", "image", "default"}
    retry_keys: dict[str, str] = field(default_factory=dict)  # accepted key -> request id
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "LineStub":
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True,
                                   request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # A short poll: shutdown() waits up to one interval, and every test using the stand-in stops it
        # (0.5 s, the default, was most of a contract test's time).
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def replies_to(self, reply_token: str) -> list[Reply]:
        with self._lock:
            return [r for r in self.replies if r.reply_token == reply_token]

    def texts(self, reply_token: str) -> list[str]:
        """Each message's text; a Flex card's altText (what a client without Flex shows)."""
        return [m.get("text") or m.get("altText", "") for r in self.replies_to(reply_token) for m in r.messages]

    def delivered(self, user_id: str) -> list[dict]:
        """Every message pushed or multicast to this user, in order."""
        with self._lock:
            return [m for p in self.pushes if p.to == user_id for m in p.messages] + \
                [m for c in self.multicasts if user_id in c.to for m in c.messages]

    def _app(self, environ, start_response):
        if self.down:
            raise _Drop()
        time.sleep(self.delay)
        return self._answer(environ, start_response)

    @Request.application
    def _answer(self, request: Request) -> Response:
        problems = self._problems(request) if self.validate else []
        if problems:
            with self._lock:
                self.errors.extend(problems)
            return _json({"message": "The request body has 1 error(s)",
                          "details": [{"message": p} for p in problems]}, 400)
        if request.path in ("/v2/bot/message/push", "/v2/bot/message/multicast"):
            return self._send(request)
        if request.path == "/v2/bot/message/quota":
            return _json({"type": "limited", "value": self.quota})
        if request.path == "/v2/bot/message/quota/consumption":
            return _json({"totalUsage": self.consumption})
        if request.path.startswith("/v2/bot/richmenu") or request.path.startswith("/v2/bot/user/all/richmenu"):
            return self._rich_menu(request)
        if request.path != "/v2/bot/message/reply":
            return _json({"message": "Not found"}, 404)
        body = request.get_json()
        reply = Reply(body["replyToken"], body["messages"], request.headers.get("Authorization", ""))
        if self.on_reply is not None:
            self.on_reply(reply)
        with self._lock:
            self.attempts += 1
            failing = self.fail_with and (self.fail_times is None or self.attempts <= self.fail_times)
            if not failing:
                self.replies.append(reply)
        if failing:
            response = _json({"message": "Internal server error"}, self.fail_with)
            if self.retry_after is not None:
                response.headers["Retry-After"] = str(self.retry_after)
            return response
        return _json({"sentMessages": [{"id": uuid.uuid4().hex[:18]} for _ in body["messages"]]})

    def _send(self, request: Request) -> Response:
        """Push or multicast, once per retry key."""
        body = request.get_json()
        key = request.headers.get("X-Line-Retry-Key")
        with self._lock:
            if key is not None and key in self.retry_keys:
                response = _json({"message": "The retry key is already accepted"}, 409)
                response.headers["x-line-accepted-request-id"] = self.retry_keys[key]
                return response
            self.attempts += 1
            failing = self.fail_with and (self.fail_times is None or self.attempts <= self.fail_times)
            if failing:
                response = _json({"message": "Internal server error"}, self.fail_with)
                if self.retry_after is not None:
                    response.headers["Retry-After"] = str(self.retry_after)
                return response
            recipients = body["to"] if isinstance(body["to"], list) else [body["to"]]
            if self.consumption + len(recipients) > self.quota:
                return _json({"message": "You have reached your monthly limit."}, 429)
            request_id = uuid.uuid4().hex
            if key is not None:
                self.retry_keys[key] = request_id
            if isinstance(body["to"], list):
                self.multicasts.append(Multicast(body["to"], body["messages"], key))
            else:
                self.pushes.append(Push(body["to"], body["messages"], key))
            self.consumption += len(recipients)
            drop = self.accept_then_drop > 0
            self.accept_then_drop -= drop
        if drop:
            raise _Drop()
        if request.path.endswith("/push"):
            return _json({"sentMessages": [{"id": uuid.uuid4().hex[:18]} for _ in body["messages"]]})
        return _json({})

    def _rich_menu(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        with self._lock:
            if request.path == "/v2/bot/richmenu":
                menu_id = f"richmenu-{uuid.uuid4().hex}"
                self.rich_menus[menu_id] = {"menu": request.get_json(), "image": None, "default": False}
                return _json({"richMenuId": menu_id})
            menu = self.rich_menus.get(parts[-2] if parts[-1] == "content" else parts[-1])
            if menu is None:
                return _json({"message": "Not found"}, 404)
            if parts[-1] == "content":
                if request.content_type not in ("image/png", "image/jpeg") or not request.get_data():
                    self.errors.append("rich menu image: not a PNG or JPEG body")
                    return _json({"message": "Invalid image"}, 400)
                menu["image"] = request.get_data()
            else:
                if menu["image"] is None:
                    self.errors.append("default rich menu without an image")
                    return _json({"message": "An image has not been uploaded to the rich menu"}, 400)
                for other in self.rich_menus.values():
                    other["default"] = False
                menu["default"] = True
        return _json({})

    def _problems(self, request: Request) -> list[str]:
        try:
            _openapi(MESSAGING_SPEC).validate_request(_AsLine(request))
        except Exception as exc:  # openapi-core raises one of many classes; all mean "invalid"
            causes = getattr(exc.__cause__, "schema_errors", None) or []
            return [f"{type(exc).__name__}: {exc}"] + [str(c.message) for c in causes]
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return ["Authorization is not the channel access token"]
        key = request.headers.get("X-Line-Retry-Key")
        if key is not None and not _is_uuid(key):
            return [f"X-Line-Retry-Key {key[:40]!r} is not a UUID"]
        schema = SEND_PATHS.get(request.path)
        if schema is None:
            return []
        body = json.loads(request.get_data())
        return schema_errors(body, MESSAGING_SPEC, schema) + limit_errors(body)


class _Drop(ConnectionError):
    """Raised by the app in `down` mode: werkzeug takes it for a dropped connection and closes
    it without writing a response."""


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args) -> None:  # tests and the benchmark read results, not access logs
        pass

    def connection_dropped(self, error, environ=None) -> None:
        self.close_connection = True  # `down`: close it unanswered rather than keep it alive


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _json(data: dict, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")
