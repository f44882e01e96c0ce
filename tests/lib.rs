//! Cross-service tests of Afregning live in `tests/`; this crate has no code of its own.
