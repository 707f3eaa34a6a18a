"""Execute a notebook in place with nbclient (Debian: python3-nbclient), cell by cell.

Called by `cassperf run` (src/kernel/run.ts), which has already injected the parameters and points
JUPYTER_PATH at a kernelspec for this package's kernel. Prints one progress line per code cell on
stderr; writes the notebook with its outputs even when a cell fails.

usage: run_notebook.py NOTEBOOK KERNEL_NAME TIMEOUT_SECONDS [CWD]
(CWD: the folder cells run in, default the notebook's own folder)
With CASSPERF_ALLOW_ERRORS=1 (`cassperf run --allow-errors`) a failed cell does not stop the run: it is
marked (tag "failed", metadata cassperf.failed) and the cells after it run; the failed cells are named at
the end and the exit status is still 1.
exit: 0 all cells ran, 1 a cell failed (the error is printed), 3 the kernel could not start,
      4 stopped by SIGTERM/SIGHUP/SIGINT or because `cassperf run` (the parent) died

Stopping: a signal, or the parent process going away (polled each second: `cassperf run` may be
killed with SIGKILL), raises Stopped in the main thread, so the kernel is shut down by
setup_kernel()'s cleanup and the notebook is written with the cells that had run.
"""
import logging
import os
import shutil
import signal
import sys
import threading
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


class Stopped(BaseException):
    """A stop signal or the parent's death: unwinds through setup_kernel() so the kernel is shut down."""


def _stop(signum, _frame):
    raise Stopped(signal.Signals(signum).name)


_parent_gone = False


def _watch_parent(parent: int) -> None:
    """Signal ourselves when the parent is gone (we were re-parented)."""
    global _parent_gone
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            _parent_gone = True
            signal.pthread_kill(threading.main_thread().ident, signal.SIGTERM)  # to the main thread, so a blocking select() is interrupted
            return


def main() -> int:
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, _stop)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    path, kernel_name, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cwd = sys.argv[4] if len(sys.argv) > 4 else os.path.dirname(os.path.abspath(path))
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=kernel_name,
        timeout=timeout,
        allow_errors=False,
        record_timing=False,  # no per-cell timestamps: committed runbooks diff cleanly
        resources={"metadata": {"path": cwd}},
    )
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    allow_errors = os.environ.get("CASSPERF_ALLOW_ERRORS") == "1"
    for i in code_cells:  # a re-run starts with no cell marked failed
        tags = nb.cells[i].get("metadata", {}).get("tags", [])
        if "failed" in tags:
            tags.remove("failed")
        nb.cells[i].get("metadata", {}).pop("cassperf", None)
    failed = []
    status = 0
    t0 = time.time()
    try:
        with client.setup_kernel():
            print(f"kernel ready in {time.time() - t0:.2f}s", file=sys.stderr, flush=True)
            for n, i in enumerate(code_cells, 1):
                t = time.time()
                try:
                    client.execute_cell(nb.cells[i], i)
                except CellExecutionError as e:
                    print(f"cell {n}/{len(code_cells)} (notebook cell {i + 1}) FAILED after {time.time() - t:.2f}s", file=sys.stderr)
                    err = next((o for o in nb.cells[i].get("outputs", []) if o.get("output_type") == "error"), None)
                    if err is not None:
                        print(f"{err.get('ename')}: {err.get('evalue')}", file=sys.stderr)
                    else:
                        print(str(e)[-2000:], file=sys.stderr)
                    status = 1
                    if not allow_errors:
                        break
                    meta = nb.cells[i].setdefault("metadata", {})
                    meta.setdefault("tags", []).append("failed")
                    meta["cassperf"] = {"failed": True, "error": f"{err.get('ename')}: {err.get('evalue')}" if err is not None else "failed"}
                    failed.append(f"cell {n} (notebook cell {i + 1})")
                    continue
                print(f"cell {n}/{len(code_cells)} ok {time.time() - t:.2f}s", file=sys.stderr, flush=True)
    except Stopped as e:
        logging.getLogger("asyncio").disabled = True  # the interrupted cell's task is not an error to report
        why = "cassperf run is gone" if _parent_gone else str(e)
        print(f"stopped ({why}); the kernel was shut down", file=sys.stderr)
        status = 4
    except Exception as e:  # the kernel died, never started, or a cell timed out
        print(f"the kernel failed: {type(e).__name__}: {e}", file=sys.stderr)
        status = 3
    finally:
        nbformat.write(nb, path)
        # `cassperf run` died without cleaning up: remove the temporary kernelspec folder it made.
        temp = os.environ.get("CASSPERF_RUN_TEMP")
        if _parent_gone and temp and os.path.basename(temp).startswith("cassperf-run-"):
            shutil.rmtree(temp, ignore_errors=True)
    if failed:
        print(f"{len(failed)} of {len(code_cells)} cells failed: {', '.join(failed)}", file=sys.stderr)
    print(f"total {time.time() - t0:.2f}s", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
