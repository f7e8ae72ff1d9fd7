"""Checks that the running Python environment is the one the course pins.

The stored notebook outputs were produced with the versions in
``requirements.txt``; another version of TensorFlow or plotly can change them.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import platform
import re
import sys
from importlib import metadata
from pathlib import Path

from utils._validate import as_path

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements.txt"
# The Python versions the pins install on and the stored outputs hold under
# (``make test`` checks each; pyproject.toml's requires-python says the same).
SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")


def read_pins(path: Path = REQUIREMENTS) -> dict[str, str]:
    """Return ``{package: version}`` for every ``name==version`` line of a requirements file."""
    path = as_path(path, "path")
    if not path.is_file():
        raise FileNotFoundError(f"path must name a requirements file, got {str(path)!r}")
    pins = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def version_report(pins: dict[str, str] | None = None) -> list[tuple[str, str, str | None]]:
    """Return ``(package, pinned version, installed version or None)`` for each pin."""
    pins = read_pins() if pins is None else pins
    if not isinstance(pins, dict):
        raise TypeError(
            f"pins must be a dict {{package: version}} or None, got {type(pins).__name__} {pins!r}"
        )
    report = []
    for name, pinned in sorted(pins.items()):
        try:
            installed: str | None = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        report.append((name, pinned, installed))
    return report


def report_environment() -> bool:
    """Print each pinned package with its installed version; return whether all match.

    The first row is Python itself: ``ok`` on any supported version (the
    printed table is then the same on each), else the version that runs.
    """
    ok = sys.version_info[:2] in SUPPORTED_PYTHONS
    (low_major, low_minor), (high_major, high_minor) = SUPPORTED_PYTHONS[0], SUPPORTED_PYTHONS[-1]
    wanted = f"{low_major}.{low_minor}-{high_major}.{high_minor}"
    status = "ok" if ok else f"DIFFERENT: {sys.version.split()[0]}"
    report = version_report()
    width = max(len(name) for name in ["python", *(name for name, _, _ in report)])
    print(f"{'python':<{width}} {wanted:<12} {status}")
    for name, pinned, installed in report:
        same = installed == pinned
        ok &= same
        status = "ok" if same else f"DIFFERENT: {installed or 'not installed'}"
        print(f"{name:<{width}} {pinned:<12} {status}")
    return ok


# Read by TensorFlow once, when it is imported: quiet C++ start-up lines, and
# oneDNN's CPU kernels on (TensorFlow switches them on by itself only on some CPUs).
TENSORFLOW_DEFAULTS = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "1"}


def prepare_tensorflow() -> None:
    """Set :data:`TENSORFLOW_DEFAULTS` where the environment does not set them already.

    Every lesson's Setup cell calls it before Keras (and so TensorFlow) is
    imported; a value you set yourself (``TF_ENABLE_ONEDNN_OPTS=0`` to try
    other kernels) is kept. With TensorFlow as Keras's backend, it also has
    Keras's pipelines of NumPy arrays built without autotuning
    (:func:`untune_array_pipelines`) and Keras's trainer build what a
    training step needs before it traces one (:func:`build_before_tracing`),
    each when Keras imports its module or at once if it has already.
    """
    for name, value in TENSORFLOW_DEFAULTS.items():
        os.environ.setdefault(name, value)
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return
    for module_name, change in KERAS_CHANGES.items():
        if module_name in sys.modules:
            change(sys.modules[module_name])
        elif not any(
            isinstance(finder, _ChangeOnImport) and finder.module_name == module_name
            for finder in sys.meta_path
        ):
            sys.meta_path.insert(0, _ChangeOnImport(module_name, change))


# Keras 3 feeds the NumPy arrays given to fit, evaluate and predict through a tf.data
# pipeline of its own (ArrayDataAdapter), with autotuning on. When fit drops that
# pipeline, TensorFlow 2.21 waits for the autotuning thread, which sleeps between its
# rounds for longer and longer: one of lesson 05's fits returned 8.5 s after its last
# step (benchmarks/results/fit_waits_tuned_avx2.md; benchmarks/README.md, "Waiting at
# the end of fit"). Keras offers no public switch for the pipeline it makes itself.
ARRAY_ADAPTER = "keras.src.trainers.data_adapters.array_data_adapter"


def untune_array_pipelines(module) -> None:
    """Have ``module.ArrayDataAdapter`` build its tf.data pipelines with autotuning off.

    ``module`` is Keras's :data:`ARRAY_ADAPTER` module. Its pipelines then run
    with fixed parallelism and nothing waits when fit ends. The batches and
    their order are the same, and so is every number trained
    (``tests/test_environment.py`` trains a network both ways). A second call
    changes nothing; ``ArrayDataAdapter.get_tf_dataset.tuned`` is Keras's own.
    """
    adapter = getattr(module, "ArrayDataAdapter", None)
    if not callable(getattr(adapter, "get_tf_dataset", None)):
        raise TypeError(
            f"untune_array_pipelines needs Keras's {ARRAY_ADAPTER} module, got {module!r}"
        )
    tuned = adapter.get_tf_dataset
    if hasattr(tuned, "tuned"):
        return

    def get_tf_dataset(self):
        import tensorflow as tf

        options = tf.data.Options()
        options.autotune.enabled = False
        return tuned(self).with_options(options)

    get_tf_dataset.tuned = tuned
    adapter.get_tf_dataset = get_tf_dataset


# Without a distribution strategy, Keras 3's TensorFlow trainer leaves the optimizer's
# and the metrics' variables to be made while it traces the first training step, and a
# tf.function that makes variables as it is traced is traced a second time: lesson 11,
# which compiles and fits 47 models, took about 20 s longer that way, 137.3 s against
# 116.6 s (benchmarks/README.md, "Tracing a training step once").
TRAINER = "keras.src.backend.tensorflow.trainer"


def build_before_tracing(module) -> None:
    """Have ``module.TensorFlowTrainer`` build the optimizer and the metrics before tracing.

    ``module`` is Keras's :data:`TRAINER` module. For a model whose layers are
    built (one that starts with ``keras.Input``), ``fit`` and ``evaluate`` then
    make the optimizer's and the metrics' variables from the shapes of the data
    (the pipeline's ``element_spec``: no batch is read), as Keras does under a
    distribution strategy, and TensorFlow traces the training step once instead
    of twice. The variables start at the same values, and every number trained
    is the same (``tests/test_environment.py`` trains a network both ways). A
    second call changes nothing; ``TensorFlowTrainer._maybe_symbolic_build.deferred``
    is Keras's own.
    """
    trainer = getattr(module, "TensorFlowTrainer", None)
    if not all(
        callable(getattr(trainer, name, None))
        for name in ("_maybe_symbolic_build", "_symbolic_build")
    ):
        raise TypeError(f"build_before_tracing needs Keras's {TRAINER} module, got {module!r}")
    deferred = trainer._maybe_symbolic_build
    if hasattr(deferred, "deferred"):
        return

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        if self._distribute_strategy is None and self.built:
            if iterator is not None:
                dataset = getattr(iterator, "_distributed_dataset", None)
                data_batch = getattr(dataset, "element_spec", None)
            if data_batch is not None:
                self._symbolic_build(data_batch=data_batch)
                return
        deferred(self, iterator=iterator, data_batch=data_batch)

    _maybe_symbolic_build.deferred = deferred
    trainer._maybe_symbolic_build = _maybe_symbolic_build


# What prepare_tensorflow changes in Keras: {module: the change}.
KERAS_CHANGES = {ARRAY_ADAPTER: untune_array_pipelines, TRAINER: build_before_tracing}


class _ChangeOnImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes a change to one of Keras's modules as Keras imports it, once."""

    def __init__(self, module_name: str, change) -> None:
        self.module_name, self.change = module_name, change

    def find_spec(self, fullname, path, target=None):
        if fullname != self.module_name:
            return None
        sys.meta_path.remove(self)  # the usual finders find the module; this only wraps it
        spec = importlib.util.find_spec(fullname)
        if spec is not None:  # a Keras without the module: nothing to change
            self.loader, spec.loader = spec.loader, self
        return spec

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        self.loader.exec_module(module)
        self.change(module)


def onednn_enabled() -> bool | None:
    """Whether TensorFlow runs its oneDNN CPU kernels; None if TensorFlow is not the backend.

    oneDNN's kernels trained lesson 05's fast recipe in 7.6 s against 11.7 s
    without them on a 2-core Intel Xeon (``benchmarks/results/train_mnist.md``
    and ``train_mnist_onednn_off.md``). TensorFlow's Linux x86 builds switch
    them on by themselves only on processors with AVX512_VNNI, AVX512_BF16,
    AVX_VNNI or AMX (``IsMklEnabled`` and ``DefaultOneDnnPolicy`` in
    ``tensorflow/core/util/port.cc``); every lesson's Setup cell sets
    ``TF_ENABLE_ONEDNN_OPTS=1`` before TensorFlow is imported, which switches
    them on everywhere. The variable is read once, at
    import, so setting it later has no effect until the kernel restarts.
    """
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return None
    try:
        from tensorflow.python.util import _pywrap_util_port
    except ImportError:  # TensorFlow missing, or a build without the flag
        return None
    return bool(_pywrap_util_port.IsMklEnabled())


# The vector instructions that decide how fast float32 convolutions run on a CPU;
# avx_vnni, avx512_vnni, avx512_bf16 and amx_tile are among those for which
# TensorFlow switches oneDNN on by itself (see onednn_enabled).
VECTOR_EXTENSIONS = (
    "avx2",
    "fma",
    "avx_vnni",
    "avx512f",
    "avx512_vnni",
    "avx512_bf16",
    "amx_tile",
)


# Variables that keep oneDNN's and NumPy's kernels below what the CPU has (an AVX2 laptop
# measured on a CPU with AVX-512): a measurement taken under them says so.
KERNEL_LIMITS = ("ONEDNN_MAX_CPU_ISA", "NPY_DISABLE_CPU_FEATURES")


def cpu_description() -> str:
    """The CPU's model name and which of ``VECTOR_EXTENSIONS`` it has (Linux), else the platform.

    Any of ``KERNEL_LIMITS`` that is set is named after them.
    """
    limits = "".join(
        f"; {name}={os.environ[name]}" for name in KERNEL_LIMITS if os.environ.get(name)
    )
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return (platform.processor() or platform.machine()) + limits
    fields: dict[str, str] = {}
    for line in info.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())  # the first processor's
    model = fields.get("model name", "")
    flags = set(fields.get("flags", "").split())
    have = [name for name in VECTOR_EXTENSIONS if name in flags]
    extensions = ", ".join(have) or "none listed"
    return f"{model or platform.machine()}; vector extensions: {extensions}{limits}"
