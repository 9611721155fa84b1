"""The bench: how fast each library's chat is under a bounded load, beside the bare protocol's.

``python -m dtws bench`` (dtws.commands.bench) calls ``run.bench``: for each
library, its newest passing cell (or a cell named), its servers started as the
cell starts them (dtws.steps.base, dtws.services), and the same chat load
(dtws.bench.load, with the clients of dtws.bench.clients) driven in turn
against them and against a minimal broadcast server written with the bare
protocol library (dtws.bench.reference). The figures go to ``bench.json``
(dtws.bench.data, with the history of earlier runs).
"""
