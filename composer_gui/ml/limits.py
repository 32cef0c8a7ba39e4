"""The bounds of a generation request, in one place and importing nothing.

:meth:`composer_gui.ml.sampler.GenerationRequest.validate` enforces them; the Continue panel
offers them and ``composer-gui generate --help`` states them. They live apart from the sampler so
that the window and the command line's help read them without loading numpy or the sampler.
"""

# Variations stepped together as one batch. 16 keeps a step under a millisecond or two for the
# bundled 2x256 models (bench/generate.py); the panel lays its buttons out in rows of 8, and the
# keys 1..8 pick the first row (Tab flips through all).
MAX_VARIATIONS = 16
MAX_BARS = 512
# past these the float32 logits overflow (NaN) and sampling would silently stop
MIN_TEMPERATURE = 1e-3
MAX_TEMPERATURE = 1e3
