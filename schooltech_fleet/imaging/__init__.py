"""Imaging: what a PC needs to be reinstalled over the network (answer files, iPXE scripts, targets)."""
