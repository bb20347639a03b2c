"""Round-trip edits of the spec (`add`, `remove`, `rename`): each change applied to a ruamel.yaml
tree, merged so that untouched bytes stay identical, validated before an atomic write.

It imports generator.build, generator.evolution, generator.spec and generator.support.
"""
