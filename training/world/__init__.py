"""A deterministic image–caption world of coloured shapes, for training the demo models.

See README.md in this folder for what the world contains and why it looks the way it does.
"""
