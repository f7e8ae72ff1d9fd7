"""Train lesson 11's base ConvNet on digits 0-4; write data/weights/base_digits_0_4.weights.h5.

Usage (from the repository root)::

    TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python scripts/train_base_0_4.py [--epochs 3] [--seed 0]

The model is ``utils.models.build_convnet(n_classes=5, name="base_digits_0_4")``
(lesson 05's ConvNet with a 5-way output), trained on the training images of
the digits 0-4 only (30,596 images, labels 0-4 as they are) with Adam and a
one-cycle learning rate peaking at 0.005 (``utils.models.one_cycle_adam``),
batch 128, sparse categorical cross-entropy, seeded with
``keras.utils.set_random_seed``. Lesson 11 (``notebooks/11_little_data.ipynb``)
reuses its layers for the digits 5-9, which it has never seen. The test images
of the digits 0-4 (5,139) are used once, at the end, to report the accuracy.
The script prints the test accuracy, the file's size and sha256: copy them into
``utils/models.py`` (``BASE_SHA256``, ``BASE_SIZE``) and ``data/README.md``.

Re-running it with the same seed on the same machine and package versions
gives the same weights; on another CPU the last bits of the floating-point
sums may differ, and so will the sha256, while the accuracy stays about the same.
Like ``scripts/train_pretrained.py`` it leaves oneDNN's kernels off (see below).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# As in scripts/train_pretrained.py: oneDNN's kernels stay off, unlike the
# lessons, so that the script reproduces the shipped file bit for bit; with
# TF_ENABLE_ONEDNN_OPTS=1 it trains faster but the last bits, and the sha256, differ.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from utils.data import DATA_DIR, load_mnist, sha256_of  # noqa: E402
from utils.models import BASE_CLASSES, BASE_FILE, build_convnet, one_cycle_adam  # noqa: E402

MODEL_NAME = "base_digits_0_4"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--peak-learning-rate", type=float, default=0.005)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=DATA_DIR / BASE_FILE)
    args = parser.parse_args()

    (x_train, y_train), (x_test, y_test) = load_mnist()
    n_classes = len(BASE_CLASSES)
    train = np.isin(y_train, BASE_CLASSES)
    test = np.isin(y_test, BASE_CLASSES)
    x_train = (x_train[train].astype("float32") / 255)[..., None]
    x_test = (x_test[test].astype("float32") / 255)[..., None]
    # BASE_CLASSES is 0-4, so the digits are their own labels.
    y_train = y_train[train].astype("int64")
    y_test = y_test[test].astype("int64")

    keras.utils.set_random_seed(args.seed)
    model = build_convnet(name=MODEL_NAME, n_classes=n_classes)
    steps = args.epochs * math.ceil(len(x_train) / args.batch_size)
    model.compile(
        optimizer=one_cycle_adam(steps, peak_learning_rate=args.peak_learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, verbose=2)
    seconds = time.perf_counter() - start
    predicted = np.asarray(model.predict(x_test, batch_size=1000, verbose=0)).argmax(axis=1)
    wrong = int(np.sum(predicted != y_test))

    # Save from an uncompiled copy: the layers' weights only, without Adam's state.
    weights_only = build_convnet(name=MODEL_NAME, n_classes=n_classes)
    weights_only.set_weights(model.get_weights())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    weights_only.save_weights(args.output)
    print(
        f"trained {args.epochs} epochs on {len(x_train)} images in {seconds:.0f} s "
        f"(seed {args.seed})"
    )
    print(
        f"test accuracy on the digits 0-4 {1 - wrong / len(y_test):.4f} "
        f"({wrong} of {len(y_test)} wrong)"
    )
    print(f"wrote {args.output}")
    print(f"size {args.output.stat().st_size} bytes")
    print(f"sha256 {sha256_of(args.output)}")


if __name__ == "__main__":
    main()
