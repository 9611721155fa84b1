"""The faults a cell's process can commit when ``DTWS_FAULT`` asks and ``DTWS_STEP`` is ``DTWS_FAULT_STEP``.

- ``flood``: writes binary, NUL and ANSI bytes to stdout without end;
- ``hang``: sleeps without end;
- ``crash``: dies of SIGSEGV;
- ``ignore-term``: ignores SIGTERM, then sleeps without end;
- ``setsid-child``: leaves a child in a session of its own, sleeping, then goes on as usual;
- ``fail-once``: fails on the step's first attempt (``DTWS_ATTEMPT`` 1), then goes on as usual.

The faults app commits them in any cell: the project's settings add it when
``DTWS_FAULT`` is set.
"""
import os
import signal
import sys
import time

FOREVER = 10 ** 6


def _flood():
    out = getattr(sys.stdout, "buffer", sys.stdout)
    chunk = (b"\x00\xff\xfe\x1b[31mflood\x1b[0m\x07\r" + bytes(bytearray(range(256)))) * 256
    while True:
        out.write(chunk)


def _hang():
    time.sleep(FOREVER)


def _crash():
    os.kill(os.getpid(), signal.SIGSEGV)


def _ignore_term():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(FOREVER)


def _setsid_child():
    if os.fork() == 0:
        os.setsid()
        time.sleep(FOREVER)
        os._exit(0)


class FlakyError(Exception):
    pass


def _fail_once():
    if os.environ.get("DTWS_ATTEMPT", "1") == "1":
        raise FlakyError("dtws's fail-once fault fails this step's first attempt")


FAULTS = {
    "flood": _flood,
    "hang": _hang,
    "crash": _crash,
    "ignore-term": _ignore_term,
    "setsid-child": _setsid_child,
    "fail-once": _fail_once,
}


def commit():
    fault = os.environ.get("DTWS_FAULT", "")
    if fault and os.environ.get("DTWS_STEP") == os.environ.get("DTWS_FAULT_STEP", "check"):
        FAULTS[fault]()
