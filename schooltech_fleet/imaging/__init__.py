"""Imaging: reinstalling PCs over the network from the inventory: targets, answer files, iPXE scripts (docs/imaging.md)."""
