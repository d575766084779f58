//! End-to-end tests of proxviz (see tests/tests/).
