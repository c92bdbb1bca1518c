#!/usr/bin/env python3
"""A local webhook receiver for herald's delivery tests (standard library only).

It binds 127.0.0.1, records every request as one JSON line and answers from a
script of response codes. A test starts it in the background, waits for the
port file, and always kills it:

    python3 "$TEST_DIR/lib/receiver.py" --port-file port --log requests.jsonl \\
        --respond 500,200 --control control &
    receiver_pid=$!
    trap 'kill $receiver_pid 2>/dev/null' EXIT
    i=0; while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    url="http://127.0.0.1:$(cat port)/hook"
    ...                              # deliver; echo 200 >control switches codes
    kill $receiver_pid && wait $receiver_pid
    python3 "$TEST_DIR/lib/receiver.py" dump requests.jsonl

Script entries (--respond or the control file; comma-separated, one consumed
per request, the last one repeating):

    200 204 404 410 500 ... any status from 100 to 599
    301, 302, 307, 308      with Location: http://127.0.0.1:PORT/redirected
    429:SECONDS             429 with Retry-After: SECONDS
    discord429:SECONDS      429 with JSON body {"retry_after": SECONDS,
                            "global": false} and no Retry-After header, so a
                            test proves the client reads Discord's body
    hostile:CODE            CODE with a body of terminal escapes (clear the
                            screen, retitle the window, ring the bell)
    hang                    never answers: waits until the client disconnects,
                            --hang-seconds (60) pass or the receiver stops
    close                   closes the connection without answering

The control file is re-read before each request; when its content changes it
becomes the script and consumption starts again from its first entry.

Each log line holds: seq, time (Unix seconds, float), method, path (without
the query), query (raw string), headers (lower-cased names; repeated headers
joined by ", "), body (text, invalid UTF-8 replaced by U+FFFD), body_base64
(only when the body is not valid UTF-8) and response (the script entry used).
The request is logged before answering, so hanging ones are logged too.

With --api discord|telegram|matrix, a 2xx entry is answered as that
platform answers, with ids, so a test can follow a message it posted:

    discord   POST ?wait=true -> 200 {"id": SNOWFLAKE, ...} (without wait: 204);
              PATCH .../messages/ID -> 200 the message; DELETE -> 204;
              an id it never gave (or deleted) -> 404 {"code": 10008}
    telegram  .../sendMessage -> {"ok":true,"result":{"message_id":N,...}};
              .../editMessageText, .../deleteMessage -> {"ok":true,...};
              an unknown message_id -> 400 {"ok":false,"description":...};
              an edit to the text the message has -> 400 "message is not modified"
    matrix    PUT .../send/m.room.message/TXN -> {"event_id":"$N:test"} (the
              same TXN gives the same id); PUT .../redact/EVENT/TXN likewise

The receiver exits by itself after --max-seconds (300), and cleanly with
status 0 on SIGTERM or SIGINT.
"""

import argparse
import base64
import http.server
import json
import os
import select
import signal
import socket
import sys
import threading
import time

REDIRECTS = (301, 302, 303, 307, 308)


def parse_entry(entry):
    """Checks one script entry; returns it normalised or raises ValueError."""
    entry = entry.strip()
    if entry in ("hang", "close"):
        return entry
    if entry.startswith("hostile:"):
        code = int(entry[len("hostile:"):])
        if not 200 <= code <= 599:
            raise ValueError(entry)
        return entry
    for prefix in ("429:", "discord429:"):
        if entry.startswith(prefix):
            seconds = float(entry[len(prefix):])
            if seconds < 0:
                raise ValueError(entry)
            return entry
    code = int(entry)
    if not 100 <= code <= 599:
        raise ValueError(entry)
    return str(code)


def parse_script(text):
    entries = [e for e in text.replace("\n", ",").split(",") if e.strip()]
    if not entries:
        raise ValueError("empty script")
    return [parse_entry(e) for e in entries]


