"""`ReadsWindows`: a task model whose preprocessor has a `stride` reads long
raw texts in overlapping windows (`keras_albert.text.windows`) in `fit`,
`evaluate` and `predict`, not only in its exported raw-text signature."""

import keras
import numpy as np
import tensorflow as tf


class ReadsWindows:
    """A mixin of `AlbertTask`: where a text becomes windows, and how the
    windows' outputs and targets relate to the text's.

    Subclasses that read windows override `merge_windows` (a text's output
    from its windows') and, if they train on raw texts, `window_targets`
    (each window's target from its text's).
    """

    def _reads_windows(self, x):
        """Whether `x` is read in windows: raw texts (an array or a list of
        strings, not a pair) and a preprocessor with a `stride`."""
        return (self._needs_preprocessing(x)
                and getattr(self.preprocessor, "stride", None) is not None
                and not isinstance(x, (tuple, tf.data.Dataset)))

    def window_inputs(self, x, y=None, sample_weight=None):
        """`(inputs, y, sample_weight, windows)`: texts `x` cut into windows
        (NumPy token inputs), each window with its text's target and weight."""
        windows = self.preprocessor.windows(tf.constant(np.asarray(x, dtype=object)))
        inputs = {name: value.numpy() for name, value in windows.inputs.items()}
        rows = windows.rows.numpy()
        if y is not None:
            y = self.window_targets(self.label_ids(y), rows)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight)[rows]
        return inputs, y, sample_weight, windows

    def _windowed_data(self, data):
        """`validation_data` (a tuple of raw texts and targets) in windows."""
        if isinstance(data, tuple) and self._reads_windows(data[0]):
            return self.window_inputs(*keras.utils.unpack_x_y_sample_weight(data))[:3]
        return data

    def _predict_windows(self, predict, x, **kwargs):
        """`predict` (the model's own, on token inputs) of texts read in
        windows, merged back to one output per text."""
        inputs, _, _, windows = self.window_inputs(x)
        outputs = predict(inputs, **kwargs)
        return keras.ops.convert_to_numpy(self.merge_windows(outputs, windows))

    def merge_windows(self, outputs, windows):
        """The outputs of each text from its windows' (`outputs` of
        `windows.inputs`, see `keras_albert.text.windows`)."""
        raise ValueError(f"{type(self).__name__} does not read texts in windows: give "
                         "its preprocessor no stride. Received: "
                         f"stride={self.preprocessor.stride}")

    def window_targets(self, y, rows):
        """Each window's target from its text's (`rows`: the text of each)."""
        raise ValueError(f"{type(self).__name__} does not train on raw texts in "
                         "windows: give it token inputs with targets per window. "
                         f"Received: stride={self.preprocessor.stride}")
