"""A library under test, declared once: its facts (``Library``, plain data) and its probes (``Probes``).

Each module of ``dtws/libraries/`` declares a library's facts as ``LIBRARY``
(as each command module declares its ``COMMAND``), importing nothing that
runs, and ``dtws.libraries.LIBRARIES`` lists them; the module of the same name
in ``dtws/solutions/`` declares its ``PROBES``, which the steps look up
(``dtws.solutions.probes``). A library has one name in code: its factor (the
first library's, without one, its name's), which names both modules and its
app (``chat_<factor>``), checked by the tests. Everything else derives from
the list or is checked against it by the tests: the settings' app (from
``app``), tox.ini's factor lines (``tox_lines``: deps, DTWS_SOLUTION, the test
command), the folders ``run --changed`` hashes, the workflow's plan, the
site's pages; the matrix's cells are every one Django supports (dtws.matrix).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

Trace = Callable[[str], None]
# (port, deadline as a time.monotonic() value, trace) -> one line on success; raises on failure
Probe = Callable[[int, float, Trace], str]
# (client A's port, client B's port, deadline, trace): A's message must reach B; one line, or raises
RoundTrip = Callable[[int, int, float, Trace], str]
# (port, text, deadline, trace): a second, non-browser client sends text to the chat
Send = Callable[[int, str, float, Trace], None]
# A server beside Django that a library needs, which dtws starts for the cell (dtws.services).
Service = Literal["redis"]
# The wire protocol a load client of the bench (dtws.bench.clients) speaks to a library's socket server.
Wire = Literal["rfc6455", "socket.io-5", "socket.io-0.6", "socket.io-0.9"]


@dataclass(frozen=True)
class Load:
    """How the bench's load clients reach a library's chat: the protocol, and where its chat is."""

    wire: Wire
    path: str = "/"  # RFC 6455: the chat's path; Socket.IO: the server's root
    # What its chat is known to do to messages under load (its docs say so): why a level's messages went missing.
    drops: str | None = None


@dataclass(frozen=True)
class Echo:
    """Where the library's server stack echoes every message back, text and binary (dtws.conform runs the
    Autobahn|Testsuite against it): a path its first socket server process serves, wired as its docs wire a handler.

    ``missing``: its stack has no RFC 6455 websocket to echo on, and why (then ``path`` is None).
    """

    path: str | None
    missing: str | None = None


@dataclass(frozen=True)
class Header:
    """A C header a build of the library's install needs from the machine, and the Debian package that has it.

    The install step looks for it where uWSGI's build looks for its optional headers (dtws.steps.install)."""

    path: str  # as the build includes it, e.g. "openssl/ssl.h"
    package: str  # the Debian package that installs it
    why: str  # what the build does without it (one line)
    # What the built software prints when it was built without it: in a step's log, a harness error (a wheel built
    # on such a machine may still be in pip's or uv's cache after the header was installed).
    said: str


# What a file of a library's app is to a project that integrates it (the review's "Integration" and "Event-driven").
Role = Literal["settings", "urls", "routing", "asgi", "wsgi", "template", "client", "handlers"]


