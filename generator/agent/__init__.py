"""What coding agents read and call: the compact context of the domain or a slice, the list of
slices, the one-shot prompt, and the MCP server whose tools run the command line handed to it.

It imports generator.mutants (the rules a slice's scenarios leave unpinned), generator.build,
generator.evolution, generator.spec and generator.support.
"""
