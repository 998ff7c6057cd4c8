"""Run the example scripts and copy their pictures and numbers into the docs' gallery.

Run from the repository root (one example at a time; each takes a minute or
two on a CPU at its default length)::

    python docs/_generate_examples.py                    # every example
    python docs/_generate_examples.py d2l_gaussian dcgan # some of them

For each run, the PNG files the script writes at the top of its output folder
and its ``results.json`` are copied to ``docs/_static/examples/<run>/``, with a
``run.json`` recording the command, the wall time and the versions. Pictures
over 150 KB are re-encoded with fewer colours so the repository stays small.
The ``gankit-example`` directive (``docs/_ext/gankit_example_docs.py``) renders
whatever is there.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GALLERY = ROOT / "docs" / "_static" / "examples"
MAX_BYTES = 150_000

#: Gallery entry -> the example script and its arguments (besides ``--out``).
RUNS: dict[str, tuple[str, list[str]]] = {
    "d2l_gaussian": ("d2l_gaussian.py", []),
    "vanilla_mlp": ("vanilla_mlp.py", []),
    "minimax_vs_nonsaturating": ("minimax_vs_nonsaturating.py", []),
    "dcgan": ("dcgan.py", ["--dataset", "digits"]),
    "mnist": ("mnist.py", []),
    "data_efficient": ("data_efficient.py", []),
    "wgan_gp_digits": ("wgan_gp.py", []),
    "wgan_gp_grid": ("wgan_gp.py", ["--dataset", "grid"]),
    "conditional": ("conditional.py", []),
    "custom_loss": ("custom_loss.py", []),
}


def shrink(path: Path) -> None:
    """Re-encode a PNG with an adaptive 256-colour palette if it is over ``MAX_BYTES``."""
    if path.stat().st_size <= MAX_BYTES:
        return
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        small.save(path, optimize=True)
    if path.stat().st_size > MAX_BYTES:
        raise RuntimeError(f"{path} is still {path.stat().st_size:,} bytes after re-encoding")


def run(name: str) -> None:
    """Run one gallery entry and copy its outputs into the gallery."""
    script, args = RUNS[name]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / name
        command = [sys.executable, f"examples/{script}", *args, "--out", str(out)]
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True)
        seconds = time.perf_counter() - start
        target = GALLERY / name
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for png in sorted(out.glob("*.png")):
            shutil.copy2(png, target / png.name)
            shrink(target / png.name)
        if (out / "results.json").is_file():
            shutil.copy2(out / "results.json", target / "results.json")
    import torch

    shown = " ".join(["python", f"examples/{script}", *args])
    meta = {"command": shown, "seconds": round(seconds, 1), "torch": torch.__version__,
            "python": platform.python_version(), "date": time.strftime("%Y-%m-%d")}
    (target / "run.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"{name}: {seconds:.0f} s, {len(list(target.glob('*.png')))} pictures")


def main(argv: list[str] | None = None) -> None:
    """Run the requested gallery entries (all by default), one after the other."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"entries to run (default: all): {', '.join(RUNS)}")
    names = parser.parse_args(argv).names or list(RUNS)
    unknown = [n for n in names if n not in RUNS]
    if unknown:
        parser.error(f"unknown entries {unknown}; choose from {list(RUNS)}")
    for name in names:
        run(name)


if __name__ == "__main__":
    main()
