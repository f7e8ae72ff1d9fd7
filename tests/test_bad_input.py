"""Every public function of `utils` turns bad input into an error a student can read.

One table, function by function: a call with a bad argument, the exception it
must raise (ValueError or TypeError, or FileNotFoundError for a missing file,
a kind of OSError), and a pattern the message must match, which names the
argument. A second test checks that the table misses no public function, so a
new helper cannot skip this.

The checkers' ``answer`` (or ``function``) argument is the student's answer: a
wrong answer is reported by the returned ``CheckResult``, never by an
exception, so the cases below give bad values to the other arguments, which
come from the notebook.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import utils
from utils import (
    checks,
    conv,
    cost,
    data,
    diagrams,
    drawing,
    environment,
    evaluation,
    figures,
    gradients,
    models,
    numpy_convnet,
    plots,
    pooling,
    saliency,
    widgets,
)

MODULES = [importlib.import_module(f"utils.{name}") for name in utils.__all__]
Z = np.zeros
BAD_TYPED_FIGURE = {"data": [{"z": {"dtype": "f2", "bdata": ""}}]}  # float16: not plotly's

CASES = {
    # utils.checks
    "checks.correct": (lambda: checks.correct(3), TypeError, r"message must be a str"),
    "checks.wrong": (lambda: checks.wrong(None), TypeError, r"message must be a str"),
    "checks.unanswered": (lambda: checks.unanswered(3), TypeError, r"what must be a str"),
    "checks.check_digit_count": (
        lambda: checks.check_digit_count(3, "abc", 7),
        TypeError,
        r"labels must be an array of integer labels",
    ),
    "checks.check_receptive_field": (
        lambda: checks.check_receptive_field(3, "layers"),
        TypeError,
        r"layers must be a list of \(kernel_size, stride\) pairs",
    ),
    "checks.check_relative_error_decrease": (
        lambda: checks.check_relative_error_decrease(0.5, -1, 0.1),
        ValueError,
        r"old_error must be positive, got -1",
    ),
    "checks.check_param_count": (
        lambda: checks.check_param_count(3, "model"),
        TypeError,
        r"model must be a built Keras model",
    ),
    "checks.check_pooling": (
        lambda: checks.check_pooling(Z((2, 2)), Z((4, 4)), mode="median"),
        ValueError,
        r"mode must be one of 'max', 'avg', got 'median'",
    ),
    "checks.check_dense_as_conv_kernel": (
        lambda: checks.check_dense_as_conv_kernel(Z(3), Z((25, 1)), (5, 5)),
        ValueError,
        r"input_shape must be \(height, width, channels\)",
    ),
    # utils.conv
    "conv.axis_padding": (
        lambda: conv.axis_padding(0, 3),
        ValueError,
        r"n must be at least 1, got 0",
    ),
    "conv.output_size": (
        lambda: conv.output_size(5, 3, padding="half"),
        ValueError,
        r"padding must be one of 'valid', 'same', 'full', got 'half'",
    ),
    "conv.pad": (
        lambda: conv.pad(Z((3, 3)), -1),
        ValueError,
        r"padding must be at least 0, got -1",
    ),
    "conv.cross_correlate2d": (
        lambda: conv.cross_correlate2d(Z((3, 3)), Z((5, 5))),
        ValueError,
        r"kernel of shape \(5, 5\) is bigger than the padded image",
    ),
    "conv.conv2d": (
        lambda: conv.conv2d(Z((1, 5, 5, 1)), Z((3, 3, 2, 1))),
        ValueError,
        r"kernel\.shape\[2\] must equal x\.shape\[3\]",
    ),
    "conv.im2col": (
        lambda: conv.im2col(Z((1, 5, 5, 1)), 0),
        ValueError,
        r"kernel_size must be at least 1, got 0",
    ),
    # utils.conv, lesson 10 (convolution variants)
    "conv.effective_kernel_size": (
        lambda: conv.effective_kernel_size(3, 0),
        ValueError,
        r"dilation must be at least 1, got 0",
    ),
    "conv.transposed_output_size": (
        lambda: conv.transposed_output_size(4, 3, "same", stride=2, output_padding=2),
        ValueError,
        r"output_padding must be less than stride \(Keras requires it\), "
        r"got output_padding=2 with stride=2",
    ),
    "conv.conv2d_transpose": (
        lambda: conv.conv2d_transpose(Z((1, 4, 4, 2)), Z((3, 3, 1, 3))),
        ValueError,
        r"kernel has 3 input channels but x has 2: kernel\.shape\[3\] must equal x\.shape\[3\]",
    ),
    "conv.depthwise_conv2d": (
        lambda: conv.depthwise_conv2d(Z((1, 5, 5, 3)), Z((3, 3, 1, 2))),
        ValueError,
        r"kernel has 1 input channels but x has 3: kernel\.shape\[2\] must equal x\.shape\[3\]",
    ),
    # utils.data
    "data.sha256_of": (lambda: data.sha256_of(3), TypeError, r"path must be a str or an os"),
    "data.verify_file": (
        lambda: data.verify_file(3, default_name="x", sha256="0" * 64, size=1),
        TypeError,
        r"path must be a str, an os.PathLike or None, got int 3",
    ),
    "data.load_mnist": (
        lambda: data.load_mnist(3),
        TypeError,
        r"path must be a str, an os.PathLike or None, got int 3",
    ),
    "data.load_lecture_recipe": (
        lambda: data.load_lecture_recipe("/nonexistent/lecture_recipe.json"),
        FileNotFoundError,
        r"lecture_recipe\.json not found",
    ),
    "data.load_ecg5000": (
        lambda: data.load_ecg5000("/nonexistent/ECG5000_TRAIN.txt"),
        FileNotFoundError,
        r"not found at /nonexistent/ECG5000_TRAIN\.txt",
    ),
    # utils.environment
    "environment.read_pins": (
        lambda: environment.read_pins("/nonexistent/requirements.txt"),
        FileNotFoundError,
        r"path must name a requirements file, got '/nonexistent/requirements.txt'",
    ),
    "environment.untune_array_pipelines": (
        lambda: environment.untune_array_pipelines(np),
        TypeError,
        r"needs Keras's keras\.src\.trainers\.data_adapters\.array_data_adapter module",
    ),
    "environment.build_before_tracing": (
        lambda: environment.build_before_tracing(np),
        TypeError,
        r"needs Keras's keras\.src\.backend\.tensorflow\.trainer module",
    ),
    "environment.version_report": (
        lambda: environment.version_report("numpy"),
        TypeError,
        r"pins must be a dict",
    ),
    # utils.models
    "models.build_convnet": (
        lambda: models.build_convnet(3),
        TypeError,
        r"name must be a str, got int 3",
    ),
    "models.build_dense_baseline": (
        lambda: models.build_dense_baseline(0),
        ValueError,
        r"hidden_units must be at least 1, got 0",
    ),
    "models.one_cycle_adam": (
        lambda: models.one_cycle_adam(0),
        ValueError,
        r"total_steps must be at least 1, got 0",
    ),
    "models.load_saved_model": (
        lambda: models.load_saved_model("/nonexistent/my_convnet.keras"),
        FileNotFoundError,
        r"no model file at /nonexistent/my_convnet.keras: save a trained model",
    ),
    "models.load_pretrained_convnet": (
        lambda: models.load_pretrained_convnet("/nonexistent/weights.h5"),
        FileNotFoundError,
        r"not found at /nonexistent/weights\.h5",
    ),
    # utils.cost
    "cost.layer_table": (
        lambda: cost.layer_table("model"),
        TypeError,
        r"model must be a Keras model, got str",
    ),
    "cost.conv2d_macs": (
        lambda: cost.conv2d_macs(0, 3, 1, 1),
        ValueError,
        r"output_size must be at least 1, got 0",
    ),
    "cost.dense_macs": (
        lambda: cost.dense_macs(1, 0),
        ValueError,
        r"n_out must be at least 1, got 0",
    ),
    "cost.conv2d_params": (
        lambda: cost.conv2d_params(3, 4, 6, groups=4),
        ValueError,
        r"groups must divide both in_channels and filters, got groups=4 for in_channels=4 "
        r"and filters=6",
    ),
    "cost.depthwise_params": (
        lambda: cost.depthwise_params(3, 4, depth_multiplier=0),
        ValueError,
        r"depth_multiplier must be at least 1, got 0",
    ),
    "cost.separable_params": (
        lambda: cost.separable_params(3, 4, 8, use_bias="yes"),
        TypeError,
        r"use_bias must be True or False, got str 'yes'",
    ),
    "cost.separable_ratio": (
        lambda: cost.separable_ratio(3, 0),
        ValueError,
        r"filters must be at least 1, got 0",
    ),
    "cost.depthwise_macs": (
        lambda: cost.depthwise_macs(5, 3, "4"),
        TypeError,
        r"channels must be an int, got str '4'",
    ),
    "cost.separable_macs": (
        lambda: cost.separable_macs(5, (3, 3, 3), 4, 8),
        ValueError,
        r"kernel_size must be an int or a pair \(height, width\), got \(3, 3, 3\)",
    ),
    "cost.conv2d_transpose_macs": (
        lambda: cost.conv2d_transpose_macs(0, 3, 4, 8),
        ValueError,
        r"input_size must be at least 1, got 0",
    ),
    # utils.plots
    "plots.describe_figure": (
        lambda: plots.describe_figure("a figure"),
        TypeError,
        r"figure must be a plotly Figure or its JSON dict with a 'data' list, got str",
    ),
    "plots.image_grid": (
        lambda: plots.image_grid(Z((2, 3))),
        ValueError,
        r"images must have shape \(n, height, width\)",
    ),
    "plots.matrix_heatmaps": (
        lambda: plots.matrix_heatmaps([Z(3)]),
        ValueError,
        r"matrices\[0\] must be a non-empty 2-D array",
    ),
    "plots.map_grid": (
        lambda: plots.map_grid(Z(3)),
        ValueError,
        r"maps must have shape \(n, height, width\)",
    ),
    "plots.output_size_figure": (
        lambda: plots.output_size_figure(0, 3),
        ValueError,
        r"n must be at least 1, got 0",
    ),
    "plots.connection_figure": (
        lambda: plots.connection_figure(7, 3, highlight=5),
        ValueError,
        r"highlight must be between 0 and 4, got 5",
    ),
    "plots.training_curves": (
        lambda: plots.training_curves({"x": [1]}),
        ValueError,
        r"history must have a 'loss' entry",
    ),
    "plots.confusion_matrix": (
        lambda: plots.confusion_matrix([1, 2], [1]),
        ValueError,
        r"y_true and y_pred must have the same length, got 2 and 1",
    ),
    "plots.misclassified_grid": (
        lambda: plots.misclassified_grid(Z((2, 5, 5)), [1, 2], [1]),
        ValueError,
        r"images, y_true and y_pred must have the same length",
    ),
    "plots.line_chart": (
        lambda: plots.line_chart([1, 2], {"a": [1]}),
        ValueError,
        r"series 'a' must have shape \(2,\) like x",
    ),
    # utils.figures: a figure's typed array of a dtype plotly does not write, digits below 1
    "figures.decode_typed_array": (
        lambda: figures.decode_typed_array({"dtype": "c8", "bdata": ""}, "z"),
        ValueError,
        r"z\['dtype'\] must be one of 'i1', 'u1', .*, got 'c8'",
    ),
    "figures.numbers": (
        lambda: figures.numbers({"dtype": "f2", "bdata": ""}),
        ValueError,
        r"node\['dtype'\] must be one of .*, got 'f2'",
    ),
    "figures.round_figure_floats": (
        lambda: figures.round_figure_floats({"y": [0.5]}, digits=0),
        ValueError,
        r"digits must be at least 1, got 0",
    ),
    "figures.largest": (
        lambda: figures.largest(BAD_TYPED_FIGURE),
        ValueError,
        r"data\.z\['dtype'\] must be one of .*, got 'f2'",
    ),
    "figures.figure_difference": (
        lambda: figures.figure_difference({"data": [{"z": [0.5]}]}, BAD_TYPED_FIGURE),
        ValueError,
        r"figure\.data\[0\]\.z\['dtype'\] must be one of .*, got 'f2'",
    ),
    "figures.match_figures": (
        lambda: figures.match_figures(
            [{"data": {figures.FIGURE_MIME: BAD_TYPED_FIGURE}}],
            [{"data": {figures.FIGURE_MIME: {"data": [{"z": [0.5]}]}}}],
        ),
        ValueError,
        r"figure\.data\[0\]\.z\['dtype'\] must be one of .*, got 'f2'",
    ),
    # utils.pooling
    "pooling.max_pool2d": (
        lambda: pooling.max_pool2d(Z((3, 3)), pool_size=0),
        ValueError,
        r"pool_size must be at least 1, got 0",
    ),
    "pooling.avg_pool2d": (
        lambda: pooling.avg_pool2d(Z(3)),
        ValueError,
        r"x must be 2-D \(height, width\) or 4-D",
    ),
    # utils.widgets
    "widgets.DigitBrowser": (
        lambda: widgets.DigitBrowser(Z((2, 5, 5)), [1]),
        ValueError,
        r"labels must have one entry per image",
    ),
    "widgets.ConvolutionStepper": (
        lambda: widgets.ConvolutionStepper(Z((5, 5)), Z((3, 3)), padding=-1),
        ValueError,
        r"padding must be at least 0, got -1",
    ),
    "widgets.OutputSizeCalculator": (
        lambda: widgets.OutputSizeCalculator(width=0),
        ValueError,
        r"width must be between 1 and 16, got 0",
    ),
    # the draw-a-digit demo's widgets
    "widgets.DrawingCanvas": (
        lambda: widgets.DrawingCanvas(size=0),
        ValueError,
        r"size must be between 28 and 1000, got 0",
    ),
    "widgets.DigitReader": (
        lambda: widgets.DigitReader("convnet"),
        TypeError,
        r"DigitReader reads a Keras model .*got str 'convnet'",
    ),
    "widgets.ModelReader": (
        lambda: widgets.ModelReader(np.zeros(3)),
        TypeError,
        r"the reader reads a Keras model .*got ndarray",
    ),
    # lesson 06's plots, widgets and checker
    "plots.kernel_grid": (
        lambda: plots.kernel_grid(Z((3, 3))),
        ValueError,
        r"kernels must have shape \(F_h, F_w, 1, n\) or \(n, F_h, F_w\), got shape \(3, 3\)",
    ),
    "plots.layer_maps": (
        lambda: plots.layer_maps(Z((5, 5))),
        ValueError,
        r"activations must have shape \(height, width, n_channels\)",
    ),
    "plots.patch_grid": (
        lambda: plots.patch_grid(Z((5, 5))),
        ValueError,
        r"patches must have shape \(n, height, width\)",
    ),
    "plots.channel_mixing": (
        lambda: plots.channel_mixing(Z((3, 3, 2))),
        ValueError,
        r"kernel must be a Conv2D kernel of shape \(F_h, F_w, C_in, C_out\)",
    ),
    "plots.probability_bar": (
        lambda: plots.probability_bar(Z((2, 2))),
        ValueError,
        r"probabilities must have shape \(n_classes,\)",
    ),
    "widgets.FeatureMapExplorer": (
        lambda: widgets.FeatureMapExplorer("model", Z((2, 28, 28)), [1, 2]),
        TypeError,
        r"FeatureMapExplorer reads a Keras model .*got str 'model'",
    ),
    "checks.check_strongest_filter": (
        lambda: checks.check_strongest_filter(3, Z((3, 3)), Z(32), Z((28, 28))),
        ValueError,
        r"kernel must have shape \(F_h, F_w, 1, n\), got shape \(3, 3\)",
    ),
    # lesson 08's evaluation helpers, plot and checkers
    "checks.check_macro_f1": (
        lambda: checks.check_macro_f1(0.5, [0, 1], [0], 2),
        ValueError,
        r"y_true and y_pred must be non-empty and of the same length, got 2 and 1",
    ),
    "checks.check_batchnorm_inference": (
        lambda: checks.check_batchnorm_inference(Z((2, 3)), "layer", Z((2, 3))),
        TypeError,
        r"layer must be a built keras.layers.BatchNormalization, got str",
    ),
    "evaluation.stratified_folds": (
        lambda: evaluation.stratified_folds([0, 1, 0, 1], n_folds=1),
        ValueError,
        r"n_folds must be at least 2, got 1",
    ),
    "evaluation.per_class_f1": (
        lambda: evaluation.per_class_f1([0, 3], [0, 1], 3),
        ValueError,
        r"y_true must hold classes 0 to 2 \(n_classes=3\), got 3",
    ),
    "evaluation.macro_f1": (
        lambda: evaluation.macro_f1([0, 1], [0.0, 1.0], 2),
        TypeError,
        r"y_pred must hold integers",
    ),
    "evaluation.one_nn_predict": (
        lambda: evaluation.one_nn_predict(Z((2, 3)), [0, 1], Z((1, 4))),
        ValueError,
        r"test_x must have series of the same length as train_x, 3, got 4",
    ),
    "evaluation.wilson_interval": (
        lambda: evaluation.wilson_interval(3, 2),
        ValueError,
        r"successes must be at most n = 2, got 3",
    ),
    "plots.signal_examples": (
        lambda: plots.signal_examples(Z((2, 5)), [0]),
        ValueError,
        r"labels must have one entry per signal: got 1 labels for 2 signals",
    ),
    # lesson 11's subsets, shifted and rotated digits, and base model
    "data.stratified_subset": (
        lambda: data.stratified_subset([0, 1, 1, 0, 1], 3),
        ValueError,
        r"size must be a multiple of the number of classes, 2, got 3",
    ),
    "data.shift_and_rotate": (
        lambda: data.shift_and_rotate(Z((2, 28, 28)), max_degrees=-5),
        ValueError,
        r"max_degrees must be between 0 and 180, got -5\.0",
    ),
    "models.load_base_convnet": (
        lambda: models.load_base_convnet("/nonexistent/base.weights.h5"),
        FileNotFoundError,
        r"not found at /nonexistent/base\.weights\.h5",
    ),
    # lesson 12's occlusion map, saliency figure and checkers
    "saliency.occlusion_map": (
        lambda: saliency.occlusion_map(np.ones, Z((7, 5)), 0, patch_size=4),
        ValueError,
        r"patch_size must be odd, so that the patch has a centre pixel, got 4",
    ),
    "plots.saliency_grid": (
        lambda: plots.saliency_grid(Z((2, 5, 5)), {"occlusion": Z((3, 5, 5))}),
        ValueError,
        r"maps\['occlusion'\] must have the shape of images, \(n, H, W\) = \(2, 5, 5\)",
    ),
    "checks.check_occlusion_map": (
        lambda: checks.check_occlusion_map(..., "model", Z((7, 5)), 0),
        TypeError,
        r"model must be a callable",
    ),
    "checks.check_fgsm_step": (
        lambda: checks.check_fgsm_step(..., abs, Z((28, 28, 1)), 7, epsilon=-0.1),
        ValueError,
        r"epsilon must be in \(0, 1\], got -0\.1",
    ),
    # the draw-a-digit demo: the ConvNet in NumPy, and a drawing made an MNIST digit
    "numpy_convnet.NumpyConvNet": (
        lambda: numpy_convnet.NumpyConvNet([1, 2]),
        TypeError,
        r"weights must be a dict of layer name -> \(kernel, bias\), got list",
    ),
    "numpy_convnet.load_numpy_convnet": (
        lambda: numpy_convnet.load_numpy_convnet(3),
        TypeError,
        r"path must be a str, an os.PathLike or None, got int 3",
    ),
    "drawing.rasterize_strokes": (
        lambda: drawing.rasterize_strokes([[[1, 2, 3]]]),
        ValueError,
        r"strokes\[0\]\[0\] must be a pair \[x, y\], got \[1, 2, 3\]",
    ),
    "drawing.to_mnist": (
        lambda: drawing.to_mnist(Z(5)),
        ValueError,
        r"image must be a non-empty 2-D array \(height, width\), got shape \(5,\)",
    ),
    "diagrams.show": (
        lambda: diagrams.show("nope.svg"),
        ValueError,
        r"name must be one of 'kernel_sliding.svg', 'lenet5.svg', 'stride_1_and_2.svg', "
        r"got 'nope.svg'",
    ),
}

# Public names that take no input a student could get wrong, with the reason.
EXEMPT = {
    "checks.CheckResult": "a record (ok, message) that the checkers build",
    "checks.check_cross_correlation": "its one argument is the student's answer",
    "checks.check_cross_correlation_1d": "its one argument is the student's answer",
    "checks.check_output_size": "its one argument is the student's answer",
    "checks.check_transposed_convolution": "its one argument is the student's answer",
    "checks.is_unanswered": "accepts any object: it only asks whether it is ...",
    "environment.report_environment": "takes no argument",
    "environment.onednn_enabled": "takes no argument",
    "environment.cpu_description": "takes no argument",
    "environment.prepare_tensorflow": "takes no argument",
    "cost.LayerRow": "a record that layer_table builds",
    "figures.CourseRenderer": "plotly's renderer interface, called by plotly",
    "figures.use_course_renderer": "takes no argument",
    "diagrams.kernel_sliding_svg": "takes no argument",
    "diagrams.stride_svg": "takes no argument",
    "diagrams.lenet5_svg": "takes no argument",
    "widgets.NotADigitReader": "an exception class, raised by ModelReader",
}


def public_functions() -> set[str]:
    found = set()
    for module in MODULES:
        short = module.__name__.removeprefix("utils.")
        for name, value in vars(module).items():
            if name.startswith("_") or not callable(value):
                continue
            home = getattr(value, "__module__", None) or ""
            if home != module.__name__ and not home.startswith(module.__name__ + "."):
                continue  # imported from elsewhere (a package's own submodules count as its own)
            if inspect.isfunction(value) or inspect.isclass(value):
                found.add(f"{short}.{name}")
    return found


def test_every_utils_module_is_listed():
    """utils.__all__, which the table's MODULES follow, names every public module of utils/."""
    on_disk = {module.name for module in pkgutil.iter_modules(utils.__path__)}
    assert set(utils.__all__) == {name for name in on_disk if not name.startswith("_")}


