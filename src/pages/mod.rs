//! One component per route.

pub mod audit;
pub mod bill_return;
pub mod bills;
pub mod dashboard;
pub mod employees;
pub mod history;
pub mod import;
pub mod inventory;
pub mod login;
pub mod parties;
pub mod product;
pub mod profile;
pub mod record;
pub mod reorder;
