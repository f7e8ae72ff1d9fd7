"""Lesson 07 (architectures): inverted dropout, a residual block, a block's parameters.

The checkers of inverted dropout applied by hand, of a residual block written
with Keras' functional API, and of a count of the parameters of a block with
convolutions and batch normalisation.
"""

from __future__ import annotations

import numpy as np

from utils._validate import integer, number, real_array
from utils.checks._core import (
    CheckResult,
    answer_numbers,
    correct,
    is_unanswered,
    parameter_count_precheck,
    unanswered,
    weight_counts,
    wrong,
)


def check_inverted_dropout(answer: object, x: object, mask: object, rate: float) -> CheckResult:
    """Check inverted dropout applied by hand with a given mask (lesson 07, exercise 1).

    In training, dropout keeps each value where ``mask`` is 1, sets it to 0
    where ``mask`` is 0, and divides the kept values by the keep probability
    ``1 - rate``, so that every value keeps its expected size:
    ``x * mask / (1 - rate)``. The verdict recognises a forgotten scaling,
    a multiplication by ``1 - rate`` instead of a division, a division by
    ``rate``, an inverted mask and a scaling without the zeros.

    Parameters
    ----------
    answer : array_like, the shape of ``x``
        The student's output.
    x : array_like
        The input values.
    mask : array_like of 0 and 1, the shape of ``x``
        1 where a value is kept, 0 where it is dropped.
    rate : float
        The dropout rate ``p``, the probability of dropping a value, in [0, 1).

    Raises
    ------
    TypeError
        If ``x`` or ``mask`` is not an array of real numbers, or ``rate`` not a number.
    ValueError
        If ``mask`` does not have the shape of ``x`` or holds other values
        than 0 and 1, or if ``rate`` is not in [0, 1).
    """
    values_in = real_array(x, "x").astype(np.float64)
    keep = real_array(mask, "mask")
    if keep.shape != values_in.shape:
        raise ValueError(
            f"mask must have the shape of x, {values_in.shape}, got shape {keep.shape}"
        )
    if not np.isin(keep, (0, 1)).all():
        raise ValueError("mask must hold only 0 (dropped) and 1 (kept)")
    value = number(rate, "rate")
    if not 0 <= value < 1:
        raise ValueError(f"rate must be in [0, 1), got {rate}")
    rate = value
    values = answer_numbers(answer, "the output of inverted dropout")
    if isinstance(values, CheckResult):
        return values
    if values.shape != values_in.shape:
        return wrong(f"the output has the input's shape, {values_in.shape}; got {values.shape}.")
    keep = keep.astype(np.float64)
    keep_probability = 1 - rate
    expected = values_in * keep / keep_probability
    if np.allclose(values, expected):
        return correct(
            f"{int(keep.sum())} of {keep.size} values kept and scaled by 1 / (1 - {rate:g}) = "
            f"{1 / keep_probability:.4g}; the dropped ones are 0."
        )
    slips = [
        (
            values_in * keep,
            f"the dropped values are zero, but the kept ones must also be divided by the keep "
            f"probability 1 - rate = {keep_probability:g}, so that their expected value does not "
            "change.",
        ),
        (
            values_in * keep * keep_probability,
            "divide the kept values by the keep probability 1 - rate; you multiplied by it.",
        ),
        (
            values_in * keep / rate if rate else None,
            "divide by the keep probability 1 - rate, not by the rate.",
        ),
        (
            values_in * (1 - keep) / keep_probability,
            "you kept the values where the mask is 0: the mask is 1 where a value is kept.",
        ),
        (
            values_in / keep_probability,
            "the scaling is right, but the dropped values (mask 0) must become 0.",
        ),
    ]
    for candidate, message in slips:
        if candidate is not None and np.allclose(values, candidate):
            return wrong(message)
    bad = np.argwhere(~np.isclose(values, expected))
    index = tuple(int(i) for i in bad[0])
    return wrong(
        f"{len(bad)} of {expected.size} values differ; the first at {index}: expected "
        f"{expected[index]:g}, got {values[index]:g}. Compute x * mask / (1 - rate)."
    )


