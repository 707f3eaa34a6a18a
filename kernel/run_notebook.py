"""Execute a notebook in place with nbclient (Debian: python3-nbclient), cell by cell.

Called by `cassperf run` (src/kernel/run.ts), which has already injected the parameters and points
JUPYTER_PATH at a kernelspec for this package's kernel. Prints one progress line per code cell on
stderr; writes the notebook with its outputs even when a cell fails.

usage: run_notebook.py NOTEBOOK KERNEL_NAME TIMEOUT_SECONDS [CWD]
(CWD: the folder cells run in, default the notebook's own folder)
exit: 0 all cells ran, 1 a cell failed (the error is printed), 3 the kernel could not start
"""
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main() -> int:
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
                    break
                print(f"cell {n}/{len(code_cells)} ok {time.time() - t:.2f}s", file=sys.stderr, flush=True)
    except Exception as e:  # the kernel died, never started, or a cell timed out
        print(f"the kernel failed: {type(e).__name__}: {e}", file=sys.stderr)
        status = 3
    finally:
        nbformat.write(nb, path)
    print(f"total {time.time() - t0:.2f}s", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
