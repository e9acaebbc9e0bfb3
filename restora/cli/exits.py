"""The exit codes of every ``restora`` command, defined once (the README's "Exit codes" lists them)."""

OK = 0
FAILED = 1  # a check found a problem (e.g. `restora models verify` found a damaged file)
USAGE = 2  # a usage error: a wrong flag or value (click's own code for usage errors)
BAD_IMAGE = 3  # an input image could not be read or was refused; the other images of a batch still ran
MISSING_WEIGHTS = 4  # weights missing or unusable: every image would fail alike, so nothing ran
