"""Hand-written decisions for Order commands with `handler: custom`.

This folder is yours: eventforge creates missing files here and never changes existing ones.
"""
