"""``import gankit`` needs only torch, numpy and typing-extensions."""

from __future__ import annotations

import subprocess
import sys
import textwrap

BLOCK = textwrap.dedent(
    """
    import importlib.abc, sys
    BLOCKED = {"matplotlib", "PIL", "tqdm", "sklearn", "scipy", "tensorboard", "yaml",
               "wandb", "mlflow", "hypothesis", "pytest", "safetensors", "huggingface_hub",
               "onnx", "onnxruntime"}

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"blocked optional dependency {name}")
            return None

    sys.meta_path.insert(0, Block())
    for mod in list(sys.modules):
        if mod.split(".")[0] in BLOCKED:
            del sys.modules[mod]
    import gankit
    import gankit.augment, gankit.callbacks, gankit.data, gankit.functional, gankit.losses
    import gankit.metrics, gankit.models, gankit.report, gankit.theory, gankit.training
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    assert not loaded, loaded
    print("ok", gankit.__version__)
    """
)


def test_import_gankit_without_optional_dependencies() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", BLOCK], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok ")


def test_missing_extra_names_the_extra() -> None:
    code = BLOCK.replace('print("ok", gankit.__version__)', textwrap.dedent(
        """
        from gankit.data import digits
        try:
            digits()
        except ImportError as exc:
            assert "gankit[extras]" in str(exc), exc
            print("ok")
        else:
            raise SystemExit("digits() worked without scikit-learn")
        """
    ))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_pretrained_without_safetensors_names_the_extra() -> None:
    code = BLOCK.replace('print("ok", gankit.__version__)', textwrap.dedent(
        """
        import tempfile
        from gankit.models import MLPGenerator
        for call in (lambda: gankit.save_pretrained(MLPGenerator(2, (2,)), tempfile.mkdtemp()),
                     lambda: gankit.from_pretrained(tempfile.mkdtemp())):
            try:
                call()
            except ImportError as exc:
                assert "pip install 'gankit[hub]'" in str(exc), exc
            else:
                raise SystemExit("save/from_pretrained worked without safetensors")
        print("ok")
        """
    ))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
