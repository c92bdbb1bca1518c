#!/usr/bin/env python3
"""A local Mastodon instance for herald's mastodon tests (standard library only).

It answers the two endpoints herald uses as Mastodon documents them
(https://docs.joinmastodon.org/methods/instance/#v2,
https://docs.joinmastodon.org/methods/statuses/#create), records every
request as one JSON line (as receiver.py does: seq, time, method, path,
query, headers, body, response) and every status it creates in --statuses.
Start it with receiver-lib.sh's start_receiver after RECEIVER=.../mastodon.py.

    GET  /api/v2/instance   configuration.statuses.max_characters is
                            --max-characters (500); --instance CODE answers
                            CODE instead (and "garbage" a 200 that is not JSON)
    POST /api/v1/statuses   Authorization must be "Bearer --token" (else 401
                            {"error": "The access token is invalid"}); the
                            body is JSON with a "status" of at most
                            --max-characters as Mastodon counts (each link 23,
                            else code points; else 422 {"error": "Validation
                            failed: Text character limit of N exceeded"}), a
                            known visibility, a language of 2 or 3 letters.
                            An Idempotency-Key seen before gives the status
                            it made, and makes none.
    PUT  /api/v1/statuses/ID    edits status ID (the same checks; 404 {"error":
                            "Record not found"} for an id it never made or
                            deleted); DELETE the same path deletes it. Both
                            are recorded in --statuses ({"id", "edit"} and
                            {"id", "deleted": true}).

The script (--respond or the --control file, comma-separated, one entry per
status request, the last repeating) says what a status request gets:

    ok          as above: 200 and the status, or 401 / 422
    500 503     that error, nothing made
    401 422     that error whatever the request
    429:N       429, nothing made, X-RateLimit-Reset N seconds from now (ISO 8601)
    retry429:N  429 with Retry-After: N and X-RateLimit-Reset 2N seconds from now
    lost        makes the status, then closes the connection unanswered
"""

import argparse
import datetime
import json
import os
import re
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import receiver  # noqa: E402  (Recorder, Server, write_port_file)

STOPS = "\u00a0\u200b\u200c\u200d\u2060\u3000"
LINK = re.compile(
    r"(?<![A-Za-z0-9@$#])(https?://)([A-Za-z0-9.\-\u0080-\U0010ffff]+)([^\s<>\"%s]*)" % STOPS,
    re.IGNORECASE)


def link_end(text, m):
    """The end of the link match m starts, or None when Mastodon sees none."""
    host = m.group(2)
    for c in STOPS:
        host = host.split(c)[0]
    host_end = m.start(2) + len(host)
    bare = host.rstrip(".")
    tld = bare.rsplit(".", 1)[-1] if "." in bare else ""
    if not bare or bare.startswith(".") or not tld:
        return None
    if not (tld.lower().startswith("xn--") and len(tld) > 4):
        if len(tld) < 2 or not all(c.isalpha() for c in tld):
            return None
    end = m.end() if len(host) == len(m.group(2)) else host_end
    stop = m.start(2) + len(bare)
    while end > stop:
        if text[end - 1] in ".,;:!?'":
            end -= 1
        elif text[end - 1] == ")" and text[m.start():end].count(")") > text[m.start():end].count("("):
            end -= 1
        else:
            break
    return end


