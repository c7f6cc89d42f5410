"""The simulated school: lab PCs as real Linux containers, switches as emulated devices."""
