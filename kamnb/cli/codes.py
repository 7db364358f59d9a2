"""Exit codes of every kamnb command, in one place.

0 done; 1 some account failed or the workbook is invalid; 2 usage error (a bad
path, an unknown account, a missing notebook); 130 interrupted with Ctrl-C; 143 stopped by
SIGTERM (finished reviews, the manifest and the index are kept in both cases).
"""

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
