"""Lesson 11: how many parameters of a partly frozen Keras model still train.

:func:`check_trainable_params` checks a count of a model's trainable
parameters against Keras' own list of trainable weights.
"""

from __future__ import annotations

import math

from utils.checks._core import CheckResult, correct, parameter_count_precheck, wrong


def _leaf_layers(model: object) -> list:
    """The layers of ``model``, with those of any nested model in its place."""
    leaves = []
    for layer in getattr(model, "layers", []):
        leaves.extend(_leaf_layers(layer) if hasattr(layer, "layers") else [layer])
    return leaves


def check_trainable_params(answer: object, model: object) -> CheckResult:
    """Check a count of the trainable parameters of a partly frozen Keras ``model`` (lesson 11).

    The reference is the size of ``model.trainable_weights``, what the
    optimiser updates. The verdict recognises the model's total count, the
    count of its frozen (non-trainable) parameters, and a trainable count
    without the biases.

    Parameters
    ----------
    answer : int
        The student's count.
    model : keras.Model
        A built model, some of whose layers have ``trainable = False``.
    """
    verdict = parameter_count_precheck(answer, model)
    if verdict is not None:
        return verdict
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)  # type: ignore[union-attr]
    total = int(model.count_params())  # type: ignore[union-attr]
    no_bias = sum(
        math.prod(w.shape)
        for w in model.trainable_weights  # type: ignore[union-attr]
        if not w.path.endswith("bias")
    )
    frozen_names = [
        layer.name for layer in _leaf_layers(model) if layer.weights and not layer.trainable
    ]
    value = int(answer)
    if value == trainable:
        return correct(
            f"{trainable:,} of the {total:,} parameters train; the layers "
            f"{', '.join(frozen_names) or '(none)'} are frozen."
        )
    if value == total:
        return wrong(
            f"{value:,} is every parameter of the model: leave out the frozen layers "
            f"({', '.join(frozen_names)}), whose weights the optimiser does not change."
        )
    if value == total - trainable:
        return wrong(f"{value:,} is the frozen (non-trainable) part: count the other layers.")
    if value == no_bias:
        return wrong(f"{value:,} counts the trainable weights but not their biases.")
    return wrong(
        f"{value:,} is not it: add up the parameters of the layers that are not frozen "
        "(pooling and flattening layers have none)."
    )
