//! One component per route.

pub mod bills;
pub mod dashboard;
pub mod history;
pub mod inventory;
pub mod login;
pub mod placeholder;
pub mod product;
pub mod record;
