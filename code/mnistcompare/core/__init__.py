"""The core that trains: MNIST, the two networks, one trainer interface, the instruments.

  paths         where params.yml, the data and the cache live
  params        the parameters, validated (file, quick mode, environment, flags)
  data          MNIST files, checksums, arrays
  numpy_mlp     the network written by hand (forward, backward, SGD, the readable loop)
  numpy_fast    its timed loop: the same steps with buffers, and their memory accounting
  torch_mlp     the same network with torch.nn and torch.optim
  jax_mlp       the same network in JAX: NumPy's forward and loss, jax.grad, compiled by XLA
  jax_trainer   its trainers (the epoch as one program, or a compiled step per minibatch)
  torch_compiled  PyTorch's trainer through torch.compile (the step, or the model alone)
  measure       instruments: threads (XLA's too), peak memory, the machine's description
  training      one driver for both, recording loss, accuracy, time and memory
  epoch_timing  one epoch of each trainer timed side by side (the study's benchmark and make bench's)
  atomic        files written whole or not at all

Nothing here imports the study or the book.
"""
