"""Run the lecture's full recipe on lesson 05's two networks and write data/lecture_recipe.json.

Usage (from the repository root)::

    TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python scripts/train_lecture_recipe.py [--seed 0]

Lesson 05 trains its ConvNet with the lecture's recipe but stops it after 6
epochs, to keep the lesson to a few minutes. This script runs the recipe the
way the lecture does, to the end, for both of the lesson's networks:

- ``utils.models.build_convnet()`` (93,322 parameters) and
  ``utils.models.build_dense_baseline()`` (407,050 parameters);
- RMSprop at Keras' default learning rate, categorical cross-entropy,
  batch 256, the last sixth of the training images held out for validation;
- at most 100 epochs, ``EarlyStopping(patience=5, restore_best_weights=True)``
  on the validation loss;
- each network seeded with ``keras.utils.set_random_seed(seed)`` just before
  it is built, as in the lesson.

The test images are used once per network, at the end, with the restored
weights. The record (every epoch's losses and accuracies, the epoch kept, the
test accuracy and the number of test digits wrong, the machine and the package
versions; no timings, which ``benchmarks/train_mnist.py`` measures) goes to
``data/lecture_recipe.json``, which lesson 05 reads. The script prints the
file's size and sha256: copy them into ``utils/data.py``
(``LECTURE_RECIPE_SHA256``, ``LECTURE_RECIPE_SIZE``) and ``data/README.md``.

On another CPU the last bits of the sums differ, and so do the epochs and
accuracies in their last digits; the record says which machine made it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # as in the lessons

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from utils.data import DATA_DIR, LECTURE_RECIPE_FILE, load_mnist, sha256_of  # noqa: E402
from utils.environment import cpu_description, onednn_enabled  # noqa: E402
from utils.models import build_convnet, build_dense_baseline  # noqa: E402

RECIPE = {
    "optimizer": "rmsprop",
    "learning_rate": 0.001,
    "loss": "categorical_crossentropy",
    "batch_size": 256,
    "validation_split": "1/6",
    "max_epochs": 100,
    "early_stopping_patience": 5,
    "restore_best_weights": True,
}
BUILDERS = {"convnet": build_convnet, "dense": build_dense_baseline}


def train(name: str, data, seed: int) -> dict:
    (x_train, y_train), (x_test, y_test) = data
    keras.utils.set_random_seed(seed)
    model = BUILDERS[name]()
    model.compile(
        optimizer=keras.optimizers.RMSprop(RECIPE["learning_rate"]),
        loss=RECIPE["loss"],
        metrics=["accuracy"],
    )
    stopping = keras.callbacks.EarlyStopping(
        patience=RECIPE["early_stopping_patience"], restore_best_weights=True
    )
    history = model.fit(
        x_train,
        keras.utils.to_categorical(y_train, 10),
        batch_size=RECIPE["batch_size"],
        epochs=RECIPE["max_epochs"],
        validation_split=1 / 6,
        callbacks=[stopping],
        verbose=2,
    )
    predicted = np.asarray(model.predict(x_test, batch_size=1000, verbose=0)).argmax(axis=1)
    wrong = int(np.sum(predicted != y_test))
    curves = {key: [round(float(v), 6) for v in values] for key, values in history.history.items()}
    return {
        "parameters": model.count_params(),
        "epochs_run": len(curves["loss"]),
        "best_epoch": int(np.argmin(curves["val_loss"])) + 1,
        "test_wrong": wrong,
        "test_total": len(y_test),
        "test_accuracy": round(1 - wrong / len(y_test), 4),
        "history": {key: curves[key] for key in ("loss", "accuracy", "val_loss", "val_accuracy")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=DATA_DIR / LECTURE_RECIPE_FILE)
    args = parser.parse_args()

    (x_train, y_train), (x_test, y_test) = load_mnist()
    data = (
        ((x_train.astype("float32") / 255)[..., None], y_train),
        ((x_test.astype("float32") / 255)[..., None], y_test),
    )
    runs = {name: train(name, data, args.seed) for name in BUILDERS}
    record = {
        "made_by": "TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python scripts/train_lecture_recipe.py"
        + (f" --seed {args.seed}" if args.seed else ""),
        "seed": args.seed,
        "recipe": RECIPE,
        "machine": {
            "cpu": cpu_description(),
            "cores": os.cpu_count(),
            "onednn": onednn_enabled(),
            "python": platform.python_version(),
            "tensorflow": __import__("tensorflow").__version__,
            "keras": keras.__version__,
        },
        "runs": runs,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    for name, run in runs.items():
        print(
            f"{name}: {run['epochs_run']} epochs, kept epoch {run['best_epoch']}, "
            f"test accuracy {run['test_accuracy']:.4f} ({run['test_wrong']} wrong)"
        )
    print(f"wrote {args.output}")
    print(f"size {args.output.stat().st_size} bytes")
    print(f"sha256 {sha256_of(args.output)}")


if __name__ == "__main__":
    main()
