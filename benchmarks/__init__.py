"""Benchmarks: a generated corpus, the libraries' own floor, and `seimei run` on the same inbox.

Speed and memory targets live here, never in the test suite. `make bench` or
`python -m benchmarks --n 200 1000`.
"""
