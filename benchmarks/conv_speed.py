"""The same convolution three ways: Python loops, im2col + one matrix product, tf.nn.conv2d.

Usage (from the repository root)::

    TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python benchmarks/conv_speed.py \\
        [--batch 256] [--repeats 15] [--loop-images 8]

Two stated shapes, both 3 x 3 'valid' convolutions, stride 1, float32
throughout (inputs, kernels and outputs):

* ``conv1``: a batch of MNIST-sized images (N, 28, 28, 1) and 32 filters, the
  first layer of lesson 03's ConvNet; the course's goal is NumPy's im2col
  within 3x of ``tf.nn.conv2d`` here;
* ``conv2``: (N, 13, 13, 32) and 64 filters, its second convolution.

Each time is the best of ``--repeats`` calls, wall-clock (the least disturbed
by other programs). The loops are timed on ``--loop-images`` images and
scaled to the batch. ``im2col`` is ``utils.conv.im2col`` followed by one
``@`` with the reshaped kernel and the reshape to (N, H_out, W_out, C_out);
``tf.nn.conv2d`` includes ``.numpy()``, so both end with a NumPy array. The
script first checks that the three give the same numbers. Timings are only
comparable within one run on one otherwise idle machine; the load average is
printed to say how idle it was. On a busy machine NumPy's matrix product
(OpenBLAS, one thread per core, threads that wait for each other) suffers
more than TensorFlow's convolution, so the im2col ratio is then pessimistic;
the best of 15 calls usually catches an undisturbed one.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from utils.conv import im2col  # noqa: E402

SHAPES = {  # name: (height, width, in_channels, filters)
    "conv1": (28, 28, 1, 32),
    "conv2": (13, 13, 32, 64),
}
KERNEL_SIZE = 3


def conv_loops(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """'valid' convolution by loops over images, rows and columns (lesson 03, section 7).

    x: (N, H, W, C_in), kernel: (F, F, C_in, C_out) -> (N, H - F + 1, W - F + 1, C_out).
    """
    size, n_filters = kernel.shape[0], kernel.shape[3]
    n, out_h, out_w = x.shape[0], x.shape[1] - size + 1, x.shape[2] - size + 1
    out = np.zeros((n, out_h, out_w, n_filters), dtype=x.dtype)
    for k in range(n):
        for i in range(out_h):
            for j in range(out_w):
                window = x[k, i : i + size, j : j + size, :, None]
                out[k, i, j] = (window * kernel).sum(axis=(0, 1, 2))
    return out


def conv_im2col(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """im2col + one matrix product: (N, H, W, C_in) -> (N, H_out, W_out, C_out)."""
    size, n_filters = kernel.shape[0], kernel.shape[3]
    out_h, out_w = x.shape[1] - size + 1, x.shape[2] - size + 1
    product = im2col(x, size) @ kernel.reshape(-1, n_filters)
    return product.reshape(x.shape[0], out_h, out_w, n_filters)


def best_time(function, repeats: int) -> float:
    function()  # warm-up: first-call allocations, TensorFlow's kernel selection
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--loop-images", type=int, default=8)
    args = parser.parse_args(argv)
    if args.batch < 1 or args.repeats < 1 or not 1 <= args.loop_images <= args.batch:
        parser.error("--batch and --repeats must be positive, 1 <= --loop-images <= --batch")

    import tensorflow as tf  # the one place the course calls TensorFlow directly

    rng = np.random.default_rng(0)
    print(
        f"numpy {np.__version__}, tensorflow {tf.__version__}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}; float32; best of {args.repeats}"
    )
    print(f"{'shape':44} {'method':14} {'ms':>10} {'x tf':>8}")
    for name, (height, width, c_in, c_out) in SHAPES.items():
        x = rng.random((args.batch, height, width, c_in), dtype=np.float32)
        kernel = rng.normal(size=(KERNEL_SIZE, KERNEL_SIZE, c_in, c_out)).astype(np.float32)
        few = x[: args.loop_images]
        reference = tf.nn.conv2d(x, kernel, 1, "VALID").numpy()
        assert np.allclose(conv_im2col(x, kernel), reference, atol=1e-4, rtol=1e-4)
        assert np.allclose(conv_loops(few, kernel), reference[: len(few)], atol=1e-4, rtol=1e-4)
        scale = args.batch / args.loop_images
        seconds = {
            f"loops (x{scale:g})": best_time(
                lambda few=few, kernel=kernel: conv_loops(few, kernel), min(args.repeats, 2)
            )
            * scale,
            "im2col": best_time(lambda x=x, kernel=kernel: conv_im2col(x, kernel), args.repeats),
            "tf.nn.conv2d": best_time(
                lambda x=x, kernel=kernel: tf.nn.conv2d(x, kernel, 1, "VALID").numpy(), args.repeats
            ),
        }
        kernel_shape = f"{KERNEL_SIZE}x{KERNEL_SIZE}x{c_out}"
        label = f"{name}: ({args.batch}, {height}, {width}, {c_in}) * {kernel_shape}"
        for method, value in seconds.items():
            ratio = value / seconds["tf.nn.conv2d"]
            print(f"{label:44} {method:14} {value * 1000:10.2f} {ratio:8.2f}")
        ratio = seconds["im2col"] / seconds["tf.nn.conv2d"]
        print(
            f"{name}: im2col / tf.nn.conv2d = {ratio:.2f}; loops / im2col = "
            f"{seconds[f'loops (x{scale:g})'] / seconds['im2col']:.0f}"
        )


if __name__ == "__main__":
    main()