@dataclass(frozen=True, kw_only=True)
class Library:
    """A library (or a variant of one) under test: the solution axis of the matrix."""

    name: str  # as the matrix, the records and the site name it
    factor: str  # the tox env factor after py{XY}-django{AB}; "" for the first library
    package: str  # the distribution whose version the records report and whose claims they read
    app: str  # its Django app (a folder of the project): DTWS_SOLUTION names it, its tests are the test step
    deps: tuple[str, ...]  # what tox.ini installs for it beside Django and coverage, as its docs say
    # The Django series and Pythons it claims (its classifiers, its docs); None: it names none. An overlay on its
    # cells, which are every one Django supports (dtws.matrix); a test-only library's claims are its cells.
    djangos: tuple[str, ...] | None
    pythons: tuple[str, ...] | None
    client_js: str  # the JS client as the index page must load it
    client_js_marker: bytes  # a text the served client file must contain
    serves_page: bool  # whether the socket server also serves the index page (else runserver does)
    # The socket server's arguments after `python`, "{port}" standing for its port.
    socket_server: tuple[str, ...]
    npm_file: str | None = None  # a file of the project's npm packages the page needs
    # How many socket server processes the websocket-server, round-trip and browser steps start.
    processes: int = 1
    # What dtws starts beside the cell's processes, after its install (dtws.services).
    services: tuple[Service, ...] = ()
    # The newest Python that installs it (its cells' install steps say which): the question a user asks first,
    # the last Django release under which its Django server still starts, is bisected there (dtws.questions).
    # None: no such bisect.
    bisect_python: str | None = None
    # Dependencies the installer builds from source (C): the install step first checks that the cell's
    # machine has a C compiler and the Python headers, whose absence is a harness error.
    builds: tuple[str, ...] = ()
    # The machine's headers those builds need for what the cell runs, which must be where the build looks (likewise).
    build_headers: tuple[Header, ...] = ()
    # The chat the bench loads (dtws.bench); None: the bench has no load client for it, and says so.
    load: Load | None = None
    # Its echo endpoint for the protocol's conformance suite; None: dtws declares none for it yet.
    echo: Echo | None = None
    # The files of the project a project using the library adds or changes, by what each is to it (dtws.answers
    # shows them as they are); () for every file of its app but its tests.
    integration: tuple[tuple[Role, str], ...] = ()
    # Its cells are the review's seven only (the review's workaround, which the review tried there alone).
    review_only: bool = False
    # Only dtws's own tests run it: its cells are selectable by name, but no cell of the matrix
    # (not in CELLS, the workflow or the site).
    test_only: bool = False

    @property
    def module(self) -> str:
        """Its one name in code: its factor (the first library's: its name's), which names its two modules."""
        return self.factor or self.name.replace("-", "_")

    def server_args(self, port: int) -> list[str]:
        """The socket server's arguments after `python`, on ``port``."""
        return [arg.replace("{port}", str(port)) for arg in self.socket_server]

    def built_without(self, log: bytes) -> str | None:
        """Why a log shows the machine's fault, not the library's: what its build said without a header it needs."""
        for header in self.build_headers:
            if header.said.encode() in log:
                return (
                    f"{' and '.join(self.builds)} says {header.said!r}: it was built without {header.path} (a machine"
                    f" without {header.package}, or a wheel such a build left in pip's or uv's cache)"
                )
        return None


@dataclass(frozen=True, kw_only=True)
class Probes:
    """How dtws talks to a library's socket server (dtws/solutions/<module>.py): its real protocol clients."""

    handshake: Probe  # on each socket server process
    # Client A on the first socket server process, client B on the last (the same one when there is one).
    round_trip: RoundTrip
    # The browser step: the page from the first process, the second client on the last.
    send: Send
    # A library that hooks runserver for development (ws4redis' django_runserver): the handshake
    # runserver itself must answer in the django-server step; None: runserver serves only the page.
    runserver_websocket: Probe | None = None


def tox_lines(libraries: Sequence[Library]) -> dict[str, list[str]]:
    """tox.ini's lines of each library, by [testenv] setting: its deps, its DTWS_SOLUTION, its test command.

    The first library has no factor: its lines are conditioned on none of the
    others' factors (``!workaround-!channels-...:``).
    """
    others = "-".join(f"!{lib.factor}" for lib in libraries if lib.factor)
    lines: dict[str, list[str]] = {"deps": [], "set_env": [], "commands": []}
    for lib in libraries:
        condition = lib.factor or others
        lines["deps"] += [f"{condition}: {dep}" for dep in lib.deps]
        if lib.factor:
            lines["set_env"].append(f"{condition}: DTWS_SOLUTION = {lib.app}")
        lines["commands"].append(
            f"{condition}: coverage run --source=DjangoTestWebsockets,{lib.app} manage.py test {lib.app}"
        )
    return lines
