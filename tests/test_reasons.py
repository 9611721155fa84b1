"""Error lines from the logs of real cells (excerpts of real output, machine paths shortened)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dtws import reasons

PIP_PY3 = """\
      Traceback (most recent call last):
        File "<string>", line 2, in <module>
        File "/tmp/pip-install-x/django-socketio_1/setup.py", line 7, in <module>
          version = __import__("django_socketio").__version__,
        File "/tmp/pip-install-x/django-socketio_1/django_socketio/utils.py", line 44
          except IndexError, KeyError:
                 ^^^^^^^^^^^^^^^^^^^^
      SyntaxError: multiple exception types must be parenthesized
      [end of output]
"""

CHECK_DJANGO19 = """\
Traceback (most recent call last):
  File "manage.py", line 10, in <module>
    execute_from_command_line(sys.argv)
  File "/x/.tox/py27-django19/lib/python2.7/site-packages/django_socketio/urls.py", line 4, in <module>
    from django.utils.importlib import import_module
ImportError: No module named importlib
"""

GREENLET = """\
RemovedInDjango19Warning: django.utils.importlib will be removed in Django 1.9.
Traceback (most recent call last):
  File "src/gevent/greenlet.py", line 908, in gevent._gevent_cgreenlet.Greenlet.run
  File "/x/site-packages/socketio/transports.py", line 22, in write
    if 'Content-Length' not in self.handler.response_headers_list:
AttributeError: 'SocketIOHandler' object has no attribute 'response_headers_list'
"""


def test_python3_install_of_django_socketio() -> None:
    found = reasons.first_error(PIP_PY3)
    assert str(found) == (
        "SyntaxError: multiple exception types must be parenthesized (django_socketio/utils.py line 44)"
        " — Python 2 only code: django-socketio 0.3.9 was never ported to Python 3"
    )


def test_removed_django_utils_importlib() -> None:
    found = reasons.first_error(CHECK_DJANGO19)
    assert found is not None
    assert (found.exception, found.file, found.line) == ("ImportError", "django_socketio/urls.py", 4)
    assert found.why == "django.utils.importlib was removed in Django 1.9"


def test_a_warning_is_not_the_error() -> None:
    found = reasons.first_error(GREENLET)
    assert found is not None
    assert found.exception == "AttributeError"
    assert "django-socketio issue #63" in str(found)


def test_no_traceback_no_error_line() -> None:
    assert reasons.first_error("ValueError: said in passing\nall good\n") is None


def test_an_unknown_error_has_no_explanation() -> None:
    found = reasons.first_error("Traceback (most recent call last):\n  File \"a.py\", line 1\nKeyError: 'x'\n")
    assert str(found) == "KeyError: 'x' (a.py line 1)"


def test_a_long_message_is_cut_to_one_readable_line() -> None:
    found = reasons.first_error("Traceback (most recent call last):\nValueError: " + "x" * 1000 + "\n")
    assert found is not None
    assert len(str(found)) < 200 and str(found).endswith("…")


def test_machine_paths_are_shortened() -> None:
    assert reasons.short_path("/home/u/.tox/e/lib/python2.7/site-packages/socketio/handler.py") == "socketio/handler.py"
    assert (
        reasons.short_path("/tmp/pip-build-abc/django-socketio/django_socketio/utils.py") == "django_socketio/utils.py"
    )


def test_a_compilers_fatal_error_is_the_error() -> None:
    log = (
        "  gevent/libevent.h:9:10: fatal error: event.h: No such file or directory\n"
        "  compilation terminated.\n  error: command 'gcc' failed with exit status 1\n"
    )
    found = reasons.first_error(log)
    assert found is not None and (found.exception, found.file, found.line) == ("fatal error", "gevent/libevent.h", 9)
    assert found.why is not None and "libevent" in found.why


GEVENT_10_ON_PYTHON_3 = """\
         gevent/gevent.core.c:839:5: warning: implicit declaration of function 'PyInt_Check'
         gevent/gevent.core.c:42744:21: error: 'PyThreadState' {aka 'struct _ts'} has no member named 'exc_type'
         gevent/gevent.core.c:42745:22: error: 'PyThreadState' {aka 'struct _ts'} has no member named 'exc_value'
         error: Command '['gcc', '-c', 'gevent/gevent.core.c']' returned non-zero exit status 1.
