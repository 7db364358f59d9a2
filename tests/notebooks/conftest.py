# These notebooks are inputs of the batch tests (one raises, one hangs, one kills
# its kernel on purpose); nbval must not collect them.
collect_ignore_glob = ["*.ipynb"]
