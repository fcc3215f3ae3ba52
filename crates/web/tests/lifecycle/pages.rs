//! The lifecycle in the pages: forms, the printable report and its exports, and roles.

#[allow(unused_imports)]
use super::*;
