"""``python -m bench``: run every benchmark suite (see ``bench/run.py``)."""

from bench.run import main

main()
