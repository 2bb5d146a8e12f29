"""mnistcompare: a two-layer network on MNIST, by hand in NumPy and in PyTorch.

Data -> models -> training -> analyses -> report:
    data        MNIST files, checksums, arrays
    numpy_mlp   the network written by hand (forward, backward, SGD)
    torch_mlp   the same network with torch.nn and torch.optim
    training    one driver for both, recording loss, accuracy, time and memory
    study       every experiment the book reports, cached on disk
    analysis    PCA, decision boundaries, convergence, complexity, spreads
    plots       figures: Altair in HTML, static images in the PDF
"""

__version__ = "0.1.0"
