"""Tokens, datasets, the model, training, evaluation, export and the sampler. Never imports Qt.

TensorFlow is imported only by the training and export modules, never by the sampler.
"""