def count(text):
    """Characters of a status as Mastodon counts them: links 23, else code points."""
    n, i = 0, 0
    while i < len(text):
        m = LINK.match(text, i)
        if m and (i == 0 or not re.match(r"[A-Za-z0-9@$#]", text[i - 1])):
            end = link_end(text, m)
            if end:
                n += 23
                i = end
                continue
        n += 1
        i += 1
    return n


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Handler(receiver.Handler):
    server_version = "herald-test-mastodon"

    def _json(self, code, doc, extra=()):
        self._send(code, json.dumps(doc).encode(), "application/json; charset=utf-8", extra)

    def _handle(self):
        now = time.time()
        body = self._read_body()
        path, _, query = self.path.partition("?")
        headers = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        srv = self.server
        entry = "-"
        one = re.fullmatch(r"/api/v1/statuses/([^/]+)", path)
        if (self.command == "POST" and path == "/api/v1/statuses") or \
                (one and self.command in ("PUT", "DELETE")):
            entry = srv.script.next()
        srv.recorder.record({
            "time": now, "method": self.command, "path": path, "query": query,
            "headers": headers, "body": body.decode("utf-8", errors="replace"),
            "response": entry,
        })
        if self.command == "GET" and path == "/api/v2/instance":
            return self._instance()
        if self.command == "POST" and path == "/api/v1/statuses":
            return self._status(entry, headers, body, now)
        if one and self.command in ("PUT", "DELETE"):
            return self._follow(one.group(1), entry, headers, body)
        self._json(404, {"error": "Record not found"})

    def _log_status(self, doc):
        if self.server.statuses:
            with open(self.server.statuses, "a", encoding="utf-8") as f:
                f.write(json.dumps(doc, ensure_ascii=False) + "\n")

    def _follow(self, sid, entry, headers, body):
        """PUT (edit) or DELETE of a status this instance made."""
        srv = self.server
        if entry in ("500", "503"):
            return self._json(int(entry), {"error": "Something went wrong"})
        if headers.get("authorization") != f"Bearer {srv.token}":
            return self._json(401, {"error": "The access token is invalid"})
        with srv.lock:
            status = srv.live.get(sid)
            if status is None:
                return self._json(404, {"error": "Record not found"})
            if self.command == "DELETE":
                del srv.live[sid]
                self._log_status({"id": sid, "deleted": True})
                return self._json(200, status)
            try:
                doc = json.loads(body)
            except ValueError:
                return self._json(422, {"error": "Validation failed: body is not JSON"})
            text = doc.get("status") if isinstance(doc, dict) else None
            if not isinstance(text, str) or not text:
                return self._json(422, {"error": "Validation failed: Text can't be blank"})
            if count(text) + len(doc.get("spoiler_text") or "") > srv.max_characters:
                return self._json(422, {"error": "Validation failed: Text character limit of "
                                                 f"{srv.max_characters} exceeded"})
            status = dict(status, text=text, edited_at=iso(time.time()))
            srv.live[sid] = status
            self._log_status({"id": sid, "edit": text, "visibility": doc.get("visibility")})
        self._json(200, status)

    def _instance(self):
        srv = self.server
        if srv.instance == "garbage":
            return self._send(200, b"<html>not json</html>", "text/html")
        if srv.instance != "ok":
            return self._json(int(srv.instance), {"error": "unavailable"})
        doc = {
            "domain": "mastodon.test",
            "title": "A test instance",
            "version": "4.3.0",
            # more than the 1 KiB a delivery keeps by default
            "description": "x" * 3000,
            "configuration": {
                "urls": {"streaming": "wss://mastodon.test"},
                "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
                "statuses": {"max_characters": srv.max_characters,
                             "max_media_attachments": 4,
                             "characters_reserved_per_url": 23},
            },
            "rules": [{"id": str(i), "text": "Be kind. " * 20} for i in range(5)],
        }
        self._json(200, doc)

    def _status(self, entry, headers, body, now):
        srv = self.server
        if entry.startswith("429:") or entry.startswith("retry429:"):
            wait = int(entry.split(":", 1)[1])
            reset = wait * 2 if entry.startswith("retry429:") else wait
            extra = [("X-RateLimit-Limit", "300"), ("X-RateLimit-Remaining", "0"),
                     ("X-RateLimit-Reset", iso(now + reset))]
            if entry.startswith("retry429:"):
                extra.append(("Retry-After", str(wait)))
            return self._json(429, {"error": "Too many requests"}, extra)
        if entry in ("500", "503"):
            return self._json(int(entry), {"error": "Something went wrong"})
        if entry == "401" or headers.get("authorization") != f"Bearer {srv.token}":
            return self._json(401, {"error": "The access token is invalid"})
        if entry == "422":
            return self._json(422, {"error": "Validation failed: scripted"})
        try:
            doc = json.loads(body)
        except ValueError:
            return self._json(422, {"error": "Validation failed: body is not JSON"})
        text = doc.get("status") if isinstance(doc, dict) else None
        if not isinstance(text, str) or not text:
            return self._json(422, {"error": "Validation failed: Text can't be blank"})
        spoiler = doc.get("spoiler_text") or ""
        if count(text) + len(spoiler) > srv.max_characters:
            return self._json(422, {"error": "Validation failed: Text character limit of "
                                             f"{srv.max_characters} exceeded"})
        if doc.get("visibility", "public") not in ("public", "unlisted", "private", "direct"):
            return self._json(422, {"error": "Validation failed: Visibility is invalid"})
        lang = doc.get("language")
        if lang is not None and not re.fullmatch(r"[a-z]{2,3}(-[A-Z]{2})?", lang):
            return self._json(422, {"error": "Validation failed: Language is invalid"})
        key = headers.get("idempotency-key")
        with srv.lock:
            status = srv.by_key.get(key) if key else None
            if status is None:
                srv.next_id += 1
                status = {
                    "id": str(srv.next_id),
                    "created_at": iso(now),
                    "visibility": doc.get("visibility", "public"),
                    "language": lang,
                    "uri": f"https://mastodon.test/users/herald/statuses/{srv.next_id}",
                    "url": f"https://mastodon.test/@herald/{srv.next_id}",
                    "content": "<p>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</p>",
                    "text": text,
                    "account": {"id": "1", "username": "herald", "acct": "herald",
                                "note": "y" * 2000},
                }
                if key:
                    srv.by_key[key] = status
                srv.live[status["id"]] = status
                if srv.statuses:
                    with open(srv.statuses, "a", encoding="utf-8") as f:
                        f.write(json.dumps({"id": status["id"], "key": key, "status": text,
                                            "visibility": status["visibility"],
                                            "language": lang}, ensure_ascii=False) + "\n")
        if entry == "lost":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._json(200, status)

    do_POST = do_GET = do_PUT = do_DELETE = _handle


