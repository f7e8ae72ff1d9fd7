"""How long three MNIST training recipes take to reach 99.0% test accuracy, on this machine.

Usage (from the repository root)::

    TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python benchmarks/train_mnist.py \\
        [--seeds 0 1 2] [--recipes a b c]

The recipes:

(a) ``lecture``: lesson 05's ConvNet (93,322 parameters), RMSprop, batch 256,
    ``validation_split=1/6``, ``EarlyStopping(patience=5, restore_best_weights=True)``.
(b) ``keras_example``: the Keras example *Simple MNIST convnet* (its own
    34,826-parameter model with dropout), Adam, batch 128, ``validation_split=0.1``.
(c) ``fast``: lesson 05's ConvNet with the course's fast recipe: Adam with a
    one-cycle learning rate peaking at 0.01 (``utils.models.one_cycle_adam``),
    categorical cross-entropy with label smoothing 0.1, batch 128, all 60,000
    training images, 1 epoch.

After every epoch a callback measures the test accuracy; the time it takes is
left out of the training seconds. Recorded per run: the training seconds and
the epochs until the test accuracy first reaches the target (0.99), and the test
accuracy at the end of the run. (a) and (b) include their own validation pass
in their seconds, as they would in practice. To keep the benchmark short, (a)
and (b) stop at the end of the epoch that reaches the target (``--run-to-end``
runs them to early stopping or their epoch limit instead); (c) always runs its
fixed schedule. The median over the seeds goes into the table, which is printed
and written to ``benchmarks/results/train_mnist.md`` and ``.csv``.

oneDNN's CPU kernels are switched on (``TF_ENABLE_ONEDNN_OPTS=1``), as in
the lessons; TensorFlow leaves them off by itself on the course's 2-core AVX2
CPU. Run with ``TF_ENABLE_ONEDNN_OPTS=0`` (and another ``--output``) to measure
without them; the table's first line says which was used.

Options measured on the course's 2-core CPU (AMD EPYC, AVX2, no AVX-512 or
AMX) and left off by default because they did not help: ``--policy
mixed_bfloat16`` (about 7x slower: no bfloat16 hardware, so it is emulated),
``jit_compile=True`` (XLA on CPU, about 5x slower, measured with oneDNN off),
``--inter-op-threads 1`` (no measurable change) and ``--steps-per-execution 8``
(no faster, with oneDNN on).
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # as in the lessons; 0 measures without

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402

from utils.data import load_mnist  # noqa: E402
from utils.environment import onednn_enabled  # noqa: E402
from utils.models import build_convnet, one_cycle_adam  # noqa: E402

TARGET = 0.99
RESULTS = ROOT / "benchmarks" / "results"
RECIPE_NAMES = {
    "a": "lecture: RMSprop, batch 256, 93,322 params",
    "b": "Keras example: Adam, batch 128, 34,826 params",
    "c": "course fast: Adam one-cycle, label smoothing, batch 128, 93,322 params",
}


def build_keras_example() -> keras.Sequential:
    """The model of the Keras example ``mnist_convnet``: 34,826 parameters."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ],
        name="keras_example",
    )


class TestAccuracyTimer(keras.callbacks.Callback):
    """Measure the test accuracy after each epoch; keep its time out of the training time."""

    def __init__(self, x_test, y_test, stop_at_target: bool):
        super().__init__()
        self.x_test, self.y_test = x_test, y_test
        self.stop_at_target = stop_at_target
        self.accuracies: list[float] = []
        self.seconds_at_epoch_end: list[float] = []
        self.eval_seconds = 0.0
        self.start = 0.0

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds_at_epoch_end.append(time.perf_counter() - self.start - self.eval_seconds)
        began = time.perf_counter()
        _, accuracy = self.model.evaluate(self.x_test, self.y_test, batch_size=1000, verbose=0)
        self.eval_seconds += time.perf_counter() - began
        self.accuracies.append(float(accuracy))
        print(
            f"    epoch {epoch + 1}: {self.seconds_at_epoch_end[-1]:6.1f} s of training, "
            f"test accuracy {accuracy:.4f}",
            flush=True,
        )
        if self.stop_at_target and accuracy >= TARGET:
            self.model.stop_training = True


def run(recipe: str, seed: int, data, args) -> dict:
    x_train, y_train, x_test, y_test = data
    keras.utils.set_random_seed(seed)
    stop = not args.run_to_end and recipe != "c"
    timer = TestAccuracyTimer(x_test, y_test, stop_at_target=stop)
    compile_options = dict(
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=args.steps_per_execution,
    )
    if recipe == "a":
        model = build_convnet()
        model.compile(optimizer="rmsprop", **compile_options)
        fit_options = dict(
            batch_size=256,
            epochs=args.max_epochs,
            validation_split=1 / 6,
            callbacks=[keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)],
        )
    elif recipe == "b":
        model = build_keras_example()
        model.compile(optimizer="adam", **compile_options)
        fit_options = dict(batch_size=128, epochs=min(15, args.max_epochs), validation_split=0.1)
    else:
        model = build_convnet()
        steps = args.fast_epochs * math.ceil(len(x_train) / 128)
        compile_options["loss"] = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)
        model.compile(optimizer=one_cycle_adam(steps, peak_learning_rate=0.01), **compile_options)
        fit_options = dict(batch_size=128, epochs=args.fast_epochs)
    fit_options["callbacks"] = [*fit_options.get("callbacks", []), timer]
    model.fit(x_train, y_train, verbose=0, **fit_options)
    # After early stopping restores the best weights the final model is not the last epoch's.
    _, final = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    reached = [index for index, accuracy in enumerate(timer.accuracies) if accuracy >= TARGET]
    first = reached[0] if reached else None
    return {
        "recipe": recipe,
        "seed": seed,
        "params": model.count_params(),
        "epochs_run": len(timer.accuracies),
        "epochs_to_target": None if first is None else first + 1,
        "seconds_to_target": None if first is None else round(timer.seconds_at_epoch_end[first], 1),
        "seconds_total": round(timer.seconds_at_epoch_end[-1], 1),
        "final_accuracy": round(float(final), 4),
    }


