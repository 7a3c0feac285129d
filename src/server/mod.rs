//! Server-only code: configuration, shared state, start-up, sessions, and `storage` (the only
//! place SQL lives).

pub mod auth;
pub mod config;
pub mod invoice;
pub mod logging;
pub mod operations;
pub mod seed;
pub mod startup;
pub mod state;
pub mod storage;