class Script:
    """The response script, shared by all handler threads."""

    def __init__(self, entries, control):
        self.lock = threading.Lock()
        self.entries = entries
        self.index = 0
        self.control = control
        self.control_text = None

    def _reload(self):
        if not self.control:
            return
        try:
            with open(self.control, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            return
        if text == self.control_text:
            return
        try:
            entries = parse_script(text)
        except ValueError as e:
            # A half-written file: keep the old script and look again later.
            print(f"receiver: ignoring control file: {e}", file=sys.stderr)
            return
        self.control_text = text
        self.entries = entries
        self.index = 0

    def next(self):
        with self.lock:
            self._reload()
            entry = self.entries[min(self.index, len(self.entries) - 1)]
            self.index += 1
            return entry


class Recorder:
    def __init__(self, path):
        self.lock = threading.Lock()
        self.path = path
        self.seq = 0

    def record(self, item):
        with self.lock:
            self.seq += 1
            item = {"seq": self.seq, **item}
            if self.path:
                with open(self.path, "a", encoding="utf-8") as f:
                    f.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
                    f.flush()


class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 so clients may reuse connections; every answer has a length.
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without this, Nagle and
    # the client's delayed ACK hold every kept-alive answer back 40 ms
    disable_nagle_algorithm = True
    server_version = "herald-test-receiver"
    sys_version = ""

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self):
        now = time.time()
        body = self._read_body()
        path, _, query = self.path.partition("?")
        headers = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        entry = self.server.script.next()
        item = {
            "time": now,
            "method": self.command,
            "path": path,
            "query": query,
            "headers": headers,
            "body": body.decode("utf-8", errors="replace"),
            "response": entry,
        }
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            item["body_base64"] = base64.b64encode(body).decode("ascii")
        self.server.recorder.record(item)
        self._answer(entry, item)

    def _send(self, code, body=b"", ctype="text/plain; charset=utf-8", extra=()):
        self.send_response(code)
        for name, value in extra:
            self.send_header(name, value)
        if body:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def _hang(self):
        deadline = time.monotonic() + self.server.hang_seconds
        sock = self.connection
        while time.monotonic() < deadline and not self.server.stopping.is_set():
            readable, _, _ = select.select([sock], [], [], 0.1)
            if readable:
                try:
                    if sock.recv(1, socket.MSG_PEEK) == b"":
                        return  # the client went away
                except OSError:
                    return
                time.sleep(0.1)  # pipelined data; keep hanging

    def _platform(self, item):
        """The answer of --api's platform to a request it accepts: (code, JSON or None)."""
        api = self.server.api
        with api.lock:
            return api.answer(self.server.api_name, item)

    def _answer(self, entry, item):
        if entry == "hang":
            self._hang()
            self.close_connection = True
            return
        if entry == "close":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if entry.startswith("discord429:"):
            seconds = float(entry.split(":", 1)[1])
            retry = int(seconds) if seconds.is_integer() else seconds
            body = json.dumps({"retry_after": retry, "global": False,
                               "message": "You are being rate limited."})
            self._send(429, body.encode(), "application/json")
            return
        if entry.startswith("hostile:"):
            self._send(int(entry.split(":", 1)[1]),
                       b"\x1b[2J\x1b]0;owned\x07\x1b[31mred\xc2\x9b1m\n")
            return
        if entry.startswith("429:"):
            self._send(429, b"too many requests\n",
                       extra=[("Retry-After", entry.split(":", 1)[1])])
            return
        code = int(entry)
        extra = []
        if self.server.api_name and 200 <= code < 300:
            code, doc = self._platform(item)
            if doc is None:
                self._send(code)
            else:
                self._send(code, json.dumps(doc).encode(), "application/json")
            return
        if code in REDIRECTS:
            port = self.server.server_address[1]
            extra.append(("Location", f"http://127.0.0.1:{port}/redirected"))
        if code in (204, 304) or code < 200:
            self._send(code, extra=extra)
        else:
            phrase = self.responses.get(code, ("status",))[0].lower()
            self._send(code, f"{phrase}\n".encode(), extra=extra)

    do_POST = do_PUT = do_GET = do_PATCH = do_DELETE = do_HEAD = _handle