def _residual_reference(x: np.ndarray, weights: list[np.ndarray]) -> dict[str, np.ndarray]:
    """A correct residual block's output and its usual mistakes' outputs, via keras.ops."""
    import keras

    ops = keras.ops
    kernel_1, bias_1, kernel_2, bias_2 = weights

    def conv(values, kernel, bias):
        return ops.conv(values, kernel, strides=1, padding="same") + bias

    first = conv(x, kernel_1, bias_1)
    branch = conv(ops.relu(first), kernel_2, bias_2)
    outputs = {
        "right": ops.relu(x + branch),
        "no skip": ops.relu(branch),
        "no last relu": x + branch,
        "relu before add": x + ops.relu(branch),
        "no middle relu": ops.relu(x + conv(first, kernel_2, bias_2)),
    }
    return {name: ops.convert_to_numpy(value).astype(np.float64) for name, value in outputs.items()}


def check_residual_block(function: object, filters: int = 4) -> CheckResult:
    """Check a student's ``residual_block(x, filters)`` written with the functional API (lesson 07).

    The block asked for is ``relu(x + conv_2(relu(conv_1(x))))``: two 3 x 3
    ``Conv2D`` layers with ``filters`` filters, ``padding='same'`` and biases,
    a ReLU between them, the block's input added to the second one's output,
    and a ReLU after the addition. The student's block is built on an input of
    shape (6, 6, filters), given random weights, and run on random inputs; the
    reference computes the same block with the same weights by an independent
    route (``keras.ops.conv``). The verdict recognises a wrong output shape, a
    wrong number of parameters, a missing skip connection, a ReLU missing after
    the addition or put on the branch before it, and a missing ReLU between
    the convolutions.

    Parameters
    ----------
    function : callable ``(x: KerasTensor (batch, H, W, filters), filters: int) -> KerasTensor``
        Returns the block's output, of the same shape as ``x``.
    filters : int, default 4
        Channels of the test input (and of the block).
    """
    import keras

    filters = integer(filters, "filters", minimum=1)
    if is_unanswered(function):
        return unanswered("the residual block")
    if not callable(function):
        return wrong(
            f"expected a function residual_block(x, filters), got {type(function).__name__}."
        )
    shape = (6, 6, filters)
    inputs = keras.Input(shape)
    try:
        outputs = function(inputs, filters)
    except Exception as error:  # the student's code: report any failure in words
        return wrong(f"your function raised {type(error).__name__}: {error}")
    if is_unanswered(outputs) or outputs is None or not hasattr(outputs, "shape"):
        return wrong(f"your function returned {outputs!r}: return the block's output tensor.")
    out_shape = tuple(outputs.shape[1:])
    if out_shape != shape:
        hint = ""
        if len(out_shape) == 3 and out_shape[:2] != shape[:2]:
            hint = (
                " The height and width changed: use padding='same' so that the output can be "
                "added to the input."
            )
        elif len(out_shape) == 3:
            hint = f" Give the convolutions {filters} filters, as many as the input has channels."
        return wrong(
            f"the block's output must have the input's shape {shape}, got {out_shape}.{hint}"
        )
    try:
        model = keras.Model(inputs, outputs)
    except Exception as error:  # the student's code: report any failure in words
        return wrong(f"keras.Model(x, your output) failed: {type(error).__name__}: {error}")
    expected_params = 2 * (3 * 3 * filters * filters + filters)
    weight_shapes = [tuple(weight.shape) for weight in model.get_weights()]
    wanted_shapes = [(3, 3, filters, filters), (filters,)] * 2
    if weight_shapes != wanted_shapes:
        return wrong(
            f"the block should have two 3x3 convolutions with {filters} filters and biases, "
            f"2 * (3*3*{filters}*{filters} + {filters}) = {expected_params} parameters; "
            f"yours has {model.count_params()} in weights of shapes {weight_shapes}."
        )
    rng = np.random.default_rng(7)
    weights = [
        (rng.normal(size=s) * (0.4 if len(s) == 4 else 0.2)).astype(np.float32)
        for s in wanted_shapes
    ]
    model.set_weights(weights)
    x = rng.normal(size=(3, *shape)).astype(np.float32)
    values = keras.ops.convert_to_numpy(model(x)).astype(np.float64)
    references = _residual_reference(x, weights)
    if np.allclose(values, references["right"], rtol=1e-4, atol=1e-4):
        return correct(
            f"your block computes relu(x + F(x)) with F two 3x3 convolutions; its "
            f"{expected_params} parameters are all in the convolutions (the addition has none)."
        )
    messages = {
        "no skip": "there is no skip connection: add the block's input to the second "
        "convolution's output, layers.Add()([x, y]), before the last ReLU.",
        "no last relu": "the skip connection is right; now apply a ReLU after the addition.",
        "relu before add": "the last ReLU belongs after the addition, not on the branch before "
        "it: give the second convolution no activation.",
        "no middle relu": "put a ReLU between the two convolutions (activation='relu' on the "
        "first one).",
    }
    for name, message in messages.items():
        if np.allclose(values, references[name], rtol=1e-4, atol=1e-4):
            return wrong(message)
    return wrong(
        "on random inputs your block's output differs from relu(x + conv_2(relu(conv_1(x)))). "
        "Check the order: convolution, ReLU, convolution, add the input, ReLU."
    )


