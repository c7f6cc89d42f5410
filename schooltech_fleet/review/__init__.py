"""Reviewing a change before it reaches a device: what an inventory change does, what a school would get."""
