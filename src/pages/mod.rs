//! One component per route.

pub mod inventory;
pub mod login;
pub mod placeholder;
