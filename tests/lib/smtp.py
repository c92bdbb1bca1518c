#!/usr/bin/python3
# A real SMTP server for the email tests: Debian's aiosmtpd on 127.0.0.1,
# run by the system's /usr/bin/python3 (python3-aiosmtpd installs there).
#
#   smtp.py --port-file F --dir D [--cert C --key K] [--smtps] [--plain]
#           [--auth USER:PASSWORD] [--fail-data CODE:N] [--refuse-rcpt PREFIX]
#           [--max-seconds S]
#
# STARTTLS is offered with the certificate and required before anything
# else unless --plain (then no TLS at all); --smtps wraps the socket in TLS
# from the start. --auth requires AUTH (after TLS) with that user and
# password. --fail-data answers the first N DATA commands with CODE (a 4xx
# or 5xx); --refuse-rcpt answers 550 to recipients starting with PREFIX.
# Every accepted message is written to D/N.eml (N from 1) with its
# envelope in D/N.json; D/log has one line per AUTH, refused RCPT and DATA
# (a refused DATA with the Message-ID it carried).
import argparse
from email.parser import BytesHeaderParser
import asyncio
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--smtps", action="store_true")
    ap.add_argument("--plain", action="store_true")
    ap.add_argument("--auth")
    ap.add_argument("--fail-data")
    ap.add_argument("--refuse-rcpt")
    ap.add_argument("--max-seconds", type=float, default=60)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    state = {"n": 0, "failed": 0}
    fail_code, fail_times = (a.fail_data.split(":") + ["0"])[:2] if a.fail_data else (None, 0)
    fail_times = int(fail_times)

    def log(line):
        with open(os.path.join(a.dir, "log"), "a") as f:
            f.write(line + "\n")

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if a.refuse_rcpt and address.startswith(a.refuse_rcpt):
                log("rcpt 550 " + address)
                return "550 5.1.1 no such mailbox here"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            if fail_code and state["failed"] < fail_times:
                state["failed"] += 1
                msg = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
                log("data %s %s" % (fail_code, msg.get("Message-ID")))
                return "%s %s.3.0 try that again" % (fail_code, fail_code[0])
            state["n"] += 1
            n = state["n"]
            with open(os.path.join(a.dir, "%d.eml" % n), "wb") as f:
                f.write(envelope.original_content or envelope.content)
            with open(os.path.join(a.dir, "%d.json" % n), "w") as f:
                json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                           "tls": server.transport.get_extra_info("ssl_object") is not None,
                           "auth": session.authenticated,
                           "login": (session.auth_data.login.decode()
                                     if isinstance(session.auth_data, LoginPassword) else None)},
                          f)
            log("data 250 %d" % n)
            return "250 2.0.0 queued as %d" % n

    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword) or not a.auth:
            return AuthResult(success=False, handled=False)
        user, password = a.auth.split(":", 1)
        ok = auth_data.login.decode() == user and auth_data.password.decode() == password
        log("auth %s %s" % (mechanism, "ok" if ok else "refused"))
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    ctx = None
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
    # aiosmtpd counts only STARTTLS as TLS for AUTH; with --smtps the
    # connection is TLS from its first byte, so AUTH is as safe there
    kw = {"hostname": "smtp.test", "authenticator": authenticator,
          "auth_required": bool(a.auth), "auth_require_tls": not a.plain and not a.smtps}
    if ctx and not a.smtps and not a.plain:
        kw.update(tls_context=ctx, require_starttls=True)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(Handler(), loop=loop, **kw), "127.0.0.1", 0,
        ssl=ctx if a.smtps else None))
    port = server.sockets[0].getsockname()[1]
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, a.port_file)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.call_later(a.max_seconds, loop.stop)
    loop.run_forever()
    server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
