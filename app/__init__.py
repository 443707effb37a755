"""Autograd Playground: run small PyTorch programs in a sandbox and show autograd at work."""
