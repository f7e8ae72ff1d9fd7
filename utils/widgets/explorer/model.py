"""The explorer's model side: one call gives every chosen layer's maps and the probabilities."""

from __future__ import annotations

import numpy as np


class LayerProbe:
    """A Keras model seen through the layers the explorer shows.

    The model is called directly on the one image (not ``model.predict``,
    which prepares a whole data pipeline for every call), through one Keras
    model that returns every chosen layer's output and the probabilities at
    once.

    Parameters
    ----------
    model : keras.Model
        A built model whose last layer gives probabilities (softmax).
    layer_names : sequence of str, optional
        The layers to probe; by default every layer whose output is a stack of
        maps (4-D), in order.

    Attributes
    ----------
    layer_names : list of str
        The layers probed, in order.
    n_channels : dict of str to int
        How many maps (channels) each of them gives.
    """

    def __init__(self, model: object, layer_names: object = None) -> None:
        import keras  # here, not at the top: the other widgets do not need TensorFlow

        if not hasattr(model, "layers") or not hasattr(model, "get_layer"):
            raise TypeError(f"model must be a built Keras model, got {type(model).__name__}")
        if layer_names is None:
            layer_names = [
                layer.name
                for layer in model.layers  # type: ignore[attr-defined]
                if len(layer.output.shape) == 4
            ]
        self.layer_names = [str(name) for name in layer_names]  # type: ignore[union-attr]
        if not self.layer_names:
            raise ValueError("layer_names must name at least one layer with 4-D output")
        outputs = []
        for name in self.layer_names:
            try:
                layer = model.get_layer(name)  # type: ignore[attr-defined]
            except ValueError:
                known = [layer.name for layer in model.layers]  # type: ignore[attr-defined]
                raise ValueError(
                    f"layer_names: no layer {name!r} in the model; it has {known}"
                ) from None
            if len(layer.output.shape) != 4:
                raise ValueError(
                    f"layer_names: {name!r} gives output shape {layer.output.shape}, "
                    "not a stack of feature maps (batch, height, width, channels)"
                )
            outputs.append(layer.output)
        self.n_channels = {
            name: int(output.shape[-1])
            for name, output in zip(self.layer_names, outputs, strict=True)
        }
        # One model, one call: every layer's maps and the probabilities together.
        self._extractor = keras.Model(
            model.inputs[0],  # type: ignore[attr-defined]
            [*outputs, model.outputs[0]],  # type: ignore[attr-defined]
        )
        self._to_numpy = keras.ops.convert_to_numpy
        self._model = model

    def __call__(self, image: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Each layer's maps (height, width, channels) and the probabilities for one image."""
        results = self._extractor(image[None, :, :, None])
        arrays = [self._to_numpy(result)[0] for result in results]
        return dict(zip(self.layer_names, arrays[:-1], strict=True)), arrays[-1]

    def predict_classes(self, images: np.ndarray) -> np.ndarray:
        """The predicted class of each image of a stack (n, height, width), with ``predict``."""
        probabilities = self._model.predict(  # type: ignore[attr-defined]
            images[..., None], batch_size=500, verbose=0
        )
        return np.asarray(probabilities).argmax(axis=1)
