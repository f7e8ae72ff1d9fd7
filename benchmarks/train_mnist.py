"""How long three MNIST training recipes take to reach 99.0% test accuracy, on this machine.

Usage (from the repository root)::

    TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python benchmarks/train_mnist.py \\
        [--seeds 0 1 2] [--recipes a b c]

The recipes:

(a) ``lecture``: lesson 05's ConvNet (93,322 parameters), RMSprop, batch 256,
    ``validation_split=1/6``, ``EarlyStopping(patience=5, restore_best_weights=True)``.
(b) ``keras_example``: the Keras example *Simple MNIST convnet* (its own
    34,826-parameter model with dropout), Adam, batch 128, ``validation_split=0.1``.
(c) ``fast``: lesson 05's ConvNet (the same 93,322 parameters) with the
    course's fast recipe (lesson 05, section 6): Nadam (Adam with Nesterov
    momentum) with a one-cycle learning rate, warm-up over the first 20% of the
    steps to a peak of 0.015, then a cosine decay
    (``utils.models.one_cycle_adam(..., nesterov=True)``); categorical
    cross-entropy with label smoothing 0.1; batch 128 from the shuffled 60,000
    training images, for 0.75 of an epoch (352 steps, 45,056 images).

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
the lessons; TensorFlow leaves them off by itself on a CPU without
AVX512_VNNI, AVX512_BF16, AVX_VNNI or AMX (an AVX2 laptop). Run with
``TF_ENABLE_ONEDNN_OPTS=0`` (and another ``--output``) to measure without
them; the table's first line says which was used.

The levers, measured (``--fast-*``, ``--pipeline``, ``--jit-compile``,
``--data-format``, ``--steps-per-execution``, ``--intra-op-threads`` set
them). On the 2-core Intel Xeon (Sapphire Rapids: AVX2, AVX-512, AMX) of
2026-12-02, TensorFlow 2.21, oneDNN on, training seconds of seed 0 against
10.2 s (test accuracy 0.9908) for the previous recipe (Adam, peak 0.01,
warm-up 30%, batch 128, 1 epoch). Runs on that shared machine vary by up to
about 1.3x from one to the next, so only differences beyond that count.

- Length of the one-cycle, **kept**: the time is proportional to the steps
  (0.7 epoch: 7.9 s); the first step costs about 1 s (tracing), each further
  step of 128 images 18.7 ms. The accuracy is what limits it: at 0.7 epoch
  Adam reaches 0.9901, 0.9896, 0.9901 (seeds 0, 1, 2).
- Nadam instead of Adam, **kept**: over seeds 0-5, at 0.75 epoch with peak
  0.015 and warm-up 20%, 0.9912 0.9914 0.9917 0.9915 0.9919 0.9906 (Adam at
  0.8 epoch: 0.9909 0.9909 0.9916 0.9913 0.9905 0.9898). At 0.7 epoch Nadam's
  worst seeds were at 0.9900 exactly, too close: hence 0.75.
- Peak 0.015 and warm-up 20%, **kept**: at 0.7 epoch with Adam, peak 0.005
  gave 0.9882-0.9883, 0.01 0.9896-0.9901, 0.015 0.9896-0.9910.
- Batch size with the learning rate scaled, **not kept**: batch 256 (peak
  0.02) 9.5 s for 1 epoch, 0.9902; batch 512 (peak 0.02, 0.03) 10.1 s and
  9.6 s, 0.9861 and 0.9889; batch 256 at 0.7 epoch 7.0 s, 0.9894. A step of
  256 images takes 35.6 ms (139 us per image against 146 at 128), so large
  batches save little time and lose accuracy per image seen; batch 64 (peak
  0.007, 0.5 epoch) 6.1 s but 0.9889-0.9896, batch 96 (0.6 epoch) 6.9 s,
  0.9894-0.9909. With Nadam, over seeds 0-5: batch 64 (peak 0.01, 0.5
  epoch) 0.9897-0.9913, batch 96 (peak 0.012, 0.6 epoch, 7.5 s)
  0.9901-0.9920; neither beats batch 128 at 0.75 epoch (0.9906-0.9919).
- Input pipeline, **not kept**: ``tf.data`` (``from_tensor_slices``, a full
  shuffle, ``batch``, ``prefetch(AUTOTUNE)``) 11.1 s against 10.2 s for the
  in-memory arrays that Keras batches itself.
- Threads, **not kept**: ``--intra-op-threads 2`` 10.0 s (the default already
  uses both cores); earlier, on the AVX2 machine, ``--inter-op-threads 1`` no
  change.
- ``jit_compile=True`` (XLA), **not kept**: 21.9 s, twice as slow.
- Channel order, **not kept**: channels first, ``(batch, 1, 28, 28)``, 16.1 s.
- ``--steps-per-execution 8``, **not kept**: 9.9 s (per-step Python overhead
  is not what costs).
- Also tried at 0.7 epoch, not kept: label smoothing 0.05, 0.15, 0 (0.9879,
  no better elsewhere); an exponential moving average of the weights
  (``use_ema``, 0.9886-0.9889); Adam's ``beta_2=0.99`` (0.9899-0.9904);
  standardised pixels (mean 0, standard deviation 1: 0.9903-0.9909, a small
  gain that would make the lesson's later cells take other inputs).
- Earlier, on the course's AVX2 machine (AMD EPYC): ``--policy
  mixed_bfloat16`` about 7x slower (no bfloat16 hardware, so it is emulated).

Where the time goes (``tf.function`` timings of one batch of 128): ``conv_2``
takes about half of a step (8.8 ms forward and backward, at about 1e11
multiply-adds per second); the forward pass of ``conv_1``, with its single
input channel, runs at a sixth of that rate.

Measured again on the course's AMD EPYC with oneDNN and NumPy limited to AVX2
(2026-12-07, seed 0, one run each, against 7.3 s for the recipe as it is):
``--jit-compile`` 14.2 s, twice as slow again; ``--steps-per-execution 8``
7.0 s. ``--layer-times`` (``results/train_mnist_layers_avx2.md``) times each
layer on a batch of 128: the layers' forward and backward passes add up to
17.9 ms of the 18.6 ms a step takes (the loss and the optimiser are the
rest). ``conv_2`` takes 9.4 ms; its forward pass runs at 107e9
multiply-adds per second, about the peak of two AVX2 cores (2 cores x 2 FMA
units x 8 floats at about 3.3 GHz), so only its backward pass has room left.
``conv_1`` and ``pool_1`` take 4.7 ms, a quarter of the step, for 7% of its
multiply-adds (26 x 26 x 32 x 9 = 194,688 of the forward pass's 2,794,240 per
image): with one input channel, ``conv_1``'s forward pass runs at
26e9 a second, and its weight gradient and the max-pooling's backward pass
walk maps of 26 x 26 x 32 per image. That is where the step is furthest
from the machine's limit, and it is oneDNN's kernel, not the recipe.

On the other AMD EPYC (without avx_vnni), with the same AVX2 limits
(2026-12-07, ``results/train_mnist_avx2_no_avx_vnni.md``): (c) 10.0 s, (a)
105.9 s, 10.6x. The same 10 epochs of (a) took 105.9 s with seed 0 and 136.6 s
with seed 2 in that one run: the machine's speed moves that much. There,
``--recipes c --steps-per-execution N`` with N = 1, 32, 352 (the whole
training in one call), 352, 32, 1, one run after the other, gave medians of
11.7, 10.1, 9.8, 9.2, 9.6 and 9.7 s, with the same test accuracies (the same
weights): two runs of one setting differ by more than the settings do, so (c)
keeps one step per call.

The speed-up over (a) depends on how many epochs the lecture's recipe needs
before its test accuracy first touches 99.0%: a median of 10 on the AVX2
machine (174 s), 5, 5 and 9 for seeds 0, 1, 2 on the machine above (44 s
median), where (c) took 7.6 s: 5.8x.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # as in the lessons; 0 measures without

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402

from benchmarks._results import run_all, write_tables  # noqa: E402
from utils.data import load_mnist  # noqa: E402
from utils.environment import cpu_description, onednn_enabled  # noqa: E402
from utils.models import build_convnet, one_cycle_adam  # noqa: E402

TARGET = 0.99
RESULTS = ROOT / "benchmarks" / "results"
RECIPE_NAMES = {
    "a": "lecture: RMSprop, batch 256, 93,322 params",
    "b": "Keras example: Adam, batch 128, 34,826 params",
    "c": "course fast: {optimizer} one-cycle to {peak:g}, label smoothing, batch {batch}, "
    "{epochs:g} epoch, 93,322 params",
}


def recipe_name(recipe: str, args) -> str:
    return RECIPE_NAMES[recipe].format(
        optimizer="Nadam" if args.fast_optimizer == "nadam" else "Adam",
        peak=args.fast_peak,
        batch=args.fast_batch,
        epochs=args.fast_epochs,
    )


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


def build_convnet_channels_first() -> keras.Sequential:
    """Lesson 05's ConvNet with channels first (batch, 1, 28, 28): the same 93,322 parameters."""
    layers = keras.layers
    first = {"data_format": "channels_first"}
    return keras.Sequential(
        [
            keras.Input((1, 28, 28)),
            layers.Conv2D(32, 3, activation="relu", name="conv_1", **first),
            layers.MaxPooling2D(2, name="pool_1", **first),
            layers.Conv2D(64, 3, activation="relu", name="conv_2", **first),
            layers.MaxPooling2D(2, name="pool_2", **first),
            layers.Conv2D(64, 3, activation="relu", name="conv_3", **first),
            layers.Flatten(name="flatten"),
            layers.Dense(64, activation="relu", name="dense"),
            layers.Dense(10, activation="softmax", name="output"),
        ],
        name="convnet_channels_first",
    )


