//! Views shared by several pages.

pub mod chart;
pub mod layout;
pub mod nav;
#[cfg(feature = "hydrate")]
pub mod swap;
