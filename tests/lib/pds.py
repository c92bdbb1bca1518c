#!/usr/bin/env python3
"""A local AT Protocol PDS for herald's bluesky tests (standard library only).

It binds 127.0.0.1 and answers the XRPC calls herald makes as a PDS does:

    POST /xrpc/com.atproto.server.createSession   {identifier, password}
         -> {accessJwt, refreshJwt, handle, did, didDoc}, or 401
            AuthenticationRequired for a wrong identifier or password
    POST /xrpc/com.atproto.server.refreshSession  Bearer refreshJwt
         -> new tokens; 400 ExpiredToken for a refresh token no longer good
    POST /xrpc/com.atproto.repo.createRecord      Bearer accessJwt
         {repo, collection, rkey, record} -> {uri, cid, commit}; 400
         InvalidRequest when a record is already at that key; 400
         ExpiredToken for an access token no longer good
    GET  /xrpc/com.atproto.repo.getRecord?repo&collection&rkey
         -> {uri, cid, value}, or 400 RecordNotFound
    POST /xrpc/com.atproto.repo.deleteRecord      Bearer accessJwt
         {repo, collection, rkey} -> {commit}; deleting a record that is
         not there succeeds too, as on a PDS
    POST /xrpc/com.atproto.repo.uploadBlob        Bearer accessJwt, the
         raw bytes with their Content-Type -> {"blob": {"$type": "blob",
         "ref": {"$link": CID}, "mimeType", "size"}}, CID being the CIDv1
         (raw codec, sha2-256) of the bytes, which go to --blobs/CID; 400
         InvalidRequest without a Content-Type, 413 PayloadTooLarge above
         --max-blob bytes (default 1000000)

createRecord refuses (400 InvalidRequest "Could not find blob") a record
whose embed.external.thumb is not a blob this PDS took, with the same
mimeType and size, as a PDS does.

It records every request as one JSON line (seq, method, path, query,
headers with lower-cased names, body, response) in --log, and the records
it holds in --records (a JSON object by rkey, rewritten after each create).

--plan NSID=ENTRY,ENTRY,... (repeatable) makes the next calls of NSID
answer otherwise, one entry per call, then normally again:

    expired       400 ExpiredToken (the token in use is dropped)
    429:SECONDS   429 RateLimitExceeded with RateLimit-Limit, -Remaining 0,
                  -Reset (Unix seconds, now + SECONDS) and -Policy, and no
                  Retry-After
    lost          createRecord: makes the record, then answers 502 as a
                  proxy that lost the answer would
    CODE          that status with {"error": "Failed"}

The receiver exits by itself after --max-seconds, and with status 0 on
SIGTERM.
"""

import argparse
import base64
import hashlib
import os
import http.server
import json
import signal
import sys
import threading
import time
import urllib.parse

DID = "did:plc:herald7test7account7x"


