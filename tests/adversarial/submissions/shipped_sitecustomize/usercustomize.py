import sitecustomize  # noqa: F401