def test_the_table_covers_every_public_function():
    missing = public_functions() - set(CASES) - set(EXEMPT)
    assert not missing, f"add a bad-input case for: {sorted(missing)}"
    assert not (set(CASES) | set(EXEMPT)) - public_functions(), "the table names a function gone"


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gets_a_clear_error(name):
    call, exception, pattern = CASES[name]
    with pytest.raises(exception, match=pattern):
        call()


# Lesson 07's helpers, appended to the table (and run by the test at the end, since
# the parametrisation above reads the table before this point of the file).
LESSON_07_CASES = {
    "checks.check_inverted_dropout": (
        lambda: checks.check_inverted_dropout(..., Z((2, 2)), Z((3, 3)), 0.5),
        ValueError,
        r"mask must have the shape of x, \(2, 2\), got shape \(3, 3\)",
    ),
    "checks.check_residual_block": (
        lambda: checks.check_residual_block(..., filters="4"),
        TypeError,
        r"filters must be an int, got str '4'",
    ),
    "checks.check_block_param_count": (
        lambda: checks.check_block_param_count(3, "model"),
        TypeError,
        r"model must be a built Keras model, got str",
    ),
    "models.build_lenet5": (
        lambda: models.build_lenet5(name=5),
        TypeError,
        r"name must be a str, got int 5",
    ),
    "models.residual_block": (
        lambda: models.residual_block(None, 0),
        ValueError,
        r"filters must be at least 1, got 0",
    ),
    "cost.model_macs": (
        lambda: cost.model_macs("lenet"),
        TypeError,
        r"model must be a Keras model, got str",
    ),
    "plots.compare_training_curves": (
        lambda: plots.compare_training_curves([{"loss": [1.0]}]),
        TypeError,
        r"histories must be a non-empty dict of name -> keras History",
    ),
}
CASES.update(LESSON_07_CASES)


