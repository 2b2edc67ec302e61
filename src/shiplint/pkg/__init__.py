"""Python packaging knowledge: build backends and the Metadata-Version they write, the metadata
a project declares, and the upload and index commands of packaging tools."""
