"""Everything Qt: the main window, the piano roll, the Continue panel, undo commands and workers.

Nothing here imports TensorFlow; the sampler (ONNX Runtime) is imported lazily, in a worker thread,
the first time the user presses Continue.
"""
