"""Does each library's websocket speak RFC 6455? The Autobahn|Testsuite against its echo, beside the bare protocol's.

``python -m dtws conform`` (dtws.commands.conform) calls ``run.conform``: the
suite (dtws.conform.suite, installed into a cache folder with this machine's
Python 2.7) against the bare ``websockets`` echo (dtws.conform.reference) and
each library's echo endpoint (``Library.echo``) on its newest passing cell, as
the bench picks it. The cases go to ``conformance.json`` (dtws.conform.data,
with the history of earlier runs), Autobahn's HTML reports beside it.
"""