def fast_steps(n_images: int, args) -> int:
    """Optimiser steps of recipe (c): ``--fast-epochs`` (a fraction allowed) of batches."""
    return math.ceil(args.fast_epochs * math.ceil(n_images / args.fast_batch))


def run(recipe: str, seed: int, data, args) -> dict:
    x_train, y_train, x_test, y_test = data
    if recipe == "c" and args.data_format == "channels_first":
        x_train, x_test = x_train.transpose(0, 3, 1, 2), x_test.transpose(0, 3, 1, 2)
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
        channels_first = args.data_format == "channels_first"
        model = build_convnet_channels_first() if channels_first else build_convnet()
        steps = fast_steps(len(x_train), args)
        compile_options["loss"] = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)
        compile_options["jit_compile"] = args.jit_compile
        optimizer = one_cycle_adam(
            steps,
            peak_learning_rate=args.fast_peak,
            warmup_fraction=args.fast_warmup,
            nesterov=args.fast_optimizer == "nadam",
        )
        model.compile(optimizer=optimizer, **compile_options)
        # One "epoch" of `steps` batches: a fraction of a pass over the shuffled 60,000 images.
        fit_options = dict(epochs=1, steps_per_epoch=steps)
        if args.pipeline == "tfdata":
            import tensorflow as tf

            dataset = (
                tf.data.Dataset.from_tensor_slices((x_train, y_train))
                .shuffle(len(x_train), seed=seed)
                .batch(args.fast_batch)
                .prefetch(tf.data.AUTOTUNE)
            )
            x_train, y_train = dataset, None
        else:
            fit_options["batch_size"] = args.fast_batch
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


