"""Imaging: reinstalling PCs over the network from the inventory (see docs/imaging.md)."""
