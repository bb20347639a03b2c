"""Hand-written code for Cart: `handler: custom` decisions and `custom` upcasters.

This folder is yours: eventforge creates missing files here and never changes existing ones.
"""
