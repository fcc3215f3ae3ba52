//! The house rules of the source tree, checked by this crate's test (`cargo nextest run -p
//! peerstake-tidy`): every module says what it is, no source file runs past
//! [`LINES_MAX`] lines, no crate has an import cycle, and a capability module imports the kernel
//! and the leaves of its layer but never a sibling capability. It has no code of its own.

/// The most lines a source file may have (tests and migrations aside).
pub const LINES_MAX: usize = 800;
