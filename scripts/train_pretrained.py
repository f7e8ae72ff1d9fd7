"""Train the course's pretrained MNIST ConvNet and write data/weights/mnist_convnet.weights.h5.

Usage (from the repository root)::

    TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python scripts/train_pretrained.py [--epochs 12] [--seed 0]

The model is ``utils.models.build_convnet()`` (lesson 05), trained with the
one-cycle schedule of the lesson's fast recipe run for longer, at a lower peak
and without label smoothing: Adam with a one-cycle learning rate peaking at
0.005 (``utils.models.one_cycle_adam``), batch 128, on all 60,000 training images,
seeded with ``keras.utils.set_random_seed``. The test images are used once, at
the end, to report the accuracy. The script prints the test accuracy, the file's
size and sha256: copy them into ``utils/models.py`` (``PRETRAINED_SHA256``,
``PRETRAINED_SIZE``) and ``data/README.md``.

Re-running it with the same seed on the same machine and package versions
gives the same weights; on another CPU the last bits of the floating-point
sums may differ, and so will the sha256, while the accuracy stays about the same.
Unlike the lessons it leaves oneDNN's kernels off (see below), as they were when
the shipped file was made.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The shipped weights were trained with oneDNN's kernels off (TensorFlow's own
# choice on the 2-core AVX2 machine that made them). Keep them off, unlike the
# lessons, so that the script reproduces the file bit for bit; with
# TF_ENABLE_ONEDNN_OPTS=1 it trains faster but the last bits, and the sha256, differ.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from utils.data import DATA_DIR, load_mnist, sha256_of  # noqa: E402
from utils.models import PRETRAINED_FILE, build_convnet, one_cycle_adam  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--peak-learning-rate", type=float, default=0.005)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=DATA_DIR / PRETRAINED_FILE)
    args = parser.parse_args()

    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train = (x_train.astype("float32") / 255)[..., None]
    x_test = (x_test.astype("float32") / 255)[..., None]
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test_one_hot = keras.utils.to_categorical(y_test, 10)

    keras.utils.set_random_seed(args.seed)
    model = build_convnet()
    steps = args.epochs * math.ceil(len(x_train) / args.batch_size)
    model.compile(
        optimizer=one_cycle_adam(steps, peak_learning_rate=args.peak_learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, verbose=2)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, y_test_one_hot, batch_size=1000, verbose=0)
    predicted = np.asarray(model.predict(x_test, batch_size=1000, verbose=0)).argmax(axis=1)

    # Save from an uncompiled copy: the layers' weights only, without Adam's state (1/3 the size).
    weights_only = build_convnet()
    weights_only.set_weights(model.get_weights())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    weights_only.save_weights(args.output)
    print(f"trained {args.epochs} epochs in {seconds:.0f} s (seed {args.seed})")
    print(f"test accuracy {accuracy:.4f} ({int(np.sum(predicted != y_test))} of 10000 wrong)")
    print(f"wrote {args.output}")
    print(f"size {args.output.stat().st_size} bytes")
    print(f"sha256 {sha256_of(args.output)}")


if __name__ == "__main__":
    main()