def cid_raw(data):
    """The CIDv1 of `data` as a blob: raw codec (0x55), sha2-256 multihash, base32."""
    digest = bytes([0x01, 0x55, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(digest).decode().lower().rstrip("=")


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.seq = 0
        self.serial = 0
        self.access = set()
        self.refresh = set()
        self.records = {}
        self.blobs = {}
        self.plans = {}
        self.args = args
        for p in args.plan:
            nsid, entries = p.split("=", 1)
            self.plans.setdefault(nsid, []).extend(e.strip() for e in entries.split(","))

    def tokens(self):
        self.serial += 1
        a = "acc-%d.%s" % (self.serial, "A" * 40)
        r = "ref-%d.%s" % (self.serial, "R" * 40)
        self.access.add(a)
        self.refresh.add(r)
        return a, r


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, code, doc, headers=None, record=None):
        st = self.server.state
        body = json.dumps(doc).encode()
        with st.lock:
            st.seq += 1
            record["seq"] = st.seq
            record["response"] = code
            with open(st.args.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def bearer(self):
        h = self.headers.get("Authorization", "")
        return h[len("Bearer "):] if h.startswith("Bearer ") else None

    def handle_any(self, method):
        st = self.server.state
        u = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        rec = {"time": time.time(), "method": method, "path": u.path, "query": u.query,
               "headers": {k.lower(): v for k, v in self.headers.items()},
               "body": raw.decode("utf-8", "replace")}
        nsid = u.path[len("/xrpc/"):] if u.path.startswith("/xrpc/") else ""
        with st.lock:
            plan = st.plans.get(nsid) or []
            entry = plan.pop(0) if plan else None
        err = lambda code, name, msg="", hdr=None: self.answer(
            code, {"error": name, "message": msg or name}, hdr, rec)
        if entry == "expired":
            with st.lock:
                st.access.discard(self.bearer())
            return err(400, "ExpiredToken", "Token has expired")
        if entry and entry.startswith("429:"):
            reset = int(time.time() + float(entry[4:]))
            return err(429, "RateLimitExceeded", "Rate Limit Exceeded", {
                "RateLimit-Limit": "30", "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(reset), "RateLimit-Policy": "30;w=300"})
        if entry and entry.isdigit():
            return err(int(entry), "Failed")
        if nsid == "com.atproto.repo.uploadBlob" and method == "POST":
            rec["body"] = ""
            rec["body_sha256"] = hashlib.sha256(raw).hexdigest()
            rec["body_len"] = len(raw)
            if self.bearer() not in st.access:
                return err(400 if self.bearer() else 401, "ExpiredToken" if self.bearer()
                           else "AuthenticationRequired")
            mime = self.headers.get("Content-Type", "")
            if not mime:
                return err(400, "InvalidRequest", "no Content-Type")
            if len(raw) > st.args.max_blob:
                return err(413, "PayloadTooLarge", "request entity too large")
            cid = cid_raw(raw)
            blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(raw)}
            with st.lock:
                st.blobs[cid] = blob
                os.makedirs(st.args.blobs, exist_ok=True)
                with open(os.path.join(st.args.blobs, cid), "wb") as f:
                    f.write(raw)
            return self.answer(200, {"blob": blob}, None, rec)
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            return err(400, "InvalidRequest", "body is not JSON")
        if nsid == "com.atproto.server.createSession" and method == "POST":
            if not isinstance(doc, dict) or doc.get("identifier") != st.args.handle \
                    or doc.get("password") != st.args.password:
                return err(401, "AuthenticationRequired", "Invalid identifier or password")
            with st.lock:
                a, r = st.tokens()
            return self.answer(200, {"accessJwt": a, "refreshJwt": r, "handle": st.args.handle,
                                     "did": DID, "active": True,
                                     "didDoc": {"id": DID, "alsoKnownAs": ["at://" + st.args.handle],
                                                "padding": "x" * 3000}}, None, rec)
        if nsid == "com.atproto.server.refreshSession" and method == "POST":
            with st.lock:
                if self.bearer() not in st.refresh:
                    ok = False
                else:
                    st.refresh.discard(self.bearer())
                    ok = True
                    a, r = st.tokens()
            if not ok:
                return err(400, "ExpiredToken", "Token has been revoked")
            return self.answer(200, {"accessJwt": a, "refreshJwt": r,
                                     "handle": st.args.handle, "did": DID}, None, rec)
        if nsid == "com.atproto.repo.createRecord" and method == "POST":
            if self.bearer() not in st.access:
                return err(400 if self.bearer() else 401, "ExpiredToken" if self.bearer()
                           else "AuthenticationRequired")
            if not isinstance(doc, dict) or doc.get("repo") != DID or \
                    doc.get("collection") != "app.bsky.feed.post" or not doc.get("rkey"):
                return err(400, "InvalidRequest", "bad input")
            thumb = ((doc.get("record") or {}).get("embed") or {}).get("external", {}).get("thumb")
            if thumb is not None:
                with st.lock:
                    known = st.blobs.get(((thumb or {}).get("ref") or {}).get("$link"))
                if known != thumb:
                    return err(400, "InvalidRequest", "Could not find blob")
            rkey = doc["rkey"]
            uri = "at://%s/app.bsky.feed.post/%s" % (DID, rkey)
            with st.lock:
                if rkey in st.records:
                    exists = True
                else:
                    exists = False
                    st.records[rkey] = doc["record"]
                    with open(st.args.records, "w", encoding="utf-8") as f:
                        json.dump(st.records, f, ensure_ascii=False)
            if exists:
                return err(400, "InvalidRequest", "Record already exists")
            if entry == "lost":
                return err(502, "UpstreamFailure")
            return self.answer(200, {"uri": uri, "cid": "bafyreicid" + rkey,
                                     "commit": {"cid": "bafyreicommit", "rev": rkey}}, None, rec)
        if nsid == "com.atproto.repo.getRecord" and method == "GET":
            q = urllib.parse.parse_qs(u.query)
            rkey = (q.get("rkey") or [""])[0]
            with st.lock:
                value = st.records.get(rkey)
            if value is None or (q.get("repo") or [""])[0] != DID:
                return err(400, "RecordNotFound", "Could not locate record")
            return self.answer(200, {"uri": "at://%s/app.bsky.feed.post/%s" % (DID, rkey),
                                     "cid": "bafyreicid" + rkey, "value": value}, None, rec)
        if nsid == "com.atproto.repo.deleteRecord" and method == "POST":
            if self.bearer() not in st.access:
                return err(400 if self.bearer() else 401, "ExpiredToken" if self.bearer()
                           else "AuthenticationRequired")
            if not isinstance(doc, dict) or doc.get("repo") != DID or \
                    doc.get("collection") != "app.bsky.feed.post" or not doc.get("rkey"):
                return err(400, "InvalidRequest", "bad input")
            with st.lock:
                st.records.pop(doc["rkey"], None)
                with open(st.args.records, "w", encoding="utf-8") as f:
                    json.dump(st.records, f, ensure_ascii=False)
            return self.answer(200, {"commit": {"cid": "bafyreicommit", "rev": doc["rkey"]}},
                               None, rec)
        return err(404, "MethodNotImplemented")

    def do_POST(self):
        self.handle_any("POST")

    def do_GET(self):
        self.handle_any("GET")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--records", required=True)
    ap.add_argument("--handle", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--plan", action="append", default=[])
    ap.add_argument("--blobs", default=None)
    ap.add_argument("--max-blob", type=int, default=1000000)
    ap.add_argument("--max-seconds", type=float, default=120)
    args = ap.parse_args()
    if args.blobs is None:
        args.blobs = args.records + ".blobs"
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.state = State(args)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    timer = threading.Timer(args.max_seconds, srv.shutdown)
    timer.daemon = True
    timer.start()
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    try:
        srv.serve_forever()
    except SystemExit:
        pass


if __name__ == "__main__":
    main()
