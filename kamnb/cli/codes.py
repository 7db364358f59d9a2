"""Exit codes of every kamnb command, in one place.

0 done; 1 some account failed or the workbook is invalid; 2 usage error (a bad
path, an unknown account, a missing notebook); 130 interrupted with Ctrl-C.
"""

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
