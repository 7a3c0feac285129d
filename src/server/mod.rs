//! Server-only code: configuration, shared state, start-up, `http` (router and serve loop),
//! sessions, `storage` (the only place SQL lives) and `zone` (the shop's time zone).

pub mod client;
pub mod clock;
pub mod config;
pub mod csv_format;
pub mod http;
pub mod invoice;
pub mod logging;
pub mod middleware;
pub mod operations;
pub mod passwords;
pub mod security;
pub mod seed;
pub mod sessions;
pub mod startup;
pub mod state;
pub mod storage;
pub mod zone;