def check_block_param_count(answer: object, model: object) -> CheckResult:
    """Check a count of the parameters of a block with convolutions and batch normalisation.

    Lesson 07, exercise 3. The reference is Keras' ``model.count_params()``,
    which counts all four numbers per channel of a ``BatchNormalization``
    layer: ``gamma`` and ``beta`` (trained) and the moving mean and variance
    (not trained, but parameters of the model). The verdict recognises the
    trainable count alone, batch normalisation left out, biases counted for
    convolutions built with ``use_bias=False``, and filters counted as
    ``F * F`` weights instead of ``F * F * C_in``.

    Parameters
    ----------
    answer : int
        The student's total.
    model : keras.Model
        A built model.
    """
    verdict = parameter_count_precheck(answer, model)
    if verdict is not None:
        return verdict
    value = int(answer)
    layers = list(model.layers)  # type: ignore[attr-defined]
    expected = int(model.count_params())  # type: ignore[attr-defined]
    trainable = sum(
        int(np.prod(weight.shape))
        for weight in model.trainable_weights  # type: ignore[attr-defined]
    )
    norm = sum(
        int(layer.count_params())
        for layer in layers
        if type(layer).__name__ == "BatchNormalization"
    )
    missing_biases = sum(
        int(layer.filters)
        for layer in layers
        if type(layer).__name__ == "Conv2D" and not layer.use_bias
    )
    _, _, no_depth = weight_counts(model)
    if value == expected:
        return correct(
            f"the block has {expected:,} parameters: {trainable:,} trained by the optimiser and "
            f"{expected - trainable:,} moving averages that batch normalisation keeps for "
            "inference."
        )
    if norm and value == trainable:
        return wrong(
            f"{value:,} is the number of trainable parameters. Keras also counts each "
            "BatchNormalization's moving mean and moving variance (not trained, but stored "
            "with the model): 4 numbers per channel in all."
        )
    if norm and value == expected - norm:
        return wrong(
            f"{value:,} leaves out batch normalisation: it has 4 numbers per channel "
            "(gamma, beta, moving mean, moving variance)."
        )
    if missing_biases and value in (
        expected + missing_biases,
        trainable + missing_biases,
    ):
        return wrong(
            f"{value:,} counts a bias for every filter, but these convolutions are built with "
            "use_bias=False (batch normalisation's beta does the shifting), so they have none."
        )
    if value == no_depth:
        return wrong(
            f"{value:,} counts F * F weights per filter; a filter spans every input channel, "
            "so it has F * F * C_in weights."
        )
    return wrong(
        f"{value:,} is not the number of parameters. Add up F * F * C_in * C_out for each "
        "Conv2D (no bias here), and 4 * channels for each BatchNormalization; ReLU and Add "
        "have none."
    )
