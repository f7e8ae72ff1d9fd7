"""Check the model that ``make demo MODEL=path`` is to show, before Voila starts.

The file is loaded as the demo will load it (:func:`utils.models.load_saved_model`)
and read as the reader will read it (:class:`utils.widgets.network.ModelReader`),
so that a missing or damaged file, or a model that is not a digit reader, gets
its message here, in the terminal, and not as an error on the lecture hall's
page. Prints what the demo will show and exits 0, or prints the problem and
exits 2.

Usage: ``python scripts/check_demo_model.py path/to/model.keras``
"""

from __future__ import annotations

import os
import sys


def _import_keras_quietly() -> None:
    """Import Keras (and TensorFlow) with file descriptor 2 closed for the while.

    TensorFlow's C++ start-up lines ("I0000 ... oneDNN custom operations are
    on") go to stderr before any log level applies; they are not this check's
    news. A Python error raised by the import still reaches the terminal.
    """
    from utils.environment import prepare_tensorflow

    prepare_tensorflow()
    saved, sink = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(sink, 2)
    try:
        import keras  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(sink)
        os.close(saved)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].strip():
        print("make demo: MODEL names one file, e.g. make demo MODEL=my-work/my_convnet.keras")
        return 2
    _import_keras_quietly()  # after the usage check: it takes seconds
    from utils.models import load_saved_model
    from utils.widgets.network import ModelReader

    try:
        network = ModelReader(load_saved_model(argv[0]), who="make demo")
    except (OSError, TypeError, ValueError) as error:
        print(f"make demo: MODEL={argv[0]}: {error}")
        return 2
    layers = ", ".join(
        f"{name} {' x '.join(map(str, shape))}" for name, shape in network.shapes.items()
    )
    print(f"make demo: reading {argv[0]}, model {network.model.name!r}")  # type: ignore[attr-defined]
    print(f"make demo: its convolutional layers: {layers or 'none'}")
    if network.note:
        print(f"make demo: {network.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
