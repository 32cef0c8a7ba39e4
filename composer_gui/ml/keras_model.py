"""The Keras model: token embedding -> stacked LSTM with dropout -> dense logits.

The prior art's family (stacked LSTMs, dropout, dense, softmax, RMSprop) with its input fixed: an
embedding of each token instead of one scalar (index / vocabulary size). The softmax lives in the
loss (``from_logits=True``) and in the sampler, so the graph outputs logits.

Two graphs share one set of weights:

* the *sequence model* ``tokens [batch, T] -> logits [batch, T, V]`` that is trained;
* the *step model* ``tokens [batch, T], h0.., c0.. -> logits [batch, V], h0_out.., c0_out..``
  (the logits after the last token) that is exported to ONNX. The sampler runs it one token at a
  time while sampling, carrying the LSTM state (instead of re-running a 100-token window for every
  new token, as the prior art did), and a bar of the sketch per call when prefilling: one call of
  ONNX's LSTM over 80 tokens costs about what 8 one-token calls do.

TensorFlow/Keras is imported here; the app never imports this module.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras


@dataclass(frozen=True)
class ModelConfig:
    embedding: int = 128
    hidden: int = 256
    layers: int = 2
    dropout: float = 0.2

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict) -> ModelConfig:
        return ModelConfig(**{k: d[k] for k in ("embedding", "hidden", "layers", "dropout")})


# the Dense layer's name (weights are copied and saved by layer name; not the ONNX output's name)
LOGITS_LAYER = "logits"

PRESETS = {
    "tiny": ModelConfig(embedding=16, hidden=32, layers=1, dropout=0.0),
    "small": ModelConfig(embedding=96, hidden=256, layers=2, dropout=0.2),
    "medium": ModelConfig(embedding=128, hidden=384, layers=2, dropout=0.3),
}


def _cfg(model_cfg: dict | ModelConfig) -> ModelConfig:
    return model_cfg if isinstance(model_cfg, ModelConfig) else ModelConfig.from_dict(model_cfg)


def build_sequence_model(model_cfg: dict | ModelConfig, vocab_size: int) -> keras.Model:
    """tokens int32 [batch, T] -> logits float32 [batch, T, V]."""
    cfg = _cfg(model_cfg)
    tokens = keras.Input(shape=(None,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(vocab_size, cfg.embedding, name="embedding")(tokens)
    for i in range(cfg.layers):
        x = keras.layers.LSTM(cfg.hidden, return_sequences=True, name=f"lstm{i}")(x)
        if cfg.dropout:
            x = keras.layers.Dropout(cfg.dropout, name=f"dropout{i}")(x)
    logits = keras.layers.Dense(vocab_size, name=LOGITS_LAYER)(x)
    return keras.Model(tokens, logits, name="sequence_model")


def build_step_model(model_cfg: dict | ModelConfig, vocab_size: int,
                     source: keras.Model | None = None) -> keras.Model:
    """Steps: tokens [batch, T] and each layer's (h, c) -> the logits after the last token
    [batch, V] and the new states. T is free (1 while sampling, a bar while prefilling).

    Its inputs and outputs are in the order of model_folder's ``onnx_input_names`` and
    ``onnx_output_names`` (token, h0.., c0.. -> logits, h0_out.., c0_out..): export.py gives the
    ONNX graph those names. With ``source`` (a sequence model) the weights are copied from it."""
    from composer_gui.ml.model_folder import onnx_input_names

    cfg = _cfg(model_cfg)
    names = onnx_input_names(cfg.layers)  # token, h0.., c0..
    token = keras.Input(shape=(None,), dtype="int32", name=names[0])
    hs = [keras.Input(shape=(cfg.hidden,), name=n) for n in names[1:1 + cfg.layers]]
    cs = [keras.Input(shape=(cfg.hidden,), name=n) for n in names[1 + cfg.layers:]]
    x = keras.layers.Embedding(vocab_size, cfg.embedding, name="embedding")(token)
    h_out, c_out = [], []
    for i in range(cfg.layers):
        x, h, c = keras.layers.LSTM(cfg.hidden, return_sequences=True, return_state=True,
                                    name=f"lstm{i}")(x, initial_state=[hs[i], cs[i]])
        h_out.append(h)
        c_out.append(c)
    # the last layer's final h is its output at the last token: the logits need nothing else
    logits = keras.layers.Dense(vocab_size, name=LOGITS_LAYER)(h_out[-1])
    model = keras.Model([token, *hs, *cs], [logits, *h_out, *c_out], name="step_model")
    if source is not None:
        copy_weights(source, model)
    return model


def copy_weights(source: keras.Model, target: keras.Model) -> None:
    """Copy weights layer by layer, by name (dropout and reshape hold none)."""
    for layer in target.layers:
        weights = layer.get_weights()
        if weights:
            layer.set_weights(source.get_layer(layer.name).get_weights())


def compile_model(model: keras.Model, learning_rate: float = 2e-3, clipnorm: float = 1.0) -> None:
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate, clipnorm=clipnorm),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")],
    )


def load_keras_model(folder: str | Path) -> keras.Model:
    """The sequence model of a model folder, with its trained weights loaded."""
    from composer_gui.ml.model_folder import (
        CONFIG,
        WEIGHTS,
        ModelError,
        read_config,
        vocabulary_from_dict,
    )

    folder = Path(folder)
    cfg_path, weights = folder / CONFIG, folder / WEIGHTS
    for path in (cfg_path, weights):
        if not path.is_file():
            raise ModelError(f"{folder}: {path.name} is missing")
    config = read_config(folder)  # the same checks as the app's loading
    try:
        vocab = vocabulary_from_dict(config["vocabulary"])
        model_cfg = ModelConfig.from_dict(config["model"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{cfg_path}: not a valid model config ({exc})") from None
    model = build_sequence_model(model_cfg, vocab.size)
    try:
        model.load_weights(weights)
    except Exception as exc:  # h5py / keras raise many types for a bad file
        raise ModelError(
            f"{weights}: the weights do not fit this config (vocabulary {vocab.size}, "
            f"{model_cfg}): {' '.join(str(exc).split())[:200]}") from None
    return model
