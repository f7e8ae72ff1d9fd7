"""Tests for the set-up: pins, the conda route, and utils.environment."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from utils import environment
from utils.environment import (
    SUPPORTED_PYTHONS,
    TENSORFLOW_DEFAULTS,
    VECTOR_EXTENSIONS,
    cpu_description,
    prepare_tensorflow,
    read_pins,
    report_environment,
    version_report,
)

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {
    "tensorflow": "2.21.",
    "keras": "3.",
    "jupyterlab": "4.",
    "plotly": "",
    "numpy": "",
    "nbval": "",
    "ipywidgets": "8.",
    "pytest": "",
    "hypothesis": "",
    "scipy": "",
    "ruff": "",
}


def conda_pins(path: Path) -> dict[str, str]:
    """Pins listed in environment.yml's pip section (parsed as text, independently)."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\s*-\s*([A-Za-z0-9._-]+)==(\S+)\s*", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_every_requirement_is_pinned_exactly():
    lines = [
        line.strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines and all(
        re.fullmatch(r"[A-Za-z0-9._-]+==[0-9][0-9A-Za-z.]*", line) for line in lines
    )
    pins = read_pins()
    assert len(pins) == len(lines)
    for name, prefix in REQUIRED.items():
        assert pins[name].startswith(prefix), f"{name} {pins[name]} should be {prefix}*"


def test_conda_route_names_the_same_packages_at_the_same_versions():
    yml = (ROOT / "environment.yml").read_text()
    python = re.search(r"^\s*-\s*python=3\.(\d+)\b", yml, re.MULTILINE)
    assert "conda-forge" in yml and python, "environment.yml must name a Python"
    assert (3, int(python.group(1))) in SUPPORTED_PYTHONS
    assert conda_pins(ROOT / "environment.yml") == read_pins()


def test_installed_versions_are_the_pinned_ones(capsys):
    mismatched = [row for row in version_report() if row[1] != row[2]]
    assert mismatched == []
    assert report_environment() is True
    assert capsys.readouterr().out.count(" ok\n") == len(read_pins()) + 1


def test_a_mismatch_is_reported(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("numpy==0.0.1\nnot-a-package-here==1.0\n# comment\n")
    report = dict(
        (name, (pinned, installed))
        for name, pinned, installed in version_report(read_pins(requirements))
    )
    assert report["numpy"][0] == "0.0.1" and report["numpy"][1] != "0.0.1"
    assert report["not-a-package-here"] == ("1.0", None)


def _fresh_python(code: str, env: dict[str, str]) -> str:
    """What ``code`` prints, run in a fresh Python from the repository with ``env``."""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _onednn_in_fresh_python(value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env.pop("KERAS_BACKEND", None)
    if value is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = value
    return _fresh_python(
        "from utils.environment import onednn_enabled; print(onednn_enabled())", env
    )


def test_onednn_follows_the_variable_set_before_import():
    assert _onednn_in_fresh_python("1") == "True"
    assert _onednn_in_fresh_python("0") == "False"


SETUP_START = (
    "from utils.environment import prepare_tensorflow\n\n"
    "prepare_tensorflow()  # before Keras imports TensorFlow (lesson 00 says why)\n"
)


def test_every_lesson_switches_onednn_on_before_tensorflow_is_imported():
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "".join(next(cell for cell in cells if cell["cell_type"] == "code")["source"])
        assert code.startswith(SETUP_START), f"{path.name}: Setup cell must start the same way"
        imports = [code.find(name) for name in ("import keras", "import tensorflow")]
        assert min(index for index in imports if index >= 0) > len(SETUP_START)


def test_prepare_tensorflow_sets_defaults_and_keeps_what_is_set(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    prepare_tensorflow()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == TENSORFLOW_DEFAULTS["TF_CPP_MIN_LOG_LEVEL"]
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"


AUTOTUNE = """
{before}
import keras
import numpy as np
from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter

{after}
adapter = ArrayDataAdapter(np.zeros((8, 2), "float32"), np.zeros(8), batch_size=4, shuffle=True)
print("off" if adapter.get_tf_dataset().options().autotune.enabled is False else "on")
"""


# A fresh Python with TensorFlow as Keras's backend, as the lessons run.
TENSORFLOW_ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}


PREPARE = "from utils.environment import prepare_tensorflow\n\nprepare_tensorflow()"


def _with_and_without_prepare(template: str) -> list[str]:
    """What ``template`` prints in a fresh Python with ``prepare_tensorflow()`` put
    {before} Keras's import (as the lessons do), {after} it, and nowhere (Keras's own)."""
    places = [(PREPARE, ""), ("", PREPARE), ("", "")]
    return [
        _fresh_python(template.format(before=before, after=after), TENSORFLOW_ENV)
        for before, after in places
    ]


def test_prepare_tensorflow_turns_autotuning_off_for_kerass_array_pipelines():
    # before, after Keras's import, and Keras's own: the check can fail
    assert _with_and_without_prepare(AUTOTUNE) == ["off", "off", "on"]


def test_prepare_tensorflow_leaves_another_backend_alone(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    finders = list(sys.meta_path)
    prepare_tensorflow()
    assert sys.meta_path == finders


SAME_TRAINING = """
import keras
import numpy as np
from {package} import {module}

from utils.environment import {change}


def trained(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(3, name="output"),
        ],
        name="tiny",
    )
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    rng = np.random.default_rng(0)
    x, y = rng.random((200, 8, 8, 1), dtype="float32"), rng.integers(0, 3, 200)
    # shuffled, a last batch of 8, and a validation pass after each epoch
    model.fit(x, y, batch_size=16, epochs=3, validation_split=0.2, verbose=0)
    return model.get_weights() + [np.array(model.evaluate(x, y, verbose=0))]


keras_way = trained()
{change}({module})
{change}({module})  # a second time changes nothing
changed = trained()
keras_own = {module}.{original}
print(not hasattr(keras_own, "{marker}"))
print(all(np.array_equal(a, b) for a, b in zip(keras_way, changed, strict=True)))
other_seed = trained(seed=1)  # the comparison can fail: another seed, other weights
print(not all(np.array_equal(a, b) for a, b in zip(keras_way, other_seed, strict=True)))
"""

# What prepare_tensorflow changes in Keras, and where Keras's own function is kept.
CHANGES = {
    "untune_array_pipelines": (
        "keras.src.trainers.data_adapters",
        "array_data_adapter",
        "ArrayDataAdapter.get_tf_dataset.tuned",
        "tuned",
    ),
    "build_before_tracing": (
        "keras.src.backend.tensorflow",
        "trainer",
        "TensorFlowTrainer._maybe_symbolic_build.deferred",
        "deferred",
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_the_changes_to_keras_train_the_same_weights(change):
    package, module, original, marker = CHANGES[change]
    code = SAME_TRAINING.format(
        package=package, module=module, change=change, original=original, marker=marker
    )
    assert _fresh_python(code, TENSORFLOW_ENV).split() == ["True", "True", "True"]


TRACES = """
{before}
import keras
import numpy as np
from keras.src.backend.tensorflow.trainer import TensorFlowTrainer

{after}
traced, train_step = [], TensorFlowTrainer.train_step
TensorFlowTrainer.train_step = lambda self, data: traced.append(1) or train_step(self, data)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="output")], name="small")
model.compile(optimizer="adam", loss="mse", metrics=["mae"])
model.fit(np.zeros((8, 4), "float32"), np.zeros((8, 2), "float32"), batch_size=4, verbose=0)
print(len(traced))
"""


def test_prepare_tensorflow_has_a_training_step_traced_once():
    # before, after Keras's import, and Keras's own: the check can fail
    assert _with_and_without_prepare(TRACES) == ["1", "1", "2"]


def test_the_supported_pythons_agree_in_every_set_up_file():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    low, high = SUPPORTED_PYTHONS[0], SUPPORTED_PYTHONS[-1]
    assert pyproject == f">={low[0]}.{low[1]},<{high[0]}.{high[1] + 1}"
    makefile = re.search(r"^SUPPORTED := (.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert makefile and sorted(makefile.group(1).split()) == [
        f"3.{m}" for _, m in SUPPORTED_PYTHONS
    ]


@pytest.mark.parametrize("version", [*SUPPORTED_PYTHONS, (3, 10), (3, 14)])
def test_python_row_is_the_same_on_every_supported_version(monkeypatch, capsys, version):
    monkeypatch.setattr(sys, "version_info", (*version, 0, "final", 0))
    monkeypatch.setattr(sys, "version", f"{version[0]}.{version[1]}.0 (test)")
    supported = version in SUPPORTED_PYTHONS
    assert report_environment() is supported
    row = capsys.readouterr().out.splitlines()[0]
    width = max(len(name) for name in ["python", *read_pins()])  # the names' column
    assert row == (
        "python".ljust(width)
        + " 3.11-3.13    "
        + ("ok" if supported else f"DIFFERENT: 3.{version[1]}.0")
    )


# The CPU features for which TensorFlow 2.21's Linux builds switch oneDNN on by themselves
# (DefaultOneDnnPolicy in tensorflow/core/util/port.cc), as /proc/cpuinfo names them.
ONEDNN_DEFAULT_FLAGS = ("avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile")


def test_cpu_description_lists_the_extensions_that_switch_onednn_on(monkeypatch):
    assert set(ONEDNN_DEFAULT_FLAGS) <= set(VECTOR_EXTENSIONS)
    cpuinfo = (
        "processor\t: 0\nmodel name\t: Test CPU\n"
        "flags\t\t: fpu sse2 avx_vnni avx2 fma amx_tile sha_ni\n\n"
        "processor\t: 1\nmodel name\t: Another CPU\nflags\t\t: fpu avx512f\n"
    )

    class FakePath:
        def __init__(self, path):
            assert str(path) == "/proc/cpuinfo"

        def read_text(self, encoding):
            return cpuinfo

    monkeypatch.setattr(environment, "Path", FakePath)
    # the first processor's flags, in the order of VECTOR_EXTENSIONS
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    monkeypatch.delenv("NPY_DISABLE_CPU_FEATURES", raising=False)
    assert cpu_description() == "Test CPU; vector extensions: avx2, fma, avx_vnni, amx_tile"
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")  # an AVX2 laptop measured on this CPU
    assert cpu_description() == (
        "Test CPU; vector extensions: avx2, fma, avx_vnni, amx_tile; ONEDNN_MAX_CPU_ISA=AVX2"
    )