def layer_times(args, repeats: int = 50) -> str:
    """Each layer's share of a training step of recipe (c): a table in milliseconds.

    Lesson 05's ConvNet reads one batch of ``--fast-batch`` training images; each
    layer then runs, as a ``tf.function``, on the input it gets in the model: its
    forward pass alone, and its forward and backward pass together (the gradient
    of its weights, and of its input except for the first layer, whose input
    gradient training never computes). The median of ``repeats`` runs is
    reported, after five to warm up; the multiply-adds per second are those of
    the forward pass.
    """
    import numpy as np
    import tensorflow as tf

    (x_train, _), _ = load_mnist()
    model = build_convnet()
    inputs = tf.constant((x_train[: args.fast_batch].astype("float32") / 255)[..., None])

    def median_ms(function, value) -> float:
        for _ in range(5):
            function(value)
        seconds = []
        for _ in range(repeats):  # eager calls on the CPU return when their results are ready
            start = time.perf_counter()
            function(value)
            seconds.append(time.perf_counter() - start)
        return 1000 * statistics.median(seconds)

    rows, total = [], 0.0
    for index, layer in enumerate(model.layers):
        first = index == 0

        def backward(value, layer=layer, first=first):
            with tf.GradientTape() as tape:
                if not first:
                    tape.watch(value)
                output = layer(value)
                loss = tf.reduce_sum(output * output)
            sources = list(layer.trainable_weights) + ([] if first else [value])
            return tape.gradient(loss, sources) if sources else output

        forward_ms = median_ms(tf.function(layer), inputs)
        both_ms = median_ms(tf.function(backward), inputs)
        outputs = layer(inputs)
        macs = 0
        kernel = getattr(layer, "kernel", None)
        if kernel is not None:
            per_output = int(np.prod(kernel.shape[:-1]))
            macs = per_output * int(np.prod(outputs.shape))
        rate = f"{macs / forward_ms / 1e6:.1f}" if macs else ""
        rows.append(f"| {layer.name} | {forward_ms:.2f} | {both_ms:.2f} | {rate} |")
        total += both_ms
        inputs = outputs
    return (
        "\n".join(
            [
                f"Milliseconds per batch of {args.fast_batch} (median of {repeats}), "
                "lesson 05's ConvNet, one layer at a time:",
                "",
                "| layer | forward | forward and backward | forward multiply-adds, 1e9/s |",
                "|---|---:|---:|---:|",
                *rows,
                "",
                f"Sum of the layers' forward and backward passes: {total:.1f} ms.",
            ]
        )
        + "\n"
    )


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
        f"{cores} CPU cores ({cpu_description()}), {versions}, "
        f"oneDNN kernels {'on' if onednn_enabled() else 'off'}, "
        f"policy {keras.mixed_precision.global_policy().name}, "
        f"steps_per_execution {args.steps_per_execution}"
    )


