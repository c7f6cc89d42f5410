"""Imaging: reinstalling PCs over the network from the inventory.

Targets, answer files and iPXE scripts; see docs/imaging.md.
"""
