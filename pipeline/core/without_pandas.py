"""pandas kept out of the processes that never use it.

pyarrow imports pandas the first time it turns a Python list into an array, only to ask whether
the list is a pandas object: about 50 MiB and 0.4 s in each process. The reading workers and the
process of `seimei run` build their tables from lists and never use pandas (Great Expectations,
which does, validates in a process of its own: pipeline/validation_service.py), so they say it
is absent before pyarrow asks. Only for a process that does nothing else: not a test's, not a
notebook's, not the UI's.
"""

from __future__ import annotations

import sys


class _WithoutPandas:
    """An import finder that says pandas is not installed (pyarrow then asks no more)."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r} (this process does without it)", name=name)
        return None


def do_without_pandas() -> None:
    """From now on this process imports no pandas (a no-op where pandas is imported already)."""
    if "pandas" not in sys.modules and not any(isinstance(f, _WithoutPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _WithoutPandas())
