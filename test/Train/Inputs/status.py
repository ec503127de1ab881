#!/usr/bin/env python3
"""status.py CMD ARGS...: runs CMD, then prints how it ended: 'exit N', or
'killed by signal N' (which a shell would also report as exit 128 + N).
Always exits 0, so a test can FileCheck it. CMD starts with SIGINT's
default action, as from a terminal (lit's workers ignore SIGINT, and an
ignored signal stays ignored across exec)."""
import signal
import subprocess
import sys

signal.signal(signal.SIGINT, signal.SIG_DFL)
sys.stdout.flush()
r = subprocess.run(sys.argv[1:])
sys.stderr.flush()
print("exit %d" % r.returncode if r.returncode >= 0 else
      "killed by signal %d" % -r.returncode, flush=True)