def table(rows: list[dict], recipes: list[str], seeds: list[int], machine: str, args) -> str:
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
            f"| ({recipe}) {recipe_name(recipe, args)} | "
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
    report = table(rows, recipes, seeds, machine, args)
    write_tables(rows, args.output, "MNIST training benchmark", report)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--recipes", nargs="+", choices=["a", "b", "c"], default=["a", "b", "c"])
    parser.add_argument("--max-epochs", type=int, default=30, help="epoch limit of (a) and (b)")
    parser.add_argument(
        "--fast-epochs", type=float, default=0.75, help="length of (c) in epochs, 0.5 allowed"
    )
    parser.add_argument("--fast-batch", type=int, default=128, help="batch size of recipe (c)")
    parser.add_argument("--fast-peak", type=float, default=0.015, help="peak rate of recipe (c)")
    parser.add_argument("--fast-warmup", type=float, default=0.2, help="warm-up fraction of (c)")
    parser.add_argument("--fast-optimizer", choices=["adam", "nadam"], default="nadam")
    parser.add_argument("--pipeline", choices=["arrays", "tfdata"], default="arrays")
    parser.add_argument("--jit-compile", action="store_true", help="XLA for recipe (c)")
    parser.add_argument(
        "--data-format", choices=["channels_last", "channels_first"], default="channels_last"
    )
    parser.add_argument("--run-to-end", action="store_true", help="do not stop (a), (b) at 99%%")
    parser.add_argument("--steps-per-execution", type=int, default=1)
    parser.add_argument("--policy", default=None, help="for example mixed_bfloat16")
    parser.add_argument("--intra-op-threads", type=int, default=None)
    parser.add_argument("--inter-op-threads", type=int, default=None)
    parser.add_argument("--output", type=Path, default=RESULTS / "train_mnist")
    parser.add_argument(
        "--layer-times", action="store_true", help="time each layer of a step of (c) instead"
    )
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
    if args.layer_times:
        report = f"# Where a training step goes\n\nOn {machine}.\n\n" + layer_times(args)
        args.output.with_suffix(".md").write_text(report, encoding="utf-8")
        print(report + f"\nwrote {args.output.with_suffix('.md')}")
        return
    jobs = [
        (
            f"({recipe}) {recipe_name(recipe, args)}, seed {seed}",
            functools.partial(run, recipe, seed, data, args),
        )
        for seed in args.seeds
        for recipe in args.recipes
    ]
    run_all(jobs, lambda rows: write_results(rows, args, machine), args.output)


if __name__ == "__main__":
    main()
