//! The lifecycle over the JSON API: departures, buyouts, handover and adoption, freezes, income,
//! distributions, statements and exports.

#[allow(unused_imports)]
use super::*;
