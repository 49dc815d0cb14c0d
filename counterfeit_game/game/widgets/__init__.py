"""Reusable pieces of the screen: buttons, bills, stamps, the loss chart, the progress wall."""
