"""Checkers for the exercises in the notebooks.

A checker takes the student's answer, works out the right answer by an
independent route, and returns a :class:`CheckResult`: true or false, with a
message that says what is right or what is wrong. Jupyter shows the message
when the checker call ends a cell. An answer left as ``...`` (the skeleton's
placeholder) is reported as not yet answered, so a notebook runs from top to
bottom before the student has written anything.

A wrong answer is reported by the returned :class:`CheckResult`, never by an
exception. The other arguments come from the notebook; a wrong one raises
``TypeError`` (wrong type) or ``ValueError`` (wrong value), checked by
:mod:`utils._validate`.

Import every name from here (``from utils.checks import check_pooling``); the
submodules hold them by lesson:

- ``_core``: :class:`CheckResult`, :data:`CORRECT`, :data:`WRONG`, :data:`TODO`,
  :func:`correct`, :func:`wrong`, :func:`is_unanswered`, :func:`unanswered`,
  and the helpers that checkers of several lessons share;
- ``basics`` (lesson 00): :func:`check_digit_count`;
- ``convolution`` (lessons 01 and 02): :func:`check_cross_correlation`,
  :func:`check_output_size` with its :data:`OUTPUT_SIZE_CASES`,
  :func:`check_receptive_field`;
- ``cost_and_pooling`` (lessons 03 and 04): :func:`check_param_count`,
  :func:`check_pooling`, :func:`check_dense_as_conv_kernel`;
- ``mnist_convnet`` (lesson 05): :func:`check_relative_error_decrease`;
- ``filters`` (lesson 06): :func:`check_strongest_filter`;
- ``architectures`` (lesson 07): :func:`check_inverted_dropout`,
  :func:`check_residual_block`, :func:`check_block_param_count`;
- ``ecg`` (lesson 08): :func:`check_cross_correlation_1d`, :func:`check_macro_f1`,
  :func:`check_batchnorm_inference`;
- ``backprop`` (lesson 09): :func:`check_kernel_gradient`, :func:`check_dense_relu_backward`;
- ``variants`` (lesson 10): :func:`check_transposed_convolution`,
  :func:`check_separable_params`;
- ``little_data`` (lesson 11): :func:`check_trainable_params`;
- ``saliency`` (lesson 12): :func:`check_occlusion_map`, :func:`check_fgsm_step`.
"""

from __future__ import annotations

from utils.checks._core import (
    CORRECT,
    TODO,
    WRONG,
    CheckResult,
    correct,
    is_unanswered,
    unanswered,
    wrong,
)
from utils.checks.architectures import (
    check_block_param_count,
    check_inverted_dropout,
    check_residual_block,
)
from utils.checks.backprop import check_dense_relu_backward, check_kernel_gradient
from utils.checks.basics import check_digit_count
from utils.checks.convolution import (
    OUTPUT_SIZE_CASES,
    check_cross_correlation,
    check_output_size,
    check_receptive_field,
)
from utils.checks.cost_and_pooling import (
    check_dense_as_conv_kernel,
    check_param_count,
    check_pooling,
)
from utils.checks.ecg import (
    check_batchnorm_inference,
    check_cross_correlation_1d,
    check_macro_f1,
)
from utils.checks.filters import check_strongest_filter
from utils.checks.little_data import check_trainable_params
from utils.checks.mnist_convnet import check_relative_error_decrease
from utils.checks.saliency import check_fgsm_step, check_occlusion_map
from utils.checks.variants import check_separable_params, check_transposed_convolution

__all__ = [
    "CORRECT",
    "OUTPUT_SIZE_CASES",
    "TODO",
    "WRONG",
    "CheckResult",
    "check_batchnorm_inference",
    "check_block_param_count",
    "check_cross_correlation",
    "check_cross_correlation_1d",
    "check_dense_as_conv_kernel",
    "check_dense_relu_backward",
    "check_digit_count",
    "check_fgsm_step",
    "check_inverted_dropout",
    "check_kernel_gradient",
    "check_macro_f1",
    "check_occlusion_map",
    "check_output_size",
    "check_param_count",
    "check_pooling",
    "check_receptive_field",
    "check_relative_error_decrease",
    "check_residual_block",
    "check_separable_params",
    "check_strongest_filter",
    "check_trainable_params",
    "check_transposed_convolution",
    "correct",
    "is_unanswered",
    "unanswered",
    "wrong",
]
