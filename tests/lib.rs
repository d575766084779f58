//! End-to-end tests across proxviz crates; the tests themselves are in `tests/`.