def median_or_none(values: list) -> float | None:
    """The median if every run reached the target, else None."""
    if not values or any(value is None for value in values):
        return None
    return statistics.median(values)


def machine_description(args) -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = f"Keras {keras.__version__}, backend {keras.backend.backend()}"
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        versions = f"TensorFlow {tf.__version__}, " + versions
    return (
        f"{cores} CPU cores ({platform.processor() or platform.machine()}), {versions}, "
        f"oneDNN kernels {'on' if onednn_enabled() else 'off'}, "
        f"policy {keras.mixed_precision.global_policy().name}, "
        f"steps_per_execution {args.steps_per_execution}"
    )


def table(rows: list[dict], recipes: list[str], seeds: list[int], machine: str) -> str:
    lines = [
        f"Training seconds until the test accuracy first reaches {TARGET:.1%} "
        f"(median of seeds {', '.join(map(str, seeds))}), on {machine}.",
        "",
        "| recipe | seconds to 99.0% | epochs to 99.0% | final test accuracy "
        "| runs reaching 99.0% |",
        "|---|---:|---:|---:|---:|",
    ]
    medians = {}
    for recipe in recipes:
        runs = [row for row in rows if row["recipe"] == recipe]
        seconds = median_or_none([row["seconds_to_target"] for row in runs])
        epochs = median_or_none([row["epochs_to_target"] for row in runs])
        final = statistics.median(row["final_accuracy"] for row in runs)
        reached = sum(row["seconds_to_target"] is not None for row in runs)
        medians[recipe] = seconds
        lines.append(
            f"| ({recipe}) {RECIPE_NAMES[recipe]} | "
            f"{'not reached' if seconds is None else f'{seconds:.1f}'} | "
            f"{'-' if epochs is None else f'{epochs:g}'} | {final:.4f} | {reached}/{len(runs)} |"
        )
    if medians.get("a") and medians.get("c"):
        lines += ["", f"Speed-up of (c) over (a): {medians['a'] / medians['c']:.1f}x."]
    return "\n".join(lines) + "\n"


def write_results(rows: list[dict], args, machine: str) -> str:
    """Write the table (.md) and the runs (.csv) so far; return the table."""
    recipes = [recipe for recipe in args.recipes if any(row["recipe"] == recipe for row in rows)]
    seeds = sorted({row["seed"] for row in rows})
    report = table(rows, recipes, seeds, machine)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    command = " ".join(["python", *sys.argv])
    args.output.with_suffix(".md").write_text(
        f"# MNIST training benchmark\n\nCommand: `{command}`\n\n" + report, encoding="utf-8"
    )
    with open(args.output.with_suffix(".csv"), "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--recipes", nargs="+", choices=["a", "b", "c"], default=["a", "b", "c"])
    parser.add_argument("--max-epochs", type=int, default=30, help="epoch limit of (a) and (b)")
    parser.add_argument("--fast-epochs", type=int, default=1, help="length of recipe (c)")
    parser.add_argument("--run-to-end", action="store_true", help="do not stop (a), (b) at 99%%")
    parser.add_argument("--steps-per-execution", type=int, default=1)
    parser.add_argument("--policy", default=None, help="for example mixed_bfloat16")
    parser.add_argument("--intra-op-threads", type=int, default=None)
    parser.add_argument("--inter-op-threads", type=int, default=None)
    parser.add_argument("--output", type=Path, default=RESULTS / "train_mnist")
    args = parser.parse_args()

    if args.policy:
        keras.mixed_precision.set_global_policy(args.policy)
    if args.intra_op_threads or args.inter_op_threads:
        import tensorflow as tf  # thread pools are a TensorFlow setting

        if args.intra_op_threads:
            tf.config.threading.set_intra_op_parallelism_threads(args.intra_op_threads)
        if args.inter_op_threads:
            tf.config.threading.set_inter_op_parallelism_threads(args.inter_op_threads)

    (x_train, y_train), (x_test, y_test) = load_mnist()
    data = (
        (x_train.astype("float32") / 255)[..., None],
        keras.utils.to_categorical(y_train, 10),
        (x_test.astype("float32") / 255)[..., None],
        keras.utils.to_categorical(y_test, 10),
    )
    machine = machine_description(args)
    print(machine, flush=True)
    rows = []
    for seed in args.seeds:
        for recipe in args.recipes:
            print(f"({recipe}) {RECIPE_NAMES[recipe]}, seed {seed}", flush=True)
            rows.append(run(recipe, seed, data, args))
            print(f"  -> {rows[-1]}", flush=True)
            write_results(rows, args, machine)  # after every run, so an interrupted run leaves some

    print()
    print(write_results(rows, args, machine))
    print(f"wrote {args.output.with_suffix('.md')} and .csv")


if __name__ == "__main__":
    main()