class Platform:
    """The messages a platform has, so edits and deletions can be checked."""

    def __init__(self):
        self.lock = threading.Lock()
        self.next_id = 1
        self.messages = {}  # id -> the body that made or last edited it
        self.txns = {}      # matrix: transaction id -> event id

    def new_id(self):
        self.next_id += 1
        return self.next_id

    def answer(self, name, item):
        path, body = item["path"], item["body"]
        try:
            doc = json.loads(body) if body else None
        except ValueError:
            doc = None
        if name == "discord":
            parts = path.rstrip("/").split("/")
            if len(parts) >= 2 and parts[-2] == "messages":
                mid = parts[-1]
                if mid not in self.messages:
                    return 404, {"message": "Unknown Message", "code": 10008}
                if item["method"] == "DELETE":
                    del self.messages[mid]
                    return 204, None
                self.messages[mid] = doc
                return 200, {"id": mid, "type": 0, **(doc or {})}
            if "wait=true" not in item["query"].split("&"):
                return 204, None
            mid = str(1100000000000000000 + self.new_id())
            self.messages[mid] = doc
            # the id after an echo of the message, as Discord's answer may have it
            return 200, {"type": 0, "channel_id": "1", **(doc or {}), "id": mid}
        if name == "telegram":
            method = path.rstrip("/").rsplit("/", 1)[-1]
            if method == "sendMessage":
                mid = self.new_id()
                self.messages[str(mid)] = doc
                return 200, {"ok": True, "result": {"message_id": mid, "chat": {"id": 1},
                                                    "text": (doc or {}).get("text", "")}}
            mid = str((doc or {}).get("message_id"))
            if mid not in self.messages:
                return 400, {"ok": False, "error_code": 400,
                             "description": f"Bad Request: message to {'delete' if method == 'deleteMessage' else 'edit'} not found"}
            if method == "deleteMessage":
                del self.messages[mid]
                return 200, {"ok": True, "result": True}
            if (doc or {}).get("text") == (self.messages[mid] or {}).get("text"):
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: message is not modified: specified new "
                             "message content and reply markup are exactly the same as a current "
                             "content and reply markup of the message"}
            self.messages[mid] = doc
            return 200, {"ok": True, "result": {"message_id": int(mid)}}
        if name == "matrix":
            txn = path.rstrip("/").rsplit("/", 1)[-1]
            if txn not in self.txns:
                self.txns[txn] = f"$ev{self.new_id()}:test"
            return 200, {"event_id": self.txns[txn]}
        return 200, None


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # A refused connection would read as a delivery failure: queue plenty.
    request_queue_size = 64


def write_port_file(path, port):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


def serve(args):
    try:
        entries = parse_script(args.respond)
    except ValueError as e:
        print(f"receiver: bad --respond '{args.respond}': {e}", file=sys.stderr)
        return 2
    server = Server(("127.0.0.1", args.port), Handler)
    server.script = Script(entries, args.control)
    server.recorder = Recorder(args.log)
    server.hang_seconds = args.hang_seconds
    server.verbose = args.verbose
    server.api_name = args.api
    server.api = Platform()
    server.stopping = threading.Event()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    if args.port_file:
        write_port_file(args.port_file, server.server_address[1])
    if not stop.wait(args.max_seconds):
        print(f"receiver: exiting after --max-seconds {args.max_seconds:g}", file=sys.stderr)
    server.stopping.set()
    server.shutdown()
    thread.join()
    server.server_close()
    return 0


def dump(path):
    """Pretty-prints a request log, one block per request."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            stamp = time.strftime("%H:%M:%S", time.gmtime(r["time"]))
            query = f"?{r['query']}" if r.get("query") else ""
            print(f"#{r['seq']} {stamp} {r['method']} {r['path']}{query} -> {r['response']}")
            for name in sorted(r["headers"]):
                print(f"  {name}: {r['headers'][name]}")
            body = r["body"]
            try:
                body = json.dumps(json.loads(body), indent=2, ensure_ascii=False, sort_keys=True)
            except ValueError:
                pass
            if body:
                print("  " + body.replace("\n", "\n  "))
            print()
    return 0


def main(argv):
    if len(argv) >= 1 and argv[0] == "dump":
        if len(argv) != 2:
            print("usage: receiver.py dump LOG", file=sys.stderr)
            return 2
        return dump(argv[1])
    p = argparse.ArgumentParser(description="Local webhook receiver for tests.")
    p.add_argument("--port", type=int, default=0, help="port to bind (default: any free)")
    p.add_argument("--port-file", help="write the port here once listening")
    p.add_argument("--log", help="append each request as a JSON line here")
    p.add_argument("--respond", default="200", help="comma-separated script (default 200)")
    p.add_argument("--control", help="file whose content, when present, replaces the script")
    p.add_argument("--max-seconds", type=float, default=300, help="exit after this long (300)")
    p.add_argument("--hang-seconds", type=float, default=60, help="longest 'hang' (60)")
    p.add_argument("--verbose", action="store_true", help="log each request to stderr")
    p.add_argument("--api", choices=("discord", "telegram", "matrix"),
                   help="answer 2xx as this platform does, with message ids")
    return serve(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