"""


def test_a_compilers_first_error_is_the_error_fatal_or_not() -> None:
    """py38-django42-geventsocketio's install: gevent 1.0's C code against Python 3.8 (uv's build output)."""
    found = reasons.first_error(GEVENT_10_ON_PYTHON_3)
    assert found is not None and (found.exception, found.file, found.line) == ("error", "gevent/gevent.core.c", 42744)
    assert found.message == "'PyThreadState' {aka 'struct _ts'} has no member named 'exc_type'"
    assert found.why is not None and "gevent 1.0" in found.why and "Python 2 only" in found.why


GEVENT_10_IMPORTED_ON_PYTHON_36 = """\
  File "/x/.tox/py36-django111-geventsocketio/lib/python3.6/site-packages/gevent/__init__.py", line 41, in <module>
    from gevent.hub import get_hub, iwait, wait
  File "/x/.tox/py36-django111-geventsocketio/lib/python3.6/site-packages/gevent/hub.py", line 289
    except Exception, ex:
                    ^
SyntaxError: invalid syntax
"""


def test_gevent_10_built_on_python_36_then_does_not_import() -> None:
    """py36-django111-geventsocketio's check: pip built gevent 1.0.2 there, but its Python is Python 2's."""
    found = reasons.first_error(GEVENT_10_IMPORTED_ON_PYTHON_36)
    assert found is not None and (found.exception, found.file, found.line) == ("SyntaxError", "gevent/hub.py", 289)
    assert found.why is not None and "gevent 1.0" in found.why and "Python 2 only code" in found.why


def test_a_compilers_first_error_is_the_reason(tmp_path: Path) -> None:
    """The real C compiler's output, as pip shows a failed build of an sdist (uWSGI's): its first ``error:``."""
    compiler = shutil.which("gcc") or shutil.which("cc")
    assert compiler is not None, "no C compiler: make test installs gcc"
    source = tmp_path / "python_plugin.c"
    source.write_text("int main(void) {\n    return undeclared_thing;\n}\nint f(void) { return also_undeclared; }\n")
    command = [compiler, "-c", str(source), "-o", str(tmp_path / "plugin.o")]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode != 0 and done.stderr.count("error:") >= 2
    log = "  running build\n" + "".join(f"      {line}\n" for line in done.stderr.splitlines())
    log += "  *** error compiling plugin ***\n  error: subprocess-exited-with-error\n"
    found = reasons.first_error(log)
    assert found is not None
    assert (found.exception, found.file, found.line) == ("error", f"{tmp_path.name}/python_plugin.c", 2)
    assert "undeclared_thing" in found.message and "also_undeclared" not in found.message
    assert str(found).startswith("error: ") and found.why is None


# uWSGI 2.0.31's build on a machine without gcc (pip install uWSGI, PATH without it).
UWSGI_NO_GCC = """\
  using profile: buildconf/default.ini
  detected include path: ['/usr/include', '/usr/local/include']
  Traceback (most recent call last):
    File "/tmp/pip-install-phnlyyeo/uwsgi_c533d3c0c74f/uwsgiconfig.py", line 752, in __init__
      gcc_version_components = gcc_version.split('.')
  AttributeError: 'NoneType' object has no attribute 'split'
"""


def test_uwsgis_build_without_a_compiler_says_so() -> None:
    found = reasons.first_error(UWSGI_NO_GCC)
    assert found is not None and (found.exception, found.line) == ("AttributeError", 752)
    assert found.why == "uWSGI's build found no C compiler (its gcc -dumpversion answered nothing)"


def test_ws4redis_runserver_hook_on_django_3_says_why() -> None:
    """What dtws bisect py36-django111-wsredis --package Django --step django-server found from Django 3.0."""
    log = (
        '  File "/x/.tox/e/lib/python3.6/site-packages/ws4redis/django_runserver.py", line 13, in <module>\n'
        "    from django.utils.six.moves import socketserver\n"
        "ModuleNotFoundError: No module named 'django.utils.six'\n"
    )
    found = reasons.first_error(log)
    assert found is not None and str(found) == (
        "ModuleNotFoundError: No module named 'django.utils.six' (ws4redis/django_runserver.py line 13)"
        " — django.utils.six was removed in Django 3.0"
    )


@pytest.mark.parametrize(
    ("file", "code", "error", "why"),
    [
        # py38-django22-pysocketio's test step: python-socketio's ASGIApp around Django's ASGI app, on Django 2.2.
        (
            "chat_pysocketio/asgi.py",
            "from django.core.asgi import get_asgi_application",
            "ModuleNotFoundError: No module named 'django.core.asgi'",
            "django.core.asgi came in Django 3.0: an ASGI app around Django's (python-socketio's ASGIApp, Channels)"
            " needs it",
        ),
        # A Channels routing as its docs write it, on Django 1.11.
        (
            "chat_channels/routing.py",
            "from django.urls import re_path",
            "ImportError: cannot import name 're_path'",
            "django.urls.re_path came in Django 2.0",
        ),
    ],
)
def test_an_app_on_a_django_before_what_it_uses_says_why(file: str, code: str, error: str, why: str) -> None:
    found = reasons.first_error(f'  File "/x/{file}", line 4, in <module>\n    {code}\n{error}\n')
    assert found is not None and str(found) == f"{error} ({file} line 4) — {why}"


def test_a_library_calling_what_its_python_lacks_says_why() -> None:
    """py36-django32-pysocketio's round trip: python-socketio's server emits with asyncio.create_task on 3.6."""
    trace = (
        '  File "/x/lib/python3.6/site-packages/socketio/async_manager.py", line 46, in emit\n'
        "    tasks.append(asyncio.create_task(\n"
        "AttributeError: module 'asyncio' has no attribute 'create_task'\n"
    )
    found = reasons.first_error(trace)
    assert found is not None and found.why is not None and "came in Python 3.7" in found.why


def test_missing_python_headers_are_named() -> None:
    line = "    plugins/python/uwsgi_python.h:2:10: fatal error: Python.h: No such file or directory\n"
    found = reasons.first_error(line)
    assert found is not None and found.exception == "fatal error" and found.why is not None
    assert "Python.h" in found.why


GEVENT_011 = """\
      File "/tmp/pip-install-x/gevent/setup.py", line 160, in <module>
        libevent = ctypes.cdll.LoadLibrary('libevent.so')
      File "/x/lib/python2.7/ctypes/__init__.py", line 366, in __init__
        self._handle = _dlopen(self._name, mode)
    OSError: libevent.so: cannot open shared object file: No such file or directory
"""

GEVENT_13 = """\
  File "/x/.tox/py27-django18/lib/python2.7/site-packages/gevent/_util.py", line 105, in import_c_accel
    mod = importlib.import_module(cname)
  File "src/gevent/__greenlet_primitives.pxd", line 12, in init gevent.__hub_local
ValueError: greenlet.greenlet has the wrong size, try recompiling. Expected 40, got 128
"""


def test_old_gevents_that_cannot_build_or_load_here() -> None:
    """From a scan of every gevent release on py27-django18 (dtws bisect --every)."""
    old = reasons.first_error(GEVENT_011)
    assert old is not None and old.why is not None and "libevent.so with ctypes" in old.why
    binary = reasons.first_error(GEVENT_13)
    assert binary is not None and (binary.exception, binary.file) == ("ValueError", "gevent/__greenlet_primitives.pxd")
    assert binary.why is not None and "compiled against another greenlet" in binary.why
    later = GEVENT_13.replace(
        "has the wrong size, try recompiling. Expected 40, got 128",
        "size changed, may indicate binary incompatibility. Expected 128 from C header, got 40 from PyObject",
    )
    found = reasons.first_error(later)
    assert found is not None and found.why == binary.why


AIOREDIS = """\
    Traceback (most recent call last):
      File "<string>", line 1, in <module>
      File "/tmp/pip-install-x/aioredis/setup.py", line 15, in <module>
        raise RuntimeError("aioredis doesn't support Python version prior 3.5")
    RuntimeError: aioredis doesn't support Python version prior 3.5
    ----------------------------------------
"""


def test_channels_redis_on_python_2() -> None:
    """py27-django18-channelsredis's install: pip's pick for Python 2.7 needs a Python 3.5+ aioredis."""
    found = reasons.first_error(AIOREDIS)
    assert found is not None and (found.exception, found.file, found.line) == ("RuntimeError", "aioredis/setup.py", 15)
    assert found.why is not None and "channels-redis 2.3.2" in found.why and "aioredis 1.x" in found.why
