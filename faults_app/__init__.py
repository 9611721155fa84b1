"""A test-only integration whose processes misbehave on demand, to prove the harness survives them.

Used by dtws's own tests only (the ``faults`` library, which is no cell of the
published matrix). ``DTWS_FAULT`` names the fault and ``DTWS_FAULT_STEP`` the
step whose process commits it (``DTWS_STEP``, set by the harness); see faults.py.
Runs in a cell: Python 2.7 and every 3.x, stdlib only.
"""