def parse_entry(e):
    e = e.strip()
    if e in ("ok", "lost", "500", "503", "401", "422"):
        return e
    for prefix in ("429:", "retry429:"):
        if e.startswith(prefix) and int(e[len(prefix):]) >= 0:
            return e
    raise ValueError(e)


class Script(receiver.Script):
    def _reload(self):
        if not self.control or not os.path.exists(self.control):
            return
        with open(self.control, encoding="utf-8") as f:
            text = f.read()
        if text == self.control_text:
            return
        try:
            entries = [parse_entry(e) for e in text.replace("\n", ",").split(",") if e.strip()]
        except ValueError as err:
            print(f"mastodon: ignoring control file: {err}", file=sys.stderr)
            return
        if entries:
            self.control_text = text
            self.entries = entries
            self.index = 0


def main(argv):
    p = argparse.ArgumentParser(description="A local Mastodon instance for tests.")
    p.add_argument("--port-file")
    p.add_argument("--log")
    p.add_argument("--statuses", help="append each status made here as a JSON line")
    p.add_argument("--respond", default="ok")
    p.add_argument("--control")
    p.add_argument("--token", default="mastodon-test-token")
    p.add_argument("--max-characters", type=int, default=500)
    p.add_argument("--instance", default="ok", help="ok, garbage, or an HTTP status")
    p.add_argument("--max-seconds", type=float, default=300)
    args = p.parse_args(argv)
    entries = [parse_entry(e) for e in args.respond.split(",") if e.strip()]
    server = receiver.Server(("127.0.0.1", 0), Handler)
    server.script = Script(entries, args.control)
    server.recorder = receiver.Recorder(args.log)
    server.verbose = False
    server.token = args.token
    server.max_characters = args.max_characters
    server.instance = args.instance
    server.statuses = args.statuses
    server.by_key = {}
    server.live = {}
    server.next_id = 109000000000000000
    server.lock = threading.Lock()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    if args.port_file:
        receiver.write_port_file(args.port_file, server.server_address[1])
    stop.wait(args.max_seconds)
    server.shutdown()
    thread.join()
    server.server_close()
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "count":
        print(count(sys.stdin.read().rstrip("\n")))
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
