"""The spec, from YAML text to the immutable model: load (positions for every node), the JSON
Schema check, names, types, literal values, expressions, the meaning checks (analyze/) and
diagnostics with their codes and hints.

It imports only generator.support; everything above builds on the model it returns.
"""
