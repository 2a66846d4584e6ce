//! Deterministic, seeded generators of the sample datasets (the shapes of `datasets.md`) at any size.
