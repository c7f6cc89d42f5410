"""schooltech-fleet: infrastructure as code for school IT technicians."""

__version__ = "0.1.0"