# Lesson 09's backward passes, gradient check and checkers, appended the same way.
LESSON_09_CASES = {
    "conv.conv2d_backward": (
        lambda: conv.conv2d_backward(Z((1, 5, 5, 1)), Z((3, 3, 1, 2)), Z((1, 3, 3, 1))),
        ValueError,
        r"d_out must have the shape of the layer's output, \(N, H_out, W_out, C_out\) = "
        r"\(1, 3, 3, 2\), got shape \(1, 3, 3, 1\)",
    ),
    "conv.col2im": (
        lambda: conv.col2im(Z((4, 9)), (1, 4, 4, 1), 3, stride=2),
        ValueError,
        r"cols must have shape \(1, 9\) for x_shape \(1, 4, 4, 1\)",
    ),
    "pooling.max_pool2d_backward": (
        lambda: pooling.max_pool2d_backward(Z((1, 4, 4, 1)), Z((1, 4, 4, 1))),
        ValueError,
        r"d_out must have the shape of max_pool2d's output, \(1, 2, 2, 1\), got shape",
    ),
    "gradients.numerical_gradient": (
        lambda: gradients.numerical_gradient("f", Z(3)),
        TypeError,
        r"f must be a function of one array, got str 'f'",
    ),
    "gradients.relative_error": (
        lambda: gradients.relative_error(Z(2), Z(3)),
        ValueError,
        r"a and b must have the same shape, got \(2,\) and \(3,\)",
    ),
    "gradients.gradient_error": (
        lambda: gradients.gradient_error(sum, Z(2), Z(3)),
        ValueError,
        r"analytic must have the shape of x, \(2,\), got shape \(3,\)",
    ),
    "checks.check_kernel_gradient": (
        lambda: checks.check_kernel_gradient(..., Z((3, 3)), Z((5, 5))),
        ValueError,
        r"d_out of shape \(5, 5\) is too large for x of shape \(3, 3\) at stride 1",
    ),
    "checks.check_trainable_params": (
        lambda: checks.check_trainable_params(3, "model"),
        TypeError,
        "model must be a built Keras model, got str",
    ),
    "checks.check_separable_params": (
        lambda: checks.check_separable_params(5024, 0, 32, 128),
        ValueError,
        "kernel_size must be at least 1, got 0",
    ),
    "checks.check_dense_relu_backward": (
        lambda: checks.check_dense_relu_backward(..., Z((4, 3)), Z((2, 5)), Z(5)),
        ValueError,
        r"w must have shape \(3, n_out\) for this x, got shape \(2, 5\)",
    ),
}
CASES.update(LESSON_09_CASES)
LATER_CASES = {**LESSON_07_CASES, **LESSON_09_CASES}


@pytest.mark.parametrize("name", sorted(LATER_CASES))
def test_later_lessons_bad_input_gets_a_clear_error(name):
    """The cases appended after the table (lessons 07 and 09), run the same way."""
    call, exception, pattern = LATER_CASES[name]
    with pytest.raises(exception, match=pattern):
        call()
