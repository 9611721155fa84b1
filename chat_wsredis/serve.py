"""``python -m chat_wsredis.serve --port N``: uWSGI as ws4redis' docs run it stand alone, on 127.0.0.1:N.

``uwsgi --virtualenv <env> --http :N --gevent 100 --http-websockets --module wsgi``,
with the env's own uwsgi (built from source at install) and this project's
wsgi module; this process becomes uWSGI (exec), so the step's process group
is uWSGI's.

``DTWS_UWSGI_WORKERS=N`` (a switch of dtws's fault drills): a master process
and N workers, each loading the application itself (``--lazy-apps``).
"""
import os
import sys


def command(port, workers):
    uwsgi = os.path.join(os.path.dirname(sys.executable), "uwsgi")
    args = [uwsgi, "--virtualenv", sys.prefix, "--http", "127.0.0.1:{}".format(port), "--gevent", "100", "--http-websockets"]
    args += ["--module", "chat_wsredis.wsgi"]
    if workers:
        args += ["--master", "--workers", str(workers), "--lazy-apps"]
    return args


def main():
    if len(sys.argv) != 3 or sys.argv[1] != "--port":
        sys.exit("usage: python -m chat_wsredis.serve --port N")
    args = command(int(sys.argv[2]), int(os.environ.get("DTWS_UWSGI_WORKERS") or 0))
    sys.stdout.write("exec {}\n".format(" ".join(args)))
    sys.stdout.flush()
    os.execv(args[0], args)


if __name__ == "__main__":
    main()
