"""Kiosk mode: weeks unattended on a touch screen. Config, visitor sessions, operator exit,
trainer supervision and logging; none of it imports pygame or TensorFlow."""
