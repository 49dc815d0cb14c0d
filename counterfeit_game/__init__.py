"""Counterfeit: watch a real GAN learn, as a counterfeiter against the police."""

__version__ = "0.1.0"
