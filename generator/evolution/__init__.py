"""How stored events stay readable as the spec changes: the lock file (topics, versions, field
history), breaking-change detection against it or a git revision, and the upcasting test cases.

It imports only generator.spec and generator.support.
"""
